"""Neon: serverless PostgreSQL (neonctl through npx).

A database is a Neon project named ``<app>-<component>``; the app connects through the pooled
endpoint with TLS, the runbook's copies use the direct one. Logical replication is a project
setting (it restarts the compute).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .base import Cmds, Created, Generic, NewStore, Placement, Setting, Shell, slug

if TYPE_CHECKING:
    from ..gen.deploy import Store

__all__ = ["Neon"]


class Neon(Generic):
    """Neon serverless Postgres (neonctl)."""

    plan_page = "Neon console > Billing > Change plan"

    def store_setup(self, app: str, store: Store) -> str | None:
        if store.kind == "postgres":
            return f"npx neonctl projects create --name {app}-{slug(store.name)} --region-id {store.region}"
        return super().store_setup(app, store)

    def settings(self, kind: str, var: str, public: bool = False) -> list[Setting]:
        if kind == "postgres":
            return [
                Setting(
                    "postgresql://USER:PASSWORD@ep-NAME-pooler.REGION.aws.neon.tech/{name}?sslmode=require",
                    "Neon console > project > Connection details (pooled connection string; Neon requires TLS)",
                )
            ]
        return super().settings(kind, var, public)

    def resize_store(self, sh: Shell, comp: str, kind: str, frm: Placement, to: Placement) -> Cmds:
        page = "Neon console > the branch > Computes > Edit > compute size"
        return Cmds(manual=[f"{page}: {to.size}"], rollback_manual=[f"{page}: {frm.size}"])

    def admin_where(self, sh: Shell, comp: str, kind: str, region: str | None) -> str:
        if kind == "postgres":
            return "Neon console > Connection details with connection pooling off (the direct endpoint)"
        return super().admin_where(sh, comp, kind, region)

    def create(self, sh: Shell, new: NewStore) -> Created:
        if new.kind != "postgres":
            return super().create(sh, new)
        cmd = f"npx neonctl projects create --name {new.name} --region-id {new.at.region or ''}"
        pid = sh.var("NEON_PROJECT_ID", f"the id of the new Neon project (neonctl projects list; {new.name})")
        return Created([cmd], rollback=[f"npx neonctl projects delete {pid}"])

    def enable_replication(self, sh: Shell, comp: str, admin_url: str, at: Placement) -> Cmds:
        return Cmds(
            manual=["Neon console > Project settings > Logical replication > Enable (restarts the compute)"]
        )

    def delete(self, sh: Shell, comp: str, kind: str, at: Placement) -> Cmds:
        pid = sh.var("OLD_NEON_PROJECT_ID", f"the id of the old Neon project of {comp}")
        return Cmds([f"npx neonctl projects delete {pid}"])
