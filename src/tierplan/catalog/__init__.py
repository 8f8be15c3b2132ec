"""The price catalog: schema, loading, checking."""

from .loader import Catalog, PlanRef, default_catalog_dir, load_catalog, load_provider_file
from .models import COMPONENT_KINDS, Attributes, Limit, Meter, Plan, Provider, Region, Service

__all__ = [
    "Catalog",
    "PlanRef",
    "load_catalog",
    "load_provider_file",
    "default_catalog_dir",
    "COMPONENT_KINDS",
    "Attributes",
    "Limit",
    "Meter",
    "Plan",
    "Provider",
    "Region",
    "Service",
]
