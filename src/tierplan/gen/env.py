"""The environment variables a stack needs, each with a placeholder and where to get the value.

Placeholders are shapes (`postgresql://USER:PASSWORD@HOST/DB?sslmode=require`), never values that
could be mistaken for a real secret.
"""

from __future__ import annotations

from ..engine.planner import Planner
from .deploy import Deploy, EnvVar, slug

__all__ = ["env_vars"]

# (provider, kind) -> (placeholder, where to get it); {name} is the component's slug
_STORE: dict[tuple[str, str], tuple[str, str]] = {
    ("neon", "postgres"): (
        "postgresql://USER:PASSWORD@ep-NAME-pooler.REGION.aws.neon.tech/{name}?sslmode=require",
        "Neon console > project > Connection details (pooled connection string; Neon requires TLS)",
    ),
    ("supabase", "postgres"): (
        "postgresql://postgres.PROJECT_REF:PASSWORD@aws-0-REGION.pooler.supabase.com:6543/postgres?sslmode=require",
        "Supabase > Project settings > Database > Connection pooling (transaction mode, port 6543)",
    ),
    ("render", "postgres"): (
        "postgresql://USER:PASSWORD@dpg-ID-a/{name}",
        "Render > the PostgreSQL instance > Connections > Internal Database URL (same region only)",
    ),
    ("fly", "postgres"): (
        "postgresql://USER:PASSWORD@pgbouncer.CLUSTER.flympg.net/{name}",
        "`fly mpg attach` sets it on the app; or Fly.io dashboard > Managed Postgres > Connect",
    ),
    ("railway", "postgres"): (
        "postgresql://postgres:PASSWORD@postgres.railway.internal:5432/railway",
        "Railway > Postgres service > Variables > DATABASE_URL (private network URL)",
    ),
    ("aws", "postgres"): (
        "postgresql://USER:PASSWORD@{name}.ID.REGION.rds.amazonaws.com:5432/{name}?sslmode=require",
        "AWS console > RDS > the instance > Connectivity & security (endpoint); password in Secrets Manager",
    ),
    ("upstash", "redis"): (
        "rediss://default:PASSWORD@NAME.upstash.io:6379",
        "Upstash console > the database > Connect > redis-cli URL (TLS: rediss://)",
    ),
    ("railway", "redis"): (
        "redis://default:PASSWORD@redis.railway.internal:6379",
        "Railway > Redis service > Variables > REDIS_URL (private network URL)",
    ),
    ("render", "redis"): (
        "redis://red-ID:6379",
        "Render > the Key Value instance > Connections > Internal Key Value URL",
    ),
    ("aws", "redis"): (
        "rediss://NAME.ID.cache.amazonaws.com:6379",
        "AWS console > ElastiCache > the cache > Primary endpoint (in-transit encryption on)",
    ),
    ("fly", "redis"): (
        "rediss://default:PASSWORD@fly-NAME.upstash.io:6379",
        "`fly redis status NAME` (Upstash Redis through Fly.io)",
    ),
    ("upstash", "kv"): (
        "https://NAME.upstash.io",
        "Upstash console > the database > REST API > UPSTASH_REDIS_REST_URL (token below)",
    ),
    ("aws", "queue"): (
        "https://sqs.REGION.amazonaws.com/ACCOUNT_ID/{name}",
        "AWS console > SQS > the queue > URL",
    ),
}

_GENERIC = {
    "postgres": (
        "postgresql://USER:PASSWORD@HOST:5432/{name}",
        "your PostgreSQL provider's connection string",
    ),
    "sqlite": ("file:./data/{name}.db", "a local file, or the provider's database binding"),
    "redis": ("redis://default:PASSWORD@HOST:6379", "your Redis provider's connection URL"),
    "kv": ("https://HOST", "your KV provider's endpoint"),
    "queue": ("https://HOST/{name}", "your queue provider's endpoint"),
}

_S3: dict[str, tuple[str, str, str]] = {
    # provider -> (endpoint, region, where to get keys)
    "cloudflare": (
        "https://ACCOUNT_ID.r2.cloudflarestorage.com",
        "auto",
        "Cloudflare dashboard > R2 > Manage R2 API tokens (Object Read & Write on the bucket)",
    ),
    "aws": (
        "https://s3.REGION.amazonaws.com",
        "REGION",
        "AWS IAM > a user or role with access to the bucket",
    ),
    "supabase": (
        "https://PROJECT_REF.supabase.co/storage/v1/s3",
        "REGION",
        "Supabase > Project settings > Storage > S3 access keys",
    ),
}

