"""The environment variables a stack needs, each with a placeholder and where to get the value.

Placeholders are shapes (`postgresql://USER:PASSWORD@HOST/DB?sslmode=require`), never values that
could be mistaken for a real secret. Each store's and external service's shapes come from its
provider's adapter (`Platform.settings`, `Platform.s3`).
"""

from __future__ import annotations

from ..engine.planner import Planner
from ..platforms import platform
from .deploy import Deploy, EnvVar, slug
from .runtimes import FAMILIES, framework_of

__all__ = ["env_vars"]


def env_vars(planner: Planner, dep: Deploy) -> list[EnvVar]:
    out: list[EnvVar] = []
    seen: set[str] = set()

    def add(
        name: str, placeholder: str, comment: str, secret: bool = True, component: str | None = None
    ) -> None:
        if name not in seen:
            seen.add(name)
            out.append(EnvVar(name, placeholder, comment, secret, component))

    web = [s for s in dep.services if s.kind == "web_service"]
    if web and web[0].port:
        add(
            "PORT",
            str(web[0].port),
            "port the web service listens on (the platform's proxy forwards to it)",
            False,
        )
    runtimes = {s.runtime for s in dep.services}
    framework_keys = _framework_keys(dep)
    if "python" in runtimes or not framework_keys:
        add(
            "SECRET_KEY" if "python" in runtimes else "JWT_SECRET",
            "change-me-generate-with-openssl-rand-hex-32",
            "session/JWT signing secret: generate with `openssl rand -hex 32`, one per environment",
        )
    for name, placeholder, comment in framework_keys:
        add(name, placeholder, comment)
    publishers: dict[str, list[str]] = {}
    for s in dep.services:
        if s.kind == "realtime" and not s.serverless and s.pubsub is not None:
            publishers.setdefault(s.pubsub, []).append(s.name)
    for st in dep.stores:
        name = slug(st.name).replace("-", "_")
        also = (
            f"; also the pub/sub of the realtime server{'s' if len(publishers[st.name]) > 1 else ''} "
            f"{', '.join(publishers[st.name])}"
            if st.name in publishers
            else ""
        )
        adapter = platform(st.provider)
        if st.kind == "object_storage":
            s3 = adapter.s3()
            prefix = st.env.removesuffix("S3_ENDPOINT")
            add(
                f"{prefix}S3_ENDPOINT",
                s3.endpoint,
                f"{st.name}: S3 API endpoint ({st.provider})",
                False,
                component=st.name,
            )
            add(
                f"{prefix}S3_REGION",
                s3.region,
                f"{st.name}: region for request signing",
                False,
                component=st.name,
            )
            add(
                f"{prefix}S3_BUCKET",
                f"{dep.app}-{slug(st.name)}",
                f"{st.name}: bucket name (create it first)",
                False,
                component=st.name,
            )
            add(
                f"{prefix}S3_ACCESS_KEY_ID", "your-access-key-id", f"{st.name}: {s3.where}", component=st.name
            )
            add(
                f"{prefix}S3_SECRET_ACCESS_KEY",
                "your-secret-access-key",
                f"{st.name}: {s3.where}",
                component=st.name,
            )
            continue
        # the address first (with the plan it belongs to), then any extra key; none when the
        # platform binds the store in its own config (Cloudflare KV, queues, D1)
        # a caller on another host cannot use the store's private address
        public = any(s.provider != st.provider for s in dep.services)
        for i, v in enumerate(adapter.settings(st.kind, st.env, public)):
            if i == 0:
                add(
                    v.name or st.env,
                    v.placeholder.format(name=name),
                    f"{st.name} ({st.provider} {st.plan}): {v.where}{also}",
                    component=st.name,
                )
            else:
                add(v.name, v.placeholder, f"{st.name}: {v.where}", component=st.name)
    for comp, provider in dep.externals.items():
        kind = planner.profile.components[comp].kind
        for v in platform(provider).settings(kind, ""):
            add(v.name, v.placeholder, f"{comp} ({provider}): {v.where}", component=comp)
    return out


def _framework_keys(dep: Deploy) -> list[tuple[str, str, str]]:
    """The signing key a framework of the stack refuses to start without in production (Rails and
    Phoenix: SECRET_KEY_BASE, Laravel: APP_KEY): name, placeholder, where to get it."""
    out: list[tuple[str, str, str]] = []
    for img in dep.images:
        if img.family not in FAMILIES:
            continue
        fw = framework_of(img.family, next((s.framework for s in img.services if s.framework), None))
        if fw in ("rails", "phoenix"):
            how = "`bin/rails secret`" if fw == "rails" else "`mix phx.gen.secret`"
            key = (
                "SECRET_KEY_BASE",
                "change-me-generate-a-64-byte-secret",
                f"{'Rails' if fw == 'rails' else 'Phoenix'} signing/encryption secret: generate with {how}, "
                "one per environment",
            )
        elif fw == "laravel":
            key = (
                "APP_KEY",
                "base64:change-me-generate-with-php-artisan",
                "Laravel encryption key: generate with `php artisan key:generate --show`, one per environment",
            )
        else:
            continue
        if key[0] not in [k[0] for k in out]:
            out.append(key)
    return out
