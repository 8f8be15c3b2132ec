"""The `tierplan` command: a thin edge over the library. Maps errors to messages and exit codes:
0 ok, 1 internal error, 2 bad input, 3 no feasible stack, 4 policy violated (check)."""

from __future__ import annotations

import functools
import json
import os
import sys
import time
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from .errors import InfeasibleError, InputError, TierplanError, usage_error
from .units import plural

if TYPE_CHECKING:  # rich is imported when something is printed through it (see _err)
    from rich.console import Console

app = typer.Typer(
    name="tierplan",
    help="Plan where to host a small web app for the least money, and when you will outgrow each plan.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
catalog_app = typer.Typer(help="Browse and check the price catalog.", no_args_is_help=True)
app.add_typer(catalog_app, name="catalog")

F = TypeVar("F", bound=Callable[..., Any])


@functools.cache
def _err() -> Console:
    """The console on standard error (made on first use: most runs print nothing there)."""
    from rich.console import Console

    return Console(stderr=True, highlight=False, soft_wrap=True)


class Format(StrEnum):
    """plan, compare, audit, diff."""

    text = "text"
    md = "md"
    json = "json"
    html = "html"


class TextJsonFormat(StrEnum):
    """explain, assumptions, catalog show, check."""

    text = "text"
    json = "json"


class RunbookFormat(StrEnum):
    md = "md"
    json = "json"


class ListFormat(StrEnum):
    """catalog list."""

    text = "text"
    json = "json"
    md = "md"
    csv = "csv"


# every --format option lists its choices in --help (typer shows the enum); the help text never repeats them
FormatOpt = Annotated[Format, typer.Option("--format", "-f", help="Output format.")]
TextJsonOpt = Annotated[TextJsonFormat, typer.Option("--format", "-f", help="Output format.")]


def handled(fn: F) -> F:
    """Run a command; turn tierplan errors into one clear message and an exit code. Standard
    output is flushed inside, so a closed pipe or a full device is reported here (exit 2), not
    as a traceback when the interpreter exits."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            result = fn(*args, **kwargs)
            sys.stdout.flush()
            return result
        except TierplanError as e:
            _flush_quietly()
            _err().print(f"[bold red]error:[/] {_esc(str(e))}")
            raise typer.Exit(e.exit_code) from None
        except typer.Exit:
            _flush_quietly()
            raise
        except KeyboardInterrupt:
            raise typer.Exit(130) from None
        except OSError as e:  # writing stdout: a closed pipe (`| head`), a full device
            if os.environ.get("TIERPLAN_DEBUG"):
                raise
            _silence_stdout()
            _err().print(f"[bold red]error:[/] {_esc(_os_error_message(e))}")
            raise typer.Exit(2) from None
        except Exception as e:  # noqa: BLE001 - never show a traceback to users
            if os.environ.get("TIERPLAN_DEBUG"):
                raise
            _err().print(
                f"[bold red]internal error:[/] {type(e).__name__}: {_esc(str(e))}\n(set TIERPLAN_DEBUG=1 for the traceback, and please report it)"
            )
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]


def _os_error_message(e: OSError) -> str:
    from .outputs import describe_os_error

    if e.filename is not None:
        return f"{e.filename}: {describe_os_error(e)}"
    return f"cannot write standard output: {describe_os_error(e)}"


def _silence_stdout() -> None:
    """After stdout failed, point it at the null device so the interpreter's final flush of what
    is still buffered does not fail a second time."""
    try:
        fd = os.open(os.devnull, os.O_WRONLY)
        os.dup2(fd, sys.stdout.fileno())
        os.close(fd)
    except (OSError, ValueError, AttributeError):  # no real descriptor (a test runner's stream)
        pass


def _flush_quietly() -> None:
    try:
        sys.stdout.flush()
    except (OSError, ValueError):
        _silence_stdout()


def _esc(s: str) -> str:
    from rich.markup import escape

    return escape(s)


def _write(text: str, output: Path | None, force: bool) -> None:
    """The document to stdout, or to ``output`` all or nothing (outputs.write_file): an existing
    file is replaced only with --force or, at a terminal, when the user says yes."""
    if output is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        return
    from .outputs import write_file

    def ask(path: Path) -> bool:
        return (
            sys.stdin.isatty()
            and sys.stdout.isatty()
            and typer.confirm(f"{path} exists. Overwrite?", default=False)
        )

    write_file(output, text, force, confirm=ask)
    _err().print(f"wrote {output}", markup=False, highlight=False)


ProfileArg = Annotated[Path, typer.Argument(help="The app profile (app.yaml).", show_default=False)]
CatalogOpt = Annotated[
    Path | None, typer.Option("--catalog", help="Use this catalog directory instead of the bundled one.")
]
OutputOpt = Annotated[
    Path | None, typer.Option("--output", "-o", help="Write to this file instead of standard output.")
]
ForceOpt = Annotated[bool, typer.Option("--force", help="Overwrite the output file if it exists.")]


@app.command()
@handled
def plan(
    profile: ProfileArg,
    at: Annotated[
        int | None, typer.Option("--at", min=1, help="One scale point (in the profile's unit) in detail.")
    ] = None,
    format: FormatOpt = Format.text,
    output: OutputOpt = None,
    force: ForceOpt = False,
    catalog: CatalogOpt = None,
    per_component: Annotated[
        bool,
        typer.Option(
            "--per-component",
            help="Choose each component on its own (exact phase boundaries per component; no shared accounts, co-location or end-to-end latency).",
        ),
    ] = False,
    samples: Annotated[
        int | None,
        typer.Option(
            "--samples",
            min=1,
            max=10_000,
            help="Draw this many profiles from the profile's ranges ({low, likely, high}) and report P10/P50/P90 cost per stage, phase-boundary odds and the inputs that move the cost most.",
        ),
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the --samples draws (same seed, same result).")] = 1,
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs",
            min=1,
            help="Processes that price the --samples draws (default: every CPU this process may use; the result is the same for any number).",
        ),
    ] = None,
) -> None:
    """Plan the cheapest stack for each growth phase of the app."""
    from .doc_cache import cached_document, document_key

    if samples is not None and (at is not None or per_component):
        raise usage_error(
            "--samples prices the whole plan under its inputs' ranges; it does not combine with --at or --per-component"
        )

    def compute() -> dict[str, Any]:
        from .api import make_planner
        from .engine.plan import at_scale, optimum_at
        from .engine.plan import plan as make_plan
        from .report.model import at_report, plan_report, point_report

        planner = make_planner(profile, catalog_dir=catalog)
        if at is not None and per_component:
            return point_report(planner, optimum_at(planner, at, per_component))
        if at is not None:
            with _status("planning, and the fresh-start optimum at that scale"):
                return at_report(planner, at_scale(planner, make_plan(planner), at))
        with _status("sweeping the scale and pricing options"):
            the_plan = make_plan(planner, per_component)
            doc = plan_report(planner, the_plan)
        if samples is not None:
            from .report.uncertainty import uncertainty_dict
            from .uncertainty import available_cpus, sample_plan

            with _progress(f"pricing {samples:,} samples", samples) as step:
                doc["uncertainty"] = uncertainty_dict(
                    sample_plan(planner, the_plan, samples, seed, step, jobs or available_cpus())
                )
        return doc

    try:
        # the same profile, catalog, code and options on the same day give the same document
        # (doc_cache.py): read it back rather than plan again
        key = document_key(
            "plan", {"at": at, "per_component": per_component, "samples": samples, "seed": seed}, profile, catalog
        )
        doc = cached_document(key, compute)
    except TierplanError as e:
        if format is Format.json and output is None:
            # machines reading stdout get a JSON error too (the exit code is unchanged)
            error = {"type": type(e).__name__, "exit_code": e.exit_code, "message": e.message}
            if isinstance(e, InfeasibleError):
                error["reasons"] = e.reasons
            sys.stdout.write(json.dumps({"error": error}, indent=2) + "\n")
        raise
    _emit(doc, format, output, force, point=at is not None)


def _render_text(render: Callable[[Console], None], output: Path | None = None, force: bool = False) -> None:
    """Text output through rich (report/console.py makes every console): a terminal keeps its width
    and look; a pipe or -o FILE gets COLUMNS or the natural width, never a cut cell."""
    from .report.console import export_text, print_rendered

    if output is not None:
        _write(export_text(render), output, force)
        return
    print_rendered(render)


def _html(markdown: str, output: Path | None, force: bool) -> None:
    """A report's Markdown as a standalone HTML page (report/html.py)."""
    from .report.html import html_page

    _write(html_page(markdown), output, force)


def _unknown(what: str, value: str, known: list[str]) -> TierplanError:
    """An unknown id given on the command line (exit 2), with the nearest known one."""
    import difflib

    near = difflib.get_close_matches(value, known, n=1)
    return usage_error(
        f"unknown {what} {value!r}" + (f" (did you mean {near[0]!r}?)" if near else ""),
        hint=f"known {what}s: {', '.join(sorted(known))}",
    )


def _stderr_isatty() -> bool:
    try:
        return sys.stderr.isatty()
    except (ValueError, AttributeError):  # closed, or not a stream
        return False


def _status(msg: str) -> Any:
    import contextlib

    # rich sees a terminal only where standard error is one or the environment says so (FORCE_COLOR,
    # TTY_COMPATIBLE): anywhere else no console is needed for a status line that is not shown
    if not (_stderr_isatty() or "FORCE_COLOR" in os.environ or "TTY_COMPATIBLE" in os.environ):
        return contextlib.nullcontext()
    if _err().is_terminal:
        return _err().status(msg)
    return contextlib.nullcontext()


def _progress(what: str, total: int) -> Any:
    """A progress bar on standard error for long work (a terminal only; elsewhere nothing), as a
    context manager giving ``step(done)``."""
    import contextlib

    @contextlib.contextmanager
    def bar() -> Any:
        if not (_stderr_isatty() and _err().is_terminal):
            yield lambda done: None
            return
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        # redrawn from the caller's thread, a tenth of a second apart at most: no refresh thread
        # (the work may fork worker processes, which must not start while another thread runs)
        with Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
            console=_err(), transient=True, auto_refresh=False,
        ) as prog:
            task = prog.add_task(what, total=total)
            drawn = [0.0]

            def step(done: int) -> None:
                prog.update(task, completed=done)
                now = time.monotonic()
                if now - drawn[0] >= 0.1 or done >= total:
                    drawn[0] = now
                    prog.refresh()

            yield step

    return bar()