_EXTERNAL: dict[tuple[str, str], list[tuple[str, str, str]]] = {
    ("email", "resend"): [
        ("RESEND_API_KEY", "your-resend-api-key", "Resend > API Keys (sending access, one domain)"),
        ("EMAIL_FROM", "noreply@YOUR-DOMAIN", "a sender on the domain you verified in Resend"),
    ],
    ("email", "brevo"): [
        ("SMTP_HOST", "smtp-relay.brevo.com", "Brevo > SMTP & API > SMTP"),
        ("SMTP_PORT", "587", "Brevo SMTP relay port (STARTTLS)"),
        ("SMTP_USER", "your-brevo-smtp-login", "Brevo > SMTP & API > SMTP login"),
        ("SMTP_PASSWORD", "your-brevo-smtp-key", "Brevo > SMTP & API > Generate a new SMTP key"),
        ("EMAIL_FROM", "noreply@YOUR-DOMAIN", "a sender verified in Brevo"),
    ],
    ("messaging", "meta"): [
        (
            "WHATSAPP_ACCESS_TOKEN",
            "your-system-user-access-token",
            "Meta Business > System users > generate token (whatsapp_business_messaging)",
        ),
        (
            "WHATSAPP_PHONE_NUMBER_ID",
            "your-phone-number-id",
            "Meta App > WhatsApp > API setup > Phone number ID",
        ),
        (
            "WHATSAPP_VERIFY_TOKEN",
            "choose-a-webhook-verify-token",
            "any string; enter the same in the app's webhook settings",
        ),
        (
            "WHATSAPP_APP_SECRET",
            "your-app-secret",
            "Meta App > App settings > Basic > App secret (verifies webhook signatures)",
        ),
    ],
    ("error_tracking", "sentry"): [
        (
            "SENTRY_DSN",
            "https://PUBLIC_KEY@ORG_ID.ingest.sentry.io/PROJECT_ID",
            "Sentry > project settings > Client Keys (DSN)",
        ),
    ],
    ("error_tracking", "betterstack"): [
        (
            "SENTRY_DSN",
            "https://TOKEN@HOST.betterstackdata.com/PROJECT_ID",
            "Better Stack > Errors > application > Sentry-compatible DSN",
        ),
    ],
    ("logging", "betterstack"): [
        (
            "BETTERSTACK_SOURCE_TOKEN",
            "your-source-token",
            "Better Stack > Telemetry > Sources > the source > token",
        ),
        ("BETTERSTACK_INGEST_HOST", "in.logs.betterstack.com", "shown next to the source token"),
    ],
    ("logging", "grafana"): [
        (
            "LOKI_URL",
            "https://logs-prod-NNN.grafana.net/loki/api/v1/push",
            "Grafana Cloud > Loki > Details (URL)",
        ),
        ("LOKI_USER", "your-loki-user-id", "Grafana Cloud > Loki > Details (user)"),
        (
            "LOKI_API_KEY",
            "your-grafana-cloud-access-policy-token",
            "Grafana Cloud > Access policies > token with logs:write",
        ),
    ],
    ("turn", "metered"): [
        (
            "TURN_URLS",
            "turn:NAME.metered.live:80,turns:NAME.metered.live:443?transport=tcp",
            "Metered dashboard > TURN server > credentials",
        ),
        ("TURN_USERNAME", "your-turn-username", "Metered dashboard > TURN credentials"),
        ("TURN_CREDENTIAL", "your-turn-credential", "Metered dashboard > TURN credentials"),
    ],
    ("turn", "cloudflare"): [
        ("TURN_KEY_ID", "your-turn-key-id", "Cloudflare dashboard > Realtime > TURN Server > create key"),
        (
            "TURN_KEY_API_TOKEN",
            "your-turn-key-api-token",
            "shown once when the TURN key is created; the server mints short-lived credentials with it",
        ),
    ],
    ("turn", "twilio"): [
        ("TWILIO_ACCOUNT_SID", "your-twilio-account-sid", "Twilio console > Account info"),
        (
            "TWILIO_AUTH_TOKEN",
            "your-twilio-auth-token",
            "Twilio console > Account info (the server fetches Network Traversal tokens)",
        ),
    ],
    ("turn", "openrelay"): [
        ("TURN_URLS", "turn:openrelay.metered.ca:80", "OpenRelay public TURN (testing only)"),
        ("TURN_USERNAME", "openrelayproject", "OpenRelay's public username"),
        ("TURN_CREDENTIAL", "openrelayproject", "OpenRelay's public credential"),
    ],
}


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
    add(
        "SECRET_KEY" if "python" in runtimes else "JWT_SECRET",
        "change-me-generate-with-openssl-rand-hex-32",
        "session/JWT signing secret: generate with `openssl rand -hex 32`, one per environment",
    )
    for st in dep.stores:
        name = slug(st.name).replace("-", "_")
        if st.kind == "object_storage":
            endpoint, region, where = _S3.get(
                st.provider, ("https://S3-ENDPOINT", "REGION", "your storage provider's access keys")
            )
            prefix = st.env.removesuffix("S3_ENDPOINT")
            add(
                f"{prefix}S3_ENDPOINT",
                endpoint,
                f"{st.name}: S3 API endpoint ({st.provider})",
                False,
                component=st.name,
            )
            add(
                f"{prefix}S3_REGION",
                region,
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
            add(f"{prefix}S3_ACCESS_KEY_ID", "your-access-key-id", f"{st.name}: {where}", component=st.name)
            add(
                f"{prefix}S3_SECRET_ACCESS_KEY",
                "your-secret-access-key",
                f"{st.name}: {where}",
                component=st.name,
            )
            continue
        if (st.provider, st.kind) == ("cloudflare", "kv") or (
            st.provider == "cloudflare" and st.kind in ("queue", "sqlite")
        ):
            continue  # bound in wrangler.toml, not an address
        placeholder, where = _STORE.get((st.provider, st.kind), _GENERIC[st.kind])
        add(
            st.env,
            placeholder.format(name=name),
            f"{st.name} ({st.provider} {st.plan}): {where}",
            component=st.name,
        )
        if (st.provider, st.kind) == ("upstash", "kv"):
            add(
                st.env.replace("_URL", "_TOKEN"),
                "your-upstash-rest-token",
                f"{st.name}: Upstash REST API token",
                component=st.name,
            )
    for comp, provider in dep.externals.items():
        kind = planner.profile.components[comp].kind
        for name, placeholder, where in _EXTERNAL.get((kind, provider), []):
            add(name, placeholder, f"{comp} ({provider}): {where}", component=comp)
    return out
