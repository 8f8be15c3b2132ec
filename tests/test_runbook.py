"""`tierplan runbook`: the migration runbook between two phases of the plan.

For every example and every pair of consecutive phases: the runbook is produced, each shell block
passes shellcheck, exactly the components that change get steps, and the Markdown matches its
golden file (tests/golden/runbook/<example>-<from>-<to>.md; rewrite with --update-goldens).
"""

from __future__ import annotations

import difflib
import functools
import json
import re
from pathlib import Path

import pytest
import yaml

from tierplan.api import make_planner
from tierplan.engine.plan import plan as make_plan
from tierplan.engine.planner import Planner
from tierplan.engine.result import Phase, Plan
from tierplan.runbook import (
    Runbook,
    build_runbook,
    choose_db_method,
    dump_restore_minutes,
    render_markdown,
    runbook,
    runbook_json,
)

from .conftest import EXAMPLES, ROOT
from .test_cli import run as run_cli
from .validators import run, tool

GOLDEN = Path(__file__).parent / "golden" / "runbook"
NAMES = sorted(p.stem for p in EXAMPLES.glob("*.yaml"))
FIELDS = ("provider", "plan", "size", "region")


@functools.cache
def _planner(name: str) -> Planner:
    return make_planner(EXAMPLES / f"{name}.yaml")


@functools.cache
def _plan(name: str) -> Plan:
    return make_plan(_planner(name))


def _phases(name: str) -> list[Phase]:
    return list(_plan(name).phases)


def _normalise(text: str) -> str:
    return text.replace(str(ROOT) + "/", "")


def _sh_blocks(md: str) -> list[str]:
    return re.findall(r"^```sh\n(.*?)^```$", md, re.S | re.M)


def _shellcheck(blocks: list[str], where: Path) -> list[str]:
    """shellcheck findings for each block (written as a bash script); empty when all pass."""
    files = []
    for i, block in enumerate(blocks):
        f = where / f"block-{i:03d}.sh"
        f.write_text("#!/usr/bin/env bash\n" + block)
        files.append(f)
    if not files:
        return []
    r = run([tool("shellcheck"), "--format", "gcc", *map(str, files)])
    if r.returncode == 0:
        return []
    out = []
    for line in r.stdout.splitlines():
        m = re.match(r"(.*?block-(\d+)\.sh):(\d+):", line)
        if m:
            n, ln = int(m.group(2)), int(m.group(3))
            src = (blocks[n].splitlines() or [""])[max(0, ln - 2)][:200]
            out.append(f"block {n} line {ln - 1}: {line.split(': ', 1)[-1]}\n    {src}")
    return out or [r.stdout + r.stderr]


def _placement(ph: Phase, comp: str, where: str) -> tuple[object, ...]:
    ev = (ph.stack_start if where == "start" else ph.stack_end).choices[comp]
    o = ev.option
    return (
        o.provider,
        o.plan.plan.id,
        o.size.id if o.size else None,
        o.region.id if o.region else None,
        ev.instances,
    )


def _changed(old: Phase, new: Phase) -> set[str]:
    """Components whose provider, plan, size, region or instance count differ between the end of
    ``old`` and the start or end of ``new`` (computed here independently of tierplan.runbook)."""
    out = set()
    for comp in old.stack_end.choices:
        a = _placement(old, comp, "end")
        if a != _placement(new, comp, "start") or a != _placement(new, comp, "end"):
            out.add(comp)
    return out


def _what_changes_rows(md: str) -> set[str]:
    section = md.split("## What changes", 1)[1].split("\n## ", 1)[0] if "## What changes" in md else ""
    return {m.group(1) for m in re.finditer(r"^\| ([a-z][a-z0-9_-]*) \|", section, re.M)} - {"component"}