def _emit(doc: dict[str, Any], format: Format, output: Path | None, force: bool, point: bool) -> None:
    if format is Format.json:
        _write(json.dumps(doc, indent=2, ensure_ascii=False), output, force)
    elif format is Format.md:
        from .report.markdown import render_markdown

        _write(render_markdown(doc, point=point), output, force)
    elif format is Format.html:
        from .report.html import render_html

        _write(render_html(doc, point=point), output, force)
    else:
        from .report.terminal import render_plan, render_point

        _render_text(lambda con: (render_point if point else render_plan)(doc, con), output, force)


@app.command()
@handled
def gen(
    profile: ProfileArg,
    output: Annotated[Path, typer.Option("--output", "-o", help="Directory to write the files into.")],
    phase: Annotated[
        int | None, typer.Option("--phase", min=1, help="The plan's phase (1-based); default: the first.")
    ] = None,
    at: Annotated[
        int | None, typer.Option("--at", min=1, help="The stack at one scale instead of a phase.")
    ] = None,
    force: ForceOpt = False,
    catalog: CatalogOpt = None,
) -> None:
    """Write the deploy files of a phase's stack (Dockerfile, fly.toml, render.yaml, railway.json,
    wrangler.toml, workflows, .env.example, compose, alert rules: only what that stack needs)."""
    from .api import make_planner
    from .gen import generate, write_files

    if phase is not None and at is not None:
        raise InputError(profile, "use either --phase or --at, not both")
    from .engine.plan import plan as make_plan

    planner = make_planner(profile, catalog_dir=catalog)
    with _status("planning and writing deploy files"):
        dep, files = generate(planner, make_plan(planner), phase, at)
    written = write_files(files, output, force)
    what = f"phase {dep.phase}" if dep.phase is not None else f"{dep.scale:,} {plural(dep.unit)}"
    _err().print(f"wrote {len(written)} files for {what} of {dep.title} to {output}:", markup=False)
    for p in written:
        _err().print(f"  {p.relative_to(output)}", markup=False)


