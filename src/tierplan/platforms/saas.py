"""Providers that host none of the app's code or data: services the app calls through an API
(email, messaging, error tracking, logging, uptime checks, TURN relays, sign-in) or that call the
app on a schedule (GitHub Actions schedules).

They have no deploy platform, so their adapter is the generic one (`Saas` is `Generic` with data):
where their plans are changed, the credentials the app needs (names, shapes, where to get them)
and, for some, a command that shows new credentials work. Nothing here runs or deploys anything.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping

from ..yamltext import workflow_yaml
from .base import GENERATED, Cmds, Generic, Setting, Shell, bare, slug

__all__ = ["Saas", "SAAS"]


class Saas(Generic):
    """The generic adapter with what tierplan knows about a SaaS provider."""

    def __init__(
        self,
        provider: str,
        plan_page: str | None = None,
        credentials: Mapping[str, list[Setting]] | None = None,
    ) -> None:
        super().__init__(provider)
        self.plan_page = plan_page
        self.credentials = dict(credentials or {})

    def settings(self, kind: str, var: str, public: bool = False) -> list[Setting]:
        return list(self.credentials.get(kind, [])) or super().settings(kind, var, public)


def _s(name: str, placeholder: str, where: str) -> Setting:
    return Setting(placeholder, where, name)


class _Resend(Saas):
    def verify(self, sh: Shell, comp: str, kind: str, names: Collection[str]) -> Cmds | None:
        if kind == "email" and "RESEND_API_KEY" in names:
            key = bare(sh.new_ref("RESEND_API_KEY"))
            return Cmds(
                verify=[
                    f'curl --fail --silent --show-error --header "Authorization: Bearer {key}" '
                    "https://api.resend.com/domains | jq '.data[] | {name, status}'"
                ]
            )
        return None


class _Grafana(Saas):
    def verify(self, sh: Shell, comp: str, kind: str, names: Collection[str]) -> Cmds | None:
        if kind == "logging" and "LOKI_URL" in names:
            user, key, url = (
                bare(sh.new_ref("LOKI_USER")),
                bare(sh.new_ref("LOKI_API_KEY")),
                sh.new_ref("LOKI_URL"),
            )
            return Cmds(
                manual=['Grafana Cloud > Explore > Loki: {app="' + sh.app + '"} shows the test line'],
                verify=[
                    f"curl --fail --silent --show-error --user \"{user}:{key}\" --header 'Content-Type: application/json' "
                    f'--data "{{\\"streams\\": [{{\\"stream\\": {{\\"app\\": \\"{sh.app}\\"}}, \\"values\\": '
                    f'[[\\"$(date +%s)000000000\\", \\"tierplan runbook: log shipping test\\"]]}}]}}" {url}'
                ],
            )
        return None


class _BetterStack(Saas):
    def verify(self, sh: Shell, comp: str, kind: str, names: Collection[str]) -> Cmds | None:
        if kind == "logging" and "BETTERSTACK_SOURCE_TOKEN" in names:
            tok = bare(sh.new_ref("BETTERSTACK_SOURCE_TOKEN"))
            host = sh.current("BETTERSTACK_INGEST_HOST")
            return Cmds(
                manual=["Better Stack > Telemetry > Live tail shows the test line"],
                verify=[
                    f"curl --fail --silent --show-error --header \"Authorization: Bearer {tok}\" --header 'Content-Type: application/json' "
                    f'--data \'{{"message": "tierplan runbook: log shipping test"}}\' "https://{bare(host)}"'
                ],
            )
        return None


class _Meta(Saas):
    def verify(self, sh: Shell, comp: str, kind: str, names: Collection[str]) -> Cmds | None:
        if kind == "messaging" and "WHATSAPP_ACCESS_TOKEN" in names:
            token = bare(sh.new_ref("WHATSAPP_ACCESS_TOKEN"))
            phone = bare(sh.new_ref("WHATSAPP_PHONE_NUMBER_ID"))
            return Cmds(
                verify=[
                    f'curl --fail --silent --show-error --header "Authorization: Bearer {token}" '
                    f'"https://graph.facebook.com/v21.0/{phone}"'
                ]
            )
        return None


#: the shared secret a scheduler sends to the app's job endpoint (Cloudflare Cron Triggers, GitHub
#: Actions schedules); hosts that run the job's own code (Render, Railway cron) need none
CRON_SECRET = _s(
    "CRON_SECRET",
    "change-me-generate-with-openssl-rand-hex-32",
    "shared secret the scheduler sends to the app's job endpoint (Authorization: Bearer): generate with "
    "`openssl rand -hex 32`; set it on the app and on the scheduler",
)

class _GitHub(Saas):
    def schedule_setup(self, app: str, job: str, cron: str) -> str:
        return (
            f"`.github/workflows/{slug(job)}.yml` (generated) runs on `{cron}` (UTC, at least 5 minutes apart) and "
            f"POSTs to `$APP_URL/jobs/{job}` with `Authorization: Bearer` CRON_SECRET: set the secret and the "
            "variable APP_URL (`gh variable set APP_URL --env production`, the app's public URL); runs may start "
            "late or be dropped under load"
        )

    def schedule_files(self, title: str, phase: int | None, job: str, cron: str, seconds_per_run: float) -> dict[str, str]:
        minutes = min(360, math.ceil(seconds_per_run / 60) + 5)
        call = (
            f'curl --fail --silent --show-error --max-time {math.ceil(seconds_per_run) + 60} --retry 2 '
            f'-X POST -H "Authorization: Bearer $CRON_SECRET" "$APP_URL/jobs/{job}"'
        )
        doc = {
            "name": f"Scheduled job {job}",
            "on": {"schedule": [{"cron": cron}], "workflow_dispatch": None},
            "permissions": {"contents": "read"},
            "concurrency": {"group": f"job-{slug(job)}", "cancel-in-progress": False},
            "jobs": {
                "run": {
                    "runs-on": "ubuntu-latest",
                    "environment": "production",
                    "timeout-minutes": minutes,
                    "steps": [
                        {
                            "name": f"Run {job} on the app",
                            "env": {"CRON_SECRET": "${{ secrets.CRON_SECRET }}", "APP_URL": "${{ vars.APP_URL }}"},
                            "run": call,
                        }
                    ],
                }
            },
        }
        head = (
            f"# {GENERATED} for {title}, phase {phase}: runs the scheduled job {job} on `{cron}` (UTC)\n"
            "# by calling the app's job endpoint. GitHub may start a scheduled run late or drop it under load.\n"
        )
        return {f".github/workflows/{slug(job)}.yml": head + workflow_yaml(doc)}


_TURN_PUBLIC = [
    _s("TURN_URLS", "turn:openrelay.metered.ca:80", "OpenRelay public TURN (testing only)"),
    _s("TURN_USERNAME", "openrelayproject", "OpenRelay's public username"),
    _s("TURN_CREDENTIAL", "openrelayproject", "OpenRelay's public credential"),
]

#: the SaaS providers tierplan knows, by catalog provider id
SAAS: dict[str, Saas] = {
    "resend": _Resend(
        "resend",
        "Resend dashboard > Settings > Billing",
        {
            "email": [
                _s("RESEND_API_KEY", "your-resend-api-key", "Resend > API Keys (sending access, one domain)"),
                _s("EMAIL_FROM", "noreply@YOUR-DOMAIN", "a sender on the domain you verified in Resend"),
            ]
        },
    ),
    "brevo": Saas(
        "brevo",
        "Brevo > My plan",
        {
            "email": [
                _s("SMTP_HOST", "smtp-relay.brevo.com", "Brevo > SMTP & API > SMTP"),
                _s("SMTP_PORT", "587", "Brevo SMTP relay port (STARTTLS)"),
                _s("SMTP_USER", "your-brevo-smtp-login", "Brevo > SMTP & API > SMTP login"),
                _s("SMTP_PASSWORD", "your-brevo-smtp-key", "Brevo > SMTP & API > Generate a new SMTP key"),
                _s("EMAIL_FROM", "noreply@YOUR-DOMAIN", "a sender verified in Brevo"),
            ]
        },
    ),
    "meta": _Meta(
        "meta",
        None,
        {
            "messaging": [
                _s(
                    "WHATSAPP_ACCESS_TOKEN",
                    "your-system-user-access-token",
                    "Meta Business > System users > generate token (whatsapp_business_messaging)",
                ),
                _s(
                    "WHATSAPP_PHONE_NUMBER_ID",
                    "your-phone-number-id",
                    "Meta App > WhatsApp > API setup > Phone number ID",
                ),
                _s(
                    "WHATSAPP_VERIFY_TOKEN",
                    "choose-a-webhook-verify-token",
                    "any string; enter the same in the app's webhook settings",
                ),
                _s(
                    "WHATSAPP_APP_SECRET",
                    "your-app-secret",
                    "Meta App > App settings > Basic > App secret (verifies webhook signatures)",
                ),
            ]
        },
    ),
    "sentry": Saas(
        "sentry",
        "Sentry > Settings > Subscription",
        {
            "error_tracking": [
                _s(
                    "SENTRY_DSN",
                    "https://PUBLIC_KEY@ORG_ID.ingest.sentry.io/PROJECT_ID",
                    "Sentry > project settings > Client Keys (DSN)",
                )
            ]
        },
    ),
    "betterstack": _BetterStack(
        "betterstack",
        "Better Stack > Billing",
        {
            "error_tracking": [
                _s(
                    "SENTRY_DSN",
                    "https://TOKEN@HOST.betterstackdata.com/PROJECT_ID",
                    "Better Stack > Errors > application > Sentry-compatible DSN",
                )
            ],
            "logging": [
                _s(
                    "BETTERSTACK_SOURCE_TOKEN",
                    "your-source-token",
                    "Better Stack > Telemetry > Sources > the source > token",
                ),
                _s("BETTERSTACK_INGEST_HOST", "in.logs.betterstack.com", "shown next to the source token"),
            ],
        },
    ),
    "grafana": _Grafana(
        "grafana",
        "Grafana Cloud portal > Billing > Plan",
        {
            "logging": [
                _s(
                    "LOKI_URL",
                    "https://logs-prod-NNN.grafana.net/loki/api/v1/push",
                    "Grafana Cloud > Loki > Details (URL)",
                ),
                _s("LOKI_USER", "your-loki-user-id", "Grafana Cloud > Loki > Details (user)"),
                _s(
                    "LOKI_API_KEY",
                    "your-grafana-cloud-access-policy-token",
                    "Grafana Cloud > Access policies > token with logs:write",
                ),
            ]
        },
    ),
    "uptimerobot": Saas("uptimerobot", "UptimeRobot dashboard > Upgrade"),
    "metered": Saas(
        "metered",
        "Metered dashboard > Billing",
        {
            "turn": [
                _s(
                    "TURN_URLS",
                    "turn:NAME.metered.live:80,turns:NAME.metered.live:443?transport=tcp",
                    "Metered dashboard > TURN server > credentials",
                ),
                _s("TURN_USERNAME", "your-turn-username", "Metered dashboard > TURN credentials"),
                _s("TURN_CREDENTIAL", "your-turn-credential", "Metered dashboard > TURN credentials"),
            ]
        },
    ),
    "twilio": Saas(
        "twilio",
        None,
        {
            "turn": [
                _s("TWILIO_ACCOUNT_SID", "your-twilio-account-sid", "Twilio console > Account info"),
                _s(
                    "TWILIO_AUTH_TOKEN",
                    "your-twilio-auth-token",
                    "Twilio console > Account info (the server fetches Network Traversal tokens)",
                ),
            ]
        },
    ),
    "clerk": Saas(
        "clerk",
        "Clerk Dashboard > Billing",
        {
            "auth": [
                _s("CLERK_PUBLISHABLE_KEY", "pk_live_YOUR-PUBLISHABLE-KEY", "Clerk Dashboard > API keys (production instance)"),
                _s("CLERK_SECRET_KEY", "sk_live_YOUR-SECRET-KEY", "Clerk Dashboard > API keys (production instance)"),
            ]
        },
    ),
    "auth0": Saas(
        "auth0",
        "Auth0 Dashboard > Settings > Subscription",
        {
            "auth": [
                _s("AUTH0_DOMAIN", "YOUR-TENANT.eu.auth0.com", "Auth0 Dashboard > Applications > the application > Domain"),
                _s("AUTH0_CLIENT_ID", "your-auth0-client-id", "Auth0 Dashboard > Applications > the application > Client ID"),
                _s(
                    "AUTH0_CLIENT_SECRET",
                    "your-auth0-client-secret",
                    "Auth0 Dashboard > Applications > the application > Client Secret",
                ),
            ]
        },
    ),
    "firebase": Saas(
        "firebase",
        "Firebase console > Usage and billing",
        {
            "auth": [
                _s("FIREBASE_PROJECT_ID", "your-firebase-project-id", "Firebase console > Project settings > General"),
                _s("FIREBASE_API_KEY", "your-firebase-web-api-key", "Firebase console > Project settings > General > Web API key"),
                _s(
                    "FIREBASE_SERVICE_ACCOUNT",
                    "base64-of-the-service-account-json",
                    "Firebase console > Project settings > Service accounts > Generate new private key (server-side token checks)",
                ),
            ]
        },
    ),
    "github": _GitHub("github", "GitHub > Settings > Billing and licensing", {"scheduled_job": [CRON_SECRET]}),
    # OpenRelay's public TURN servers (a provider id a custom catalog may use; testing only)
    "openrelay": Saas("openrelay", None, {"turn": _TURN_PUBLIC}),
}