# --------------------------------------------------------------------------- every example
@pytest.mark.parametrize("name", NAMES)
def test_runbook_for_every_consecutive_pair(name: str, tmp_path: Path) -> None:
    phases = _phases(name)
    assert len(phases) >= 2, f"{name}: the plan has one phase, nothing to migrate"
    problems: list[str] = []
    for k in range(1, len(phases)):
        rb = runbook(_planner(name), _plan(name), k)
        md = render_markdown(rb)
        where = tmp_path / f"{k}"
        where.mkdir()
        blocks = _sh_blocks(md)
        assert blocks, f"{name} {k}->{k + 1}: no shell commands at all"
        problems += [f"{name} {k}->{k + 1}: {p}" for p in _shellcheck(blocks, where)]
        changed = _changed(phases[k - 1], phases[k])
        assert changed, f"{name} {k}->{k + 1}: consecutive phases with nothing different"
        assert {c.component for c in rb.changes} == changed
        assert _what_changes_rows(md) == changed
        with_steps = {c for s in rb.steps for c in s.components}
        assert with_steps == changed, f"{name} {k}->{k + 1}: steps for {with_steps}, changes {changed}"
        for comp in changed:
            assert f"| {comp} |" in md
        for comp in set(phases[0].stack_end.choices) - changed:
            assert comp in rb.unchanged
            assert not any(comp in s.components for s in rb.steps)
        for s in rb.steps:
            assert s.title and s.why and s.minutes_estimate > 0
            if s.changes_something and s.stage != "cleanup":
                assert s.rollback or s.rollback_manual, f"{name} {k}: step {s.title!r} has no rollback"
            if s.stage == "cleanup":
                assert s.rollback_manual, f"{name} {k}: clean-up {s.title!r} says nothing about undoing it"
        _no_fake_secrets(md)
    assert not problems, "shellcheck:\n" + "\n".join(problems[:40])


def _no_fake_secrets(md: str) -> None:
    """Values the plan cannot know are shell variables, never placeholders that look like secrets."""
    for block in _sh_blocks(md):
        for bad in ("PASSWORD@", "your-", "change-me", "sk_live", "xxxx"):
            assert bad not in block, f"placeholder {bad!r} in a command:\n{block}"


@pytest.mark.parametrize("name", NAMES)
def test_runbook_golden_files(name: str, update_goldens: bool) -> None:
    phases = _phases(name)
    GOLDEN.mkdir(parents=True, exist_ok=True)
    diffs = []
    expected = set()
    for k in range(1, len(phases)):
        got = _normalise(render_markdown(runbook(_planner(name), _plan(name), k)))
        path = GOLDEN / f"{name}-{k}-{k + 1}.md"
        expected.add(path.name)
        if update_goldens or not path.exists():
            path.write_text(got, encoding="utf-8")
            if not update_goldens:
                diffs.append(f"{path.name} was missing and has been written; review and commit it")
            continue
        want = path.read_text(encoding="utf-8")
        if got != want:
            d = "".join(
                difflib.unified_diff(want.splitlines(True), got.splitlines(True), path.name, "actual", n=2)
            )
            diffs.append(d[:3000])
    stale = {p.name for p in GOLDEN.glob(f"{name}-*.md")} - expected
    if stale and update_goldens:
        for s in stale:
            (GOLDEN / s).unlink()
    elif stale:
        diffs.append(f"golden files for phase pairs the plan no longer has: {sorted(stale)}")
    assert not diffs, (
        "runbook differs from its golden file (rerun with --update-goldens if intended):\n" + "\n".join(diffs)
    )