@app.command()
@handled
def runbook(
    profile: ProfileArg,
    from_phase: Annotated[int, typer.Option("--from", help="The phase the stack is in now (1-based).")],
    to_phase: Annotated[
        int | None, typer.Option("--to", help="The phase to move to; default: the next one.")
    ] = None,
    output: OutputOpt = None,
    format: Annotated[
        RunbookFormat,
        typer.Option(
            "--format", "-f", help="Output format: md the runbook document, json its structured steps."
        ),
    ] = RunbookFormat.md,
    force: ForceOpt = False,
    catalog: CatalogOpt = None,
) -> None:
    """Write the migration runbook between two phases: ordered steps with shell commands for what
    changes (moves, plan changes, scale-out), checks, rollbacks and a pre-migration checklist."""
    from .api import make_planner
    from .engine.plan import plan as make_plan
    from .runbook import render_markdown, runbook_json, write_runbook
    from .runbook import runbook as build

    planner = make_planner(profile, catalog_dir=catalog)
    with _status("planning and writing the runbook"):
        rb = build(planner, make_plan(planner), from_phase, to_phase)
    if format is RunbookFormat.json:
        text = json.dumps(runbook_json(rb), indent=2, ensure_ascii=False) + "\n"
    else:
        text = render_markdown(rb)
    if output is None:
        sys.stdout.write(text)
        return
    write_runbook(text, output, force)
    _err().print(
        f"wrote the runbook from phase {rb.from_phase} to phase {rb.to_phase} of {rb.title} to {output}",
        markup=False,
    )


