"""tierplan: plan where to host a small web app for the least money, and see when you will
outgrow each plan."""

__version__ = "0.1.0"

from .api import make_planner, plan, plan_at  # noqa: E402
from .catalog import Catalog, load_catalog  # noqa: E402
from .errors import CatalogError, InfeasibleError, InputError, TierplanError  # noqa: E402
from .profile import Profile, load_profile  # noqa: E402

__all__ = [
    "__version__",
    "plan",
    "plan_at",
    "make_planner",
    "load_profile",
    "load_catalog",
    "Profile",
    "Catalog",
    "TierplanError",
    "InputError",
    "CatalogError",
    "InfeasibleError",
]
