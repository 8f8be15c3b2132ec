"""Steps for SaaS components (email, messaging, error tracking, logging, uptime, TURN, sign-in,
scheduled jobs).

A plan change is a dashboard change; a move signs up with the new provider, sets its credentials
(the names of the new phase's .env.example) on every code host, checks they work (the provider's
own check from `Platform.verify`, else one by kind) and closes the old account after the rollback
window.
"""

from __future__ import annotations

from ..platforms import platform
from ..profile import WebService
from .capacity import plan_step
from .context import Build, spread
from .model import Change, Step

__all__ = ["saas_steps"]


def _verify(b: Build, comp: str, kind: str, provider: str) -> tuple[list[str], list[str]]:
    """(commands, manual) that show the new service works."""
    if kind == "error_tracking" and "SENTRY_DSN" in b.env_new:
        return [
            f'SENTRY_DSN={b.new_ref("SENTRY_DSN")} sentry-cli send-event --message "tierplan runbook: {comp} now reports to {provider}"'
        ], []
    own = platform(provider).verify(b, comp, kind, b.env_new)
    if own is not None:
        return own.verify, own.manual
    if kind == "uptime":
        return b.web_checks(), [f"{b.name_of(provider)}: the new monitors show up"]
    if kind == "turn":
        return [], ["make a test call from a network that blocks UDP (it must relay through TURN)"]
    return b.web_checks(), []


def saas_steps(b: Build, ch: Change) -> None:
    """The steps of one changed SaaS component."""
    comp = ch.component
    budget = b.hours(ch.kind, ch.category) * 60
    if ch.category != "move":
        st = plan_step(b, ch)
        cmds, manual = _verify(b, comp, ch.kind, ch.new.provider)
        st.verify += cmds
        st.manual += manual
        spread([st], budget)
        b.steps.append(st)
        return
    new_names = [v.name for v in b.dep_new.env if v.component == comp]
    old_names = [v.name for v in b.dep_old.env if v.component == comp]
    for n in new_names:
        b.switched.add(n)
    fwd, fwd_manual, back, back_manual = b.switch_env(new_names)
    verify, verify_manual = _verify(b, comp, ch.kind, ch.new.provider)
    code = ""
    if set(new_names) != set(old_names):
        gone = sorted(set(old_names) - set(new_names))
        code = (
            f" The app must read {', '.join(new_names) or 'the new settings'}"
            + (f" instead of {', '.join(gone)}" if gone else "")
            + ": ship that code change with this step."
        )
    after_back: list[str] = []
    if ch.kind == "uptime":
        webs = [c for c, h in b.hosts_new.items() if h.kind == "web_service"]
        urls = []
        for c in webs:
            svc = b.p.components[c]
            urls.append(
                f"https://${b.tok(c)}_DOMAIN{svc.health_path if isinstance(svc, WebService) else '/'}"
            )
        for c in webs:
            b.domain(c)
        fwd_manual = [f"{ch.new.provider_name}: create a monitor for {u}" for u in urls] or [
            f"{ch.new.provider_name}: create the monitors"
        ]
        back_manual = [f"{ch.old.provider_name}: keep (or re-enable) the old monitors"]
    elif ch.kind == "auth":
        fwd_manual = fwd_manual + [
            f"Export the users from {ch.old.provider_name} and import them into {ch.new.provider_name} (with their "
            "password hashes where both allow it; otherwise users reset their passwords or sign in again with "
            "a social login); sessions issued by the old provider end at the switch"
        ]
        after_back = [f"Copy the users created on {ch.new.provider_name} since the switch back to {ch.old.provider_name}"]
    elif ch.kind == "scheduled_job":
        fwd_manual = fwd_manual + [
            f"Create the schedule on {ch.new.provider_name} (DEPLOY.md of the new phase: Scheduled jobs), then "
            f"disable it on {ch.old.provider_name} so no run happens twice"
        ]
        back_manual = back_manual + [f"Re-enable the schedule on {ch.old.provider_name} and disable the new one"]
    if ch.kind != "uptime" and set(new_names) != set(old_names):
        back_manual = back_manual + [
            "Redeploy the previous release of the app"
            + (
                f" (it reads {', '.join(old_names)}, which stay set until the clean-up step)"
                if old_names
                else ""
            )
        ]
    back_manual = back_manual + after_back
    steps = [
        Step(
            f"Switch {comp} from {ch.old.provider_name} to {ch.new.provider_name} {ch.new.plan_name}",
            b.why(ch, f"phase {b.k_to} uses {ch.new.label}") + "." + code,
            fwd,
            verify,
            back,
            0.0,
            (comp,),
            "switch",
            (
                [
                    f"{ch.new.provider_name}: sign up for {ch.new.plan_name} and create the credentials ({', '.join(new_names)})"
                ]
                if new_names
                else []
            )
            + fwd_manual,
            back_manual,
        )
    ]
    if verify_manual:
        steps[0].manual += [f"check: {m}" for m in verify_manual]
    days = b.a["migration.rollback_window_days"]
    gone = sorted(set(old_names) - set(new_names))
    rm: list[str] = []
    for h in b.env_targets(include_old=False):
        rm += platform(h.provider).unset_env(h, gone)
    steps.append(
        Step(
            f"Close {comp} on {ch.old.provider_name}",
            f"after {days:g} days without a rollback: remove the old credentials and the account or plan",
            rm,
            verify,
            [],
            0.0,
            (comp,),
            "cleanup",
            [
                f"{ch.old.provider_name}: revoke the old credentials and cancel {ch.old.plan_name} (or delete the project)"
            ],
            [
                f"none: {ch.old.provider_name} can be set up again from the phase {b.k_from} settings if it is ever needed"
            ],
        )
    )
    spread(steps, budget)
    b.steps += steps