@app.command()
@handled
def audit(
    stack: Annotated[
        Path | None,
        typer.Argument(help="A stack file: what runs today (see docs/audit.md).", show_default=False),
    ] = None,
    doc: Annotated[
        Path | None,
        typer.Option("--doc", help="Audit a hand-written plan document (Markdown or text) instead."),
    ] = None,
    format: FormatOpt = Format.text,
    output: OutputOpt = None,
    force: ForceOpt = False,
    catalog: CatalogOpt = None,
) -> None:
    """Audit a running stack (real cost per line, limits, contradictions, over-provisioning, the optimal
    stack and the saving) or, with --doc, a plan document (sums, ranges, prices, claims)."""
    from .catalog.loader import load_catalog

    if (stack is None) == (doc is None):
        raise InputError(str(stack or doc or "tierplan audit"), "give either a stack file or --doc FILE")
    cat = load_catalog(catalog)
    if doc is not None:
        from .audit.doc import audit_document, read_document
        from .report.audit_doc import doc_audit_json, doc_audit_markdown, doc_audit_terminal

        text = read_document(doc)
        with _status("reading the document"):
            result = audit_document(text, str(doc), cat)
        if format is Format.json:
            _write(json.dumps(doc_audit_json(result), indent=2, ensure_ascii=False), output, force)
        elif format is Format.md:
            _write(doc_audit_markdown(result), output, force)
        elif format is Format.html:
            _html(doc_audit_markdown(result), output, force)
        else:
            _render_text(lambda con: doc_audit_terminal(result, con), output, force)
        return
    assert stack is not None
    from .audit.stack import audit_stack, load_stack, stack_planner
    from .report.audit import render_stack_audit, stack_audit_markdown

    st, profile, profile_path = load_stack(stack)
    planner = stack_planner(st, profile, str(stack), cat, profile_path)
    with _status("pricing the stack and finding the optimum"):
        d = audit_stack(planner, st, str(stack))
    if format is Format.json:
        _write(json.dumps(d, indent=2, ensure_ascii=False), output, force)
    elif format is Format.md:
        _write(stack_audit_markdown(d), output, force)
    elif format is Format.html:
        _html(stack_audit_markdown(d), output, force)
    else:
        _render_text(lambda con: render_stack_audit(d, con), output, force)


