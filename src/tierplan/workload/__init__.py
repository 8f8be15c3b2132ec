"""Workload model: profile + scale (+ month) -> demand per component, in explicit units.

Pure functions. Every figure carries the formula and the inputs that produced it, so
``tierplan explain`` can print them; docs/workload.md documents each one with a worked example.

Conventions: GB = 1024 MB = 1024^2 KB; a month is 365/12 days; traffic happens during the
users' active hours; ``peak_factor`` is the busiest minute relative to the active-hours average.

Layout: figures.py (Figure, Capacity, Demand, the Builder), demand.py (demand_at: the globals and
the dispatch by kind), compute.py, stores.py and services.py (each kind's figures).
"""

from __future__ import annotations

from .demand import demand_at
from .figures import KB_PER_GB, MB_PER_GB, Capacity, ComponentDemand, Demand, Figure

__all__ = ["Figure", "Capacity", "ComponentDemand", "Demand", "demand_at", "KB_PER_GB", "MB_PER_GB"]