# --------------------------------------------------------------------------- choices
def test_dump_restore_estimate_by_hand() -> None:
    # 12.5 GB at 2 min/GB plus a 5-minute cut-over
    assert dump_restore_minutes(12.5, 2, 5) == pytest.approx(30.0)
    method, copy, freeze, why = choose_db_method(4.0, False, 10, 2, 5)
    assert (method, copy, freeze) == ("dump_restore", pytest.approx(8.0), pytest.approx(13.0))
    assert "13 min" in why
    method, copy, freeze, why = choose_db_method(12.5, False, 10, 2, 5)
    assert (method, copy, freeze) == ("logical_replication", pytest.approx(25.0), pytest.approx(5.0))
    assert "30 min" in why and "dump_restore_max_gb" in why
    # zero downtime required: replication even for a small database
    method, _, freeze, why = choose_db_method(1.0, True, 10, 2, 5)
    assert method == "logical_replication" and freeze == pytest.approx(5.0) and "zero downtime" in why


def _amebo_to_200k(directory: Path, **assumptions: float) -> Planner:
    """Amebo planned to 200,000 users: its database's move from Neon to Supabase at 72,417 users
    pays back then (to 100,000 the plan keeps Neon: the move into the last phase would have to
    take the cache along and no longer pays back)."""
    data = yaml.safe_load((EXAMPLES / "amebo.yaml").read_text())
    data["scale"]["stages"] = [*data["scale"]["stages"], 200_000]
    if assumptions:
        data["assumptions"] = dict(assumptions)
    prof = directory / "amebo.yaml"
    prof.write_text(yaml.safe_dump(data, sort_keys=False))
    return make_planner(prof)


def test_database_move_estimate_uses_the_demand_and_the_assumptions(tmp_path: Path) -> None:
    """Amebo (planned to 200,000 users) moves its database from Neon to Supabase at 72,417 users
    with 70.7 GB; with a profile that accepts dump/restore up to 100 GB, the freeze is
    5 + 70.72 x 2 = 146.4 minutes (the same downtime the plan's move estimate counts)."""
    planner = _amebo_to_200k(tmp_path, **{"migration.dump_restore_max_gb": 100})
    p = make_plan(planner)
    # the phase the database moves into (its number counts the phases before it)
    n = next(i for i, ph in enumerate(p.phases) if ph.start == 72_417) + 1
    rb = runbook(planner, p, n - 1, n)
    (dm,) = rb.data_moves
    gb = 72_417 * 1 / 1024  # storage_mb_per_unit: 1 at the first unit of that phase
    assert dm.component == "db" and dm.method == "dump_restore"
    assert dm.storage_gb == pytest.approx(gb, rel=1e-3)
    assert dm.downtime_minutes == pytest.approx(5 + 2 * gb, rel=1e-3)
    ((move,),) = [[m for m in rb.moves]]
    (db_work,) = [w for w in move.work if w[0] == "db"]
    assert db_work == ("db", 6.0, pytest.approx(dm.downtime_minutes), pytest.approx(gb))
    cut = [s for s in rb.steps if s.downtime_minutes]
    assert (
        len(cut) == 1
        and "pg_dump" in "\n".join(cut[0].commands)
        and "pg_restore" in "\n".join(cut[0].commands)
    )
    md = render_markdown(rb)
    assert "~2.0 h" in md and "Maintenance window" in md
    # without the override the same database moves by logical replication
    other = tmp_path / "default"
    other.mkdir()
    planner = _amebo_to_200k(other)
    rb = runbook(planner, make_plan(planner), n - 1, n)
    (dm,) = rb.data_moves
    assert dm.method == "logical_replication" and dm.downtime_minutes == pytest.approx(5.0)
    md = render_markdown(rb)
    assert "CREATE PUBLICATION" in md and "CREATE SUBSCRIPTION" in md and "pg_replication_slots" in md


def test_zero_downtime_profile_replicates_a_small_database() -> None:
    # SuoOps requires zero downtime from 30 users; its 2.9 GB database moves by replication
    rb = runbook(_planner("suoops"), _plan("suoops"), 2, 3)
    (dm,) = rb.data_moves
    assert dm.storage_gb < 10 and dm.method == "logical_replication" and "zero downtime" in dm.reason