@app.command()
@handled
def diff(
    before: Annotated[
        Path,
        typer.Argument(
            help="The profile or stack file before the change (e.g. main's app.yaml).", show_default=False
        ),
    ],
    after: Annotated[
        Path,
        typer.Argument(
            help="The profile or stack file after the change (e.g. the pull request's).", show_default=False
        ),
    ],
    format: Annotated[
        Format, typer.Option("--format", "-f", help="Output format (md is a pull-request comment).")
    ] = Format.text,
    output: OutputOpt = None,
    force: ForceOpt = False,
    catalog: CatalogOpt = None,
) -> None:
    """Compare two profiles (their plans) or stack files (what runs): the monthly cost at every phase
    start and stage of either, components that change, triggers that move, phases that appear or vanish."""
    from .api import make_planner
    from .audit.stack import StackFile, is_stack_file, load_stack, stack_plan_doc, stack_planner, stack_sample
    from .catalog import load_catalog
    from .diff import check_units, compare_scales, diff_plans, render_diff_markdown, render_diff_terminal
    from .engine.plan import plan as make_plan
    from .engine.plan import samples
    from .report.model import plan_report
    from .yamlio import load_yaml

    cat = load_catalog(catalog)
    sides: list[tuple[Any, Any, Any]] = []  # (planner, sweep or stack file, plan-like dict)
    for path in (before, after):
        data, _lines = load_yaml(path, what="profile or stack file")
        if is_stack_file(data):
            st, prof, ppath = load_stack(path)
            pl = stack_planner(st, prof, str(path), cat, ppath)
            sides.append((pl, st, stack_plan_doc(pl, st)))
        else:
            pl = make_planner(path, cat)
            sides.append((pl, None, None))
    (pb, xb, db), (pa, xa, da) = sides
    check_units(pb.profile.scale.unit, pa.profile.scale.unit, str(before), str(after))
    with _status("planning both sides"):
        if db is None:
            xb = make_plan(pb)
            db = plan_report(pb, xb)
        if da is None:
            xa = make_plan(pa)
            da = plan_report(pa, xa)
        xs = compare_scales(db, da)
        for pl, x, d in ((pb, xb, db), (pa, xa, da)):
            if isinstance(x, StackFile):
                lo, hi = d["phases"][0]["from"], d["phases"][0]["to_sweep_end"]
                d["samples"] = [stack_sample(pl, x, u) for u in xs if lo <= u <= hi]
            else:
                d["samples"] = samples(x, xs)
    doc = diff_plans(db, da, before_name=str(before), after_name=str(after))
    if format is Format.json:
        _write(json.dumps(doc, indent=2, ensure_ascii=False), output, force)
    elif format is Format.md:
        _write(render_diff_markdown(doc), output, force)
    elif format is Format.html:
        _html(render_diff_markdown(doc), output, force)
    else:
        _render_text(lambda con: render_diff_terminal(doc, con), output, force)


@app.command()
@handled
def check(
    profile: ProfileArg,
    budget: Annotated[
        float | None, typer.Option("--budget", min=0, max=1e12, help="Monthly budget in USD for every phase.")
    ] = None,
    max_increase: Annotated[
        str | None,
        typer.Option("--max-increase", help="Largest increase against --against at any scale: 10% or USD."),
    ] = None,
    against: Annotated[
        Path | None,
        typer.Option("--against", help="The base profile to compare with (e.g. main's app.yaml)."),
    ] = None,
    policy: Annotated[
        Path | None, typer.Option("--policy", help="A policy file (YAML); flags override its settings.")
    ] = None,
    max_age_days: Annotated[
        int | None, typer.Option("--max-age-days", min=0, max=36_500, help="Largest age of the catalog entries used.")
    ] = None,
    format: TextJsonOpt = TextJsonFormat.text,
    catalog: CatalogOpt = None,
) -> None:
    """Policy gate for CI: exit 4 when a phase breaks the budget, the cost rises too much against a
    base profile, the plan uses stale prices, or no stack fits."""
    from .api import make_planner
    from .catalog import load_catalog
    from .clock import today
    from .diff import check_units, compare_scales, diff_plans
    from .engine.plan import plan as make_plan
    from .engine.plan import samples
    from .policy import (
        Policy,
        budget_scales,
        check_ignored_providers,
        evaluate,
        load_policy,
        parse_increase,
        policy_json,
    )
    from .report.model import plan_report

    pol = load_policy(policy) if policy is not None else Policy()
    try:
        inc = parse_increase(max_increase) if max_increase is not None else None
    except ValueError as e:
        raise InputError("--max-increase", str(e)) from None
    pol = pol.merged(budget, inc, max_age_days)
    cat = load_catalog(catalog)
    if policy is not None:
        check_ignored_providers(pol, cat.providers, policy)
    planner = make_planner(profile, cat)
    base = make_planner(against, cat) if against is not None else None
    if base is not None:
        check_units(base.profile.scale.unit, planner.profile.scale.unit, str(against), str(profile))
    doc: dict[str, Any] | None = None
    d: dict[str, Any] | None = None
    infeasible: InfeasibleError | None = None
    base_infeasible: InfeasibleError | None = None
    with _status("planning and checking the policy"):
        try:
            sw = make_plan(planner)
            doc = plan_report(planner, sw)
        except InfeasibleError as e:
            infeasible = e
        if doc is not None:
            xs: list[int] = []
            if base is not None:
                try:
                    bsw = make_plan(base)
                    bdoc = plan_report(base, bsw)
                except InfeasibleError as e:
                    base_infeasible = e
                else:
                    xs = compare_scales(bdoc, doc)
                    bdoc["samples"] = samples(bsw, xs)
            doc["samples"] = samples(sw, xs + budget_scales(doc, pol))
            if base is not None and base_infeasible is None:
                d = diff_plans(bdoc, doc, before_name=str(against), after_name=str(profile))
    res = evaluate(doc, pol, today=today(), diff=d, infeasible=infeasible, base_infeasible=base_infeasible)
    if format is TextJsonFormat.json:
        sys.stdout.write(json.dumps(policy_json(res), indent=2, ensure_ascii=False) + "\n")
    else:
        for v in res.violations:
            sys.stdout.write(f"FAIL {v.rule}: {v.message}\n")
        sys.stdout.write(res.summary() + "\n")
    if not res.ok:
        raise typer.Exit(res.exit_code)


