"""Supabase: PostgreSQL, Storage (S3-compatible) and Realtime (the supabase CLI).

A database is a Supabase project named ``<app>-<component>``; the app connects through the
transaction pooler (port 6543), the runbook's copies use the direct connection. Supabase allows
logical replication without a setting.
"""

from __future__ import annotations

from .base import S3, Cmds, Created, Generic, NewStore, Placement, Setting, Shell

__all__ = ["Supabase"]


class Supabase(Generic):
    """Supabase (supabase CLI)."""

    plan_page = "Supabase dashboard > Organization settings > Billing > Subscription plan"

    def settings(self, kind: str, var: str, public: bool = False) -> list[Setting]:
        if kind == "postgres":
            return [
                Setting(
                    "postgresql://postgres.PROJECT_REF:PASSWORD@aws-0-REGION.pooler.supabase.com:6543/postgres?sslmode=require",
                    "Supabase > Project settings > Database > Connection pooling (transaction mode, port 6543)",
                )
            ]
        if kind == "auth":
            where = "Supabase > Project settings > API keys"
            return [
                Setting("https://PROJECT_REF.supabase.co", "Supabase > Project settings > Data API > Project URL", "SUPABASE_URL"),
                Setting("your-supabase-anon-key", f"{where} > anon (publishable) key", "SUPABASE_ANON_KEY"),
                Setting(
                    "your-supabase-service-role-key",
                    f"{where} > service_role (secret) key: server side only",
                    "SUPABASE_SERVICE_ROLE_KEY",
                ),
            ]
        return super().settings(kind, var, public)

    def s3(self) -> S3:
        return S3(
            "https://PROJECT_REF.supabase.co/storage/v1/s3",
            "REGION",
            "Supabase > Project settings > Storage > S3 access keys",
        )

    def resize_store(self, sh: Shell, comp: str, kind: str, frm: Placement, to: Placement) -> Cmds:
        page = "Supabase dashboard > Project settings > Compute and Disk > Compute size"
        return Cmds(manual=[f"{page}: {to.size}"], rollback_manual=[f"{page}: {frm.size}"])

    def admin_where(self, sh: Shell, comp: str, kind: str, region: str | None) -> str:
        if kind == "postgres":
            return "Supabase dashboard > Connect > Direct connection (port 5432; the session pooler if your network has no IPv6)"
        return super().admin_where(sh, comp, kind, region)

    def create(self, sh: Shell, new: NewStore) -> Created:
        if new.kind != "postgres":
            return super().create(sh, new)
        n = new.at
        pw = sh.var(
            "NEW_DB_PASSWORD", "a new strong password for the Supabase database (openssl rand -hex 24)"
        )
        org = sh.var(
            "SUPABASE_ORG_ID", "Supabase dashboard > Organization settings > General > Organization slug"
        )
        cmd = (
            f"supabase projects create {new.name} --org-id {org} --db-password {pw} "
            f"--region {(n.region or '').removeprefix('aws-')}" + (f" --size {n.size}" if n.size else "")
        )
        ref = sh.var(
            "SUPABASE_PROJECT_REF", f"the reference of the new project (supabase projects list; {new.name})"
        )
        return Created([cmd], rollback=[f"supabase projects delete {ref}"])

    def enable_replication(self, sh: Shell, comp: str, admin_url: str, at: Placement) -> Cmds:
        return Cmds()  # allowed on every project

    def delete(self, sh: Shell, comp: str, kind: str, at: Placement) -> Cmds:
        ref = sh.var("OLD_SUPABASE_PROJECT_REF", f"the reference of the old Supabase project of {comp}")
        return Cmds([f"supabase projects delete {ref}"])