def test_same_provider_plan_change_is_one_short_step() -> None:
    rb = runbook(_planner("coop-erp"), _plan("coop-erp"), 1, 2)
    (ch,) = rb.changes
    assert (ch.component, ch.category) == ("db", "plan")
    (step,) = rb.steps
    assert "basic_1gb" in step.commands[0] and "basic_256mb" in step.rollback[0]
    assert not rb.data_moves and step.minutes_estimate == pytest.approx(15)


def test_scale_out_only_runbook_says_so_and_is_short(tmp_path: Path) -> None:
    """Two stacks with the same options at two scales differ only in instance counts."""
    planner = _planner("amebo")
    first = _phases("amebo")[0]
    orders = {c: e.option.order for c, e in first.stack_start.choices.items()}
    a, b = planner.point_with(10_000, orders), planner.point_with(13_000, orders)
    rb = build_runbook(planner, Phase(10_000, 10_000, 10_000, a, a), Phase(13_000, None, 13_000, b, b), 1, 2)
    assert rb.scale_out_only and rb.changes
    assert all(c.category == "scale" for c in rb.changes)
    assert all(s.stage == "capacity" for s in rb.steps) and len(rb.steps) == len(rb.changes)
    md = render_markdown(rb)
    assert "Scale-out only" in md and "flyctl scale count 3" in md
    assert "pg_dump" not in md and "dig " not in md and "Maintenance window" not in md
    assert not _shellcheck(_sh_blocks(md), tmp_path)


def test_a_service_that_changes_host_gets_dns_and_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    # Amebo's realtime server moves from Cloudflare Durable Objects to Fly.io between phases 1 and
    # 2 when the plan may start on what lasts only 30 users (the rule that starts it on Fly.io,
    # moves._start_on_what_lasts, is switched off: no example moves a service to another host now)
    from tierplan.engine import moves

    monkeypatch.setattr(moves, "_start_on_what_lasts", lambda *_args: None)
    planner = make_planner(EXAMPLES / "amebo.yaml")
    rb = runbook(planner, make_plan(planner), 1, 2)
    md = render_markdown(rb)
    stages = [s.stage for s in rb.steps if "realtime" in s.components]
    assert stages.index("deploy") < stages.index("dns") < stages.index("cleanup")
    deploy = next(s for s in rb.steps if s.stage == "deploy")
    cmds = "\n".join(deploy.commands)
    for name in ("JWT_SECRET", "DATABASE_URL", "REDIS_URL", "SENTRY_DSN"):  # phase 2's .env.example names
        assert f"{name}=\"${name}\"" in cmds
    assert "flyctl deploy --remote-only --config fly.realtime.toml --app amebo-realtime" in cmds
    assert 'dig +short CNAME "$REALTIME_DOMAIN"' in md
    assert "DNS TTL" in md and "Delete realtime from cloudflare free" in md
    # api stays on Fly.io: only its count changes, in the app it runs in now
    assert "--app amebo-api" in md


def test_non_consecutive_phases_sum_the_moves() -> None:
    rb = runbook(_planner("amebo"), _plan("amebo"), 1, 3)
    assert [m.phase for m in rb.moves] == [2, 3]
    assert {c.component for c in rb.changes} == _changed(_phases("amebo")[0], _phases("amebo")[2])


def test_json_is_the_structured_steps(tmp_path: Path) -> None:
    # the move of Amebo's database (to Supabase at 72,417 users, planned to 200,000)
    planner = _amebo_to_200k(tmp_path)
    p = make_plan(planner)
    n = next(i for i, ph in enumerate(p.phases) if ph.start == 72_417) + 1
    doc = runbook_json(runbook(planner, p, n - 1, n))
    json.dumps(doc)
    assert doc["from_phase"] == n - 1 and doc["to_phase"] == n
    for s in doc["steps"]:
        assert {"title", "why", "commands", "verify", "rollback", "minutes_estimate", "components"} <= set(s)
    assert doc["data_moves"][0]["method"] == "logical_replication"
    assert doc["moves"][0]["migration_usd"] > 0


