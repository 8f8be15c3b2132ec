"""The planning engine: from a validated profile and the catalog to a typed plan.

- ``planner``: demand, option evaluations and the cheapest option per component, cached per scale;
- ``whole_stack``: the whole-stack integer program (shared accounts, pooled quotas, latency, ...);
- ``moves``: the plan over time: forced and voluntary moves, migration costs, schedules;
- ``per_component``: exact per-component boundaries (an analysis, not a second plan);
- ``infeasible``: the minimal set of conflicting requirements when nothing fits;
- ``matrix``: the decision matrix (objectives side by side) and the Pareto front.
"""
