"""cost(option, demand) -> monthly USD with line items, utilization, or infeasible with reasons.

Pure functions over plain data. One generic function prices every plan: instance sizes times a
count times running hours, graduated meters, flat fees, seats, usage credits and minimums.
A free allowance is a $0 first tier; a hard cap is a limit that makes the option infeasible.
An unknown price makes the cost unknown (None), never $0.

- ``prices``: a catalog price resolved for a region and country, graduated tiers;
- ``model``: the option, the requirements in force (``Context``), the ``Evaluation`` and its parts;
- ``evaluation``: ``evaluate``, a pipeline of pricing sections (one function each);
- ``floor``: ``cost_floor``, a cost an option can never go below (to skip options early).
"""

from __future__ import annotations

from .evaluation import evaluate
from .floor import cost_floor
from .model import Context, CostLine, Evaluation, Option, PoolDraw, Reason
from .prices import EPS, resolve_price

__all__ = [
    "Option",
    "Context",
    "Reason",
    "CostLine",
    "PoolDraw",
    "Evaluation",
    "evaluate",
    "cost_floor",
    "resolve_price",
    "EPS",
]