@app.command()
@handled
def compare(
    profile: ProfileArg,
    at: Annotated[
        list[int] | None,
        typer.Option("--at", min=1, help="Scales to compare at (repeatable); default: the stages."),
    ] = None,
    format: FormatOpt = Format.text,
    output: OutputOpt = None,
    force: ForceOpt = False,
    catalog: CatalogOpt = None,
) -> None:
    """Decision matrix: cheapest, lowest latency, highest availability, fewest vendors, no card."""
    from .api import make_planner
    from .engine.matrix import compare as run_compare
    from .engine.plan import plan as make_plan
    from .engine.result import StackDoesNotFit
    from .report.compare import compare_markdown, compare_report, render_compare

    planner = make_planner(profile, catalog_dir=catalog)
    with _status("solving the whole stack under each objective"):
        cmp = run_compare(planner, stages=sorted(set(at)) if at else None)
        the_plan = make_plan(planner)
        plan_usd: dict[int, float | None] = {}
        for u in cmp.stages:
            try:
                plan_usd[u] = the_plan.stack_at(u).monthly_usd if u >= the_plan.first else None
            except StackDoesNotFit:
                plan_usd[u] = None
        doc = compare_report(planner, cmp, plan_usd)
    if format is Format.json:
        _write(json.dumps(doc, indent=2), output, force)
    elif format is Format.md:
        _write(compare_markdown(doc), output, force)
    elif format is Format.html:
        _html(compare_markdown(doc), output, force)
    else:
        _render_text(lambda con: render_compare(doc, con), output, force)


@app.command()
@handled
def explain(
    profile: ProfileArg,
    at: Annotated[int, typer.Option("--at", min=1, help="Scale point (in the profile's unit).")],
    component: Annotated[str | None, typer.Option("--component", "-c", help="Only this component.")] = None,
    format: TextJsonOpt = TextJsonFormat.text,
    catalog: CatalogOpt = None,
) -> None:
    """Print each demand figure with the formula and inputs that produced it."""
    from .api import make_planner
    from .report.explain import render_explain
    from .report.model import demand_dict

    planner = make_planner(profile, catalog_dir=catalog)
    if component is not None and component not in planner.profile.components:
        raise InputError(
            profile, f"no component named {component!r} (components: {', '.join(planner.profile.components)})"
        )
    d = planner.explained_demand(at)
    if format is TextJsonFormat.json:
        doc = demand_dict(d)
        if component:
            doc = {"_globals": doc["_globals"], component: doc[component]}
        _write(json.dumps(doc, indent=2), None, False)
        return
    _render_text(lambda con: render_explain(planner, d, component, con))


