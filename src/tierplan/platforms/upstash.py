"""Upstash: serverless Redis over TCP (``rediss://``) and its REST API (used as a KV store).

Upstash has no commands in tierplan: databases are created in its console; the adapter knows the
connection strings' shapes and where the keys are.
"""

from __future__ import annotations

from .base import Generic, Setting, Shell

__all__ = ["Upstash"]


class Upstash(Generic):
    """Upstash Redis and its REST API."""

    plan_page = "Upstash console > the database > Configuration > Change plan"

    def settings(self, kind: str, var: str, public: bool = False) -> list[Setting]:
        if kind == "redis":
            return [
                Setting(
                    "rediss://default:PASSWORD@NAME.upstash.io:6379",
                    "Upstash console > the database > Connect > redis-cli URL (TLS: rediss://)",
                )
            ]
        if kind == "kv":
            return [
                Setting(
                    "https://NAME.upstash.io",
                    "Upstash console > the database > REST API > UPSTASH_REDIS_REST_URL (token below)",
                ),
                Setting("your-upstash-rest-token", "Upstash REST API token", var.replace("_URL", "_TOKEN")),
            ]
        return super().settings(kind, var, public)

    def admin_where(self, sh: Shell, comp: str, kind: str, region: str | None) -> str:
        if kind == "redis":
            return "Upstash console > the database > Connect > redis-cli URL (rediss://)"
        return super().admin_where(sh, comp, kind, region)
