"""tierplan: plan where to host a small web app for the least money, and see when you will
outgrow each plan.

The public API is imported lazily, so that `tierplan --help` and light commands start fast.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    "plan": ".api",
    "plan_at": ".api",
    "make_planner": ".api",
    "load_profile": ".profile",
    "Profile": ".profile",
    "load_catalog": ".catalog",
    "Catalog": ".catalog",
    "TierplanError": ".errors",
    "InputError": ".errors",
    "CatalogError": ".errors",
    "InfeasibleError": ".errors",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name], __name__), name)
    raise AttributeError(f"module 'tierplan' has no attribute {name!r}")