def test_runbook_type_is_plain_data() -> None:
    rb = runbook(_planner("amebo"), _plan("amebo"), 2)
    assert isinstance(rb, Runbook) and rb.to_phase == 3


# --------------------------------------------------------------------------- the command
def test_cli_writes_the_golden_markdown_to_stdout() -> None:
    r = run_cli("runbook", EXAMPLES / "coop-erp.yaml", "--from", 1)
    assert r.returncode == 0, r.stderr
    assert _normalise(r.stdout) == (GOLDEN / "coop-erp-1-2.md").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("args", "must"),
    [
        (("--from", 0), "--from 0: the plan has 2 phases"),
        (("--from", 3), "--from 3: the plan has 2 phases"),
        (("--from", 2), "last phase"),
        (("--from", 2, "--to", 2), "--to 2 must be after --from 2"),
        (("--from", 2, "--to", 1), "must be after"),
        (("--from", 1, "--to", 7), "--to 7: the plan has 2 phases"),
        (("--from", 1, "--format", "html"), "html"),
    ],
)
def test_cli_bad_range_exits_2(args: tuple[object, ...], must: str) -> None:
    r = run_cli("runbook", EXAMPLES / "coop-erp.yaml", *args)
    out = r.stdout + r.stderr
    assert r.returncode == 2, out
    assert must in out and "Traceback" not in out


def test_cli_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    out = tmp_path / "runbook.md"
    out.write_text("my notes\n")
    r = run_cli("runbook", EXAMPLES / "coop-erp.yaml", "--from", 1, "-o", out, stdin="")
    assert r.returncode == 2 and "--force" in r.stderr and "runbook.md" in r.stderr
    assert "Traceback" not in r.stderr and out.read_text() == "my notes\n"
    r = run_cli("runbook", EXAMPLES / "coop-erp.yaml", "--from", 1, "-o", out, "--force")
    assert r.returncode == 0, r.stderr
    assert out.read_text().startswith("# Runbook: Cooperative ERP Lite, phase 1 → phase 2")
    r = run_cli("runbook", EXAMPLES / "coop-erp.yaml", "--from", 1, "--to", 2, "--format", "json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["to_phase"] == 2


# --------------------------------------------------------------------------- every provider
@pytest.mark.parametrize("name", NAMES)
def test_any_single_change_gives_a_runbook_that_passes_shellcheck(name: str, tmp_path: Path) -> None:
    """Beyond the plan's own moves: each component of the last phase's stack moved to each other
    provider/service/plan it has options on (one change at a time). The runbook is produced, every
    changed component has steps, every step that changes something can be undone, and every shell
    block passes shellcheck."""
    planner = _planner(name)
    last = _phases(name)[-1]
    u = last.start
    base = {c: e.option.order for c, e in last.stack_start.choices.items()}
    a = planner.point_with(u, base)
    old = Phase(u, u, u, a, a)
    blocks: set[str] = set()
    count = 0
    for comp, co in planner.options.items():
        seen = set()
        for o in co.options:
            key = (o.provider, o.plan.service.id, o.plan.plan.id)
            if key in seen or o.order == base[comp]:
                continue
            seen.add(key)
            pt = planner.point_with(u, {**base, comp: o.order})
            rb = build_runbook(planner, old, Phase(u, None, u, pt, pt), 1, 2)
            count += 1
            assert comp in {c for s in rb.steps for c in s.components}, (comp, key)
            for s in rb.steps:
                if s.changes_something and s.stage != "cleanup":
                    assert s.rollback or s.rollback_manual, (comp, key, s.title)
            md = render_markdown(rb)
            _no_fake_secrets(md)
            blocks.update(_sh_blocks(md))
    assert count > 10
    problems = _shellcheck(sorted(blocks), tmp_path)
    assert not problems, "shellcheck:\n" + "\n".join(problems[:40])