@app.command()
@handled
def schema(output: OutputOpt = None, force: ForceOpt = False) -> None:
    """Print the JSON Schema of app.yaml (for editor autocompletion)."""
    from .profile import Profile

    s = Profile.model_json_schema()
    s["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    s["title"] = "tierplan app profile (app.yaml)"
    _write(json.dumps(s, indent=2), output, force)


@app.command()
@handled
def assumptions(format: TextJsonOpt = TextJsonFormat.text) -> None:
    """List the capacity assumptions (not prices) and their rationale."""
    from .assumptions import load_assumptions
    from .report.console import Table

    a = load_assumptions()
    if format is TextJsonFormat.json:
        _write(json.dumps([vars(x) for x in a.all()], indent=2), None, False)
        return
    t = Table(header_style="bold")
    t.add_column("key")
    t.add_column("value", justify="right")
    t.add_column("unit")
    t.add_column("rationale")
    for x in a.all():
        t.add_row(x.key, f"{x.value:g}", x.unit, x.rationale)
    _render_text(lambda con: con.print(t))


@catalog_app.command("list")
@handled
def catalog_list(
    provider: Annotated[
        list[str] | None,
        typer.Option("--provider", metavar="ID", help="Only this provider's plans (repeatable), e.g. fly."),
    ] = None,
    hosts: Annotated[
        str | None,
        typer.Option(
            "--hosts",
            metavar="KIND",
            help="Only plans that can host this component kind, e.g. web_service, postgres, redis, object_storage.",
        ),
    ] = None,
    format: Annotated[ListFormat, typer.Option("--format", "-f", help="Output format.")] = ListFormat.text,
    output: OutputOpt = None,
    force: ForceOpt = False,
    catalog: CatalogOpt = None,
) -> None:
    """One line per plan: provider, service, plan, hosts, base price, sizes, availability, as-of. In a
    terminal a table; piped or written to a file, one plan per line, nothing cut (grep-able)."""
    from .catalog import load_catalog
    from .catalog.models import COMPONENT_KINDS
    from .report.catalog import list_csv, list_markdown, list_plain, list_records, render_list
    from .report.console import stdout_is_terminal

    cat = load_catalog(catalog)
    for pid in provider or []:
        if pid not in cat.providers:
            raise _unknown("provider", pid, list(cat.providers))
    if hosts is not None and hosts not in COMPONENT_KINDS:
        raise _unknown("component kind", hosts, list(COMPONENT_KINDS))
    plans = [
        ref
        for ref in cat.plans
        if (not provider or ref.provider.provider in provider) and (hosts is None or hosts in ref.hosts)
    ]
    if format is ListFormat.json:
        _write(json.dumps(list_records(plans), indent=2, ensure_ascii=False), output, force)
    elif format is ListFormat.md:
        _write(list_markdown(cat, plans), output, force)
    elif format is ListFormat.csv:
        _write(list_csv(plans), output, force)
    elif output is None and stdout_is_terminal():
        _render_text(lambda con: render_list(cat, con, plans))
    else:
        _write(list_plain(cat, plans), output, force)


@catalog_app.command("show")
@handled
def catalog_show(
    provider: Annotated[str, typer.Argument(help="Provider id, e.g. fly, neon, cloudflare.")],
    format: TextJsonOpt = TextJsonFormat.text,
    catalog: CatalogOpt = None,
) -> None:
    """Everything the catalog knows about one provider."""
    from .catalog import load_catalog
    from .report.catalog import render_provider

    cat = load_catalog(catalog)
    if provider not in cat.providers:
        raise _unknown("provider", provider, list(cat.providers))
    prov = cat.providers[provider]
    if format is TextJsonFormat.json:
        _write(json.dumps(prov.model_dump(mode="json", exclude_defaults=True), indent=2), None, False)
        return
    _render_text(lambda con: render_provider(prov, con))


@catalog_app.command("check")
@handled
def catalog_check(
    catalog: CatalogOpt = None,
    max_age_months: Annotated[
        int, typer.Option("--max-age-months", min=1, help="Entries older than this are stale.")
    ] = 12,
    strict: Annotated[
        bool, typer.Option("--strict", help="Exit 1 when entries are stale or prices unknown.")
    ] = False,
) -> None:
    """Validate every catalog file: schema, units, source and as-of; flag stale entries."""
    from .catalog import load_catalog
    from .catalog.check import check_catalog
    from .report.catalog import render_check

    cat = load_catalog(catalog)
    res = check_catalog(cat, max_age_months=max_age_months)
    _render_text(lambda con: render_check(res, con))
    if strict and (res.stale or res.unknown_prices):
        raise typer.Exit(1)


# measure, forecast, calibrate and watch live in cli_measure.py (this module would pass a thousand
# lines); importing it registers them on ``app``
from . import cli_measure  # noqa: E402,F401


def main() -> None:
    try:
        app()
    except SystemExit:
        raise
    except Exception as e:  # noqa: BLE001
        if os.environ.get("TIERPLAN_DEBUG"):
            raise
        _err().print(f"internal error: {type(e).__name__}: {e}", markup=False)
        sys.exit(1)


if __name__ == "__main__":
    main()
