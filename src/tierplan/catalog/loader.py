"""Load and index the price catalog (the YAML files under tierplan/data/catalog)."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import pickle
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .. import doc_cache
from ..errors import CatalogError, Problem
from ..validation import dotted, problems_from
from ..yamlio import LineMap, load_yaml
from .models import Account, Attributes, NetworkAccess, Plan, Provider, Region, Service, StaticEgressIp
from .payments import PaymentProcessor, load_processor_file

__all__ = ["Catalog", "PlanRef", "load_catalog", "default_catalog_dir", "load_provider_file"]


@dataclass(frozen=True)
class PlanRef:
    """A plan with everything resolved from its service and provider."""

    provider: Provider
    service: Service
    plan: Plan
    attributes: Attributes
    source: str
    as_of: dt.date
    account: Account | None = None

    @property
    def key(self) -> str:
        return f"{self.provider.provider}/{self.service.id}/{self.plan.id}"

    @property
    def account_key(self) -> str | None:
        """provider/account id when the plan belongs to an account-level plan."""
        return f"{self.provider.provider}/{self.account.id}" if self.account else None

    @property
    def regions(self) -> tuple[Region, ...] | None:
        """Regions the plan is sold in; None for global (edge/anycast) services."""
        regs = self.plan.regions if self.plan.regions is not None else self.service.regions
        if regs == "global":
            return None
        if regs == "all":
            return self.provider.regions
        by_id = {r.id: r for r in self.provider.regions}
        return tuple(by_id[r] for r in regs)

    @property
    def hosts(self) -> tuple[str, ...]:
        return tuple(self.plan.hosts or self.service.hosts)

    @property
    def static_egress_ip(self) -> StaticEgressIp | None:
        """The plan's static egress IP offer, else its service's; None when the catalog states none."""
        return self.plan.static_egress_ip or self.service.static_egress_ip

    @property
    def network_access(self) -> str:
        """How the service admits callers on other hosts (NetworkAccess); ``credentials`` unless stated."""
        na = self.service.network_access
        return na.from_other_hosts if na is not None else "credentials"


@dataclass
class Catalog:
    providers: dict[str, Provider]
    files: dict[str, Path] = field(default_factory=dict)
    #: payment processors (``payments/*.yaml`` beside the provider files), by processor id
    payments: dict[str, PaymentProcessor] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._plans: list[PlanRef] = []
        for prov in self.providers.values():
            accounts = {a.id: a for a in prov.accounts}
            for svc in prov.services:
                attrs_svc = prov.attributes.merged(svc.attributes)
                for plan in svc.plans:
                    source = plan.source or prov.source
                    as_of = plan.as_of or prov.as_of
                    assert source and as_of  # enforced by load_provider_file
                    acct = accounts.get(plan.account) if plan.account else None
                    attrs = attrs_svc.merged(acct.attributes) if acct else attrs_svc
                    self._plans.append(
                        PlanRef(prov, svc, plan, attrs.merged(plan.attributes), source, as_of, acct)
                    )

    @property
    def plans(self) -> list[PlanRef]:
        return self._plans

    def plans_for(self, kind: str) -> list[PlanRef]:
        return [p for p in self._plans if kind in p.hosts]

    def plan(self, provider: str, plan: str, service: str | None = None) -> PlanRef | None:
        for p in self._plans:
            if p.provider.provider == provider and p.plan.id == plan and (service in (None, p.service.id)):
                return p
        return None

    @property
    def as_of(self) -> dt.date:
        """The newest as-of date of any entry (when the catalog was last checked)."""
        return max(p.as_of for p in self._plans)

    @property
    def oldest_as_of(self) -> dt.date:
        return min(p.as_of for p in self._plans)


def default_catalog_dir() -> Path:
    return Path(str(resources.files("tierplan") / "data" / "catalog"))


def load_provider_file(path: Path) -> Provider:
    data, lines = load_yaml(path, what="provider catalog file")
    try:
        prov = Provider.model_validate(data)
    except ValidationError as e:
        raise CatalogError(path, problems_from(e, lines, data=data)) from None
    problems: list[Problem] = _future_dates(data, lines)
    if path.stem != prov.provider:
        problems.append(
            Problem("provider", f"file is named {path.name} but declares provider {prov.provider!r}")
        )
    for si, svc in enumerate(prov.services):
        # network facts name their own page and date (they are read from networking docs, not
        # from the pricing page the plan cites)
        facts: list[tuple[str, StaticEgressIp | NetworkAccess | None]] = [
            (f"services[{si}].static_egress_ip", svc.static_egress_ip),
            (f"services[{si}].network_access", svc.network_access),
        ]
        facts += [
            (f"services[{si}].plans[{pi}].static_egress_ip", p.static_egress_ip)
            for pi, p in enumerate(svc.plans)
        ]
        for where, fact in facts:
            if fact is not None and not (fact.source and fact.as_of):
                problems.append(
                    Problem(where, "needs its own `source` and `as_of` (the page that states it)")
                )
        for pi, plan in enumerate(svc.plans):
            where = f"services[{si}].plans[{pi}]"
            if not (plan.source or prov.source):
                problems.append(Problem(where, f"plan {plan.id!r} has no `source` (and the provider none)"))
            if not (plan.as_of or prov.as_of):
                problems.append(Problem(where, f"plan {plan.id!r} has no `as_of` (and the provider none)"))
    if problems:
        raise CatalogError(path, problems)
    return prov


def _future_dates(data: Any, lines: LineMap) -> list[Problem]:
    """Every `as_of` after today (the real date: a price cannot have been checked tomorrow)."""
    latest = dt.date.today() + dt.timedelta(days=1)  # a day of slack for time zones
    out: list[Problem] = []
    stack: list[tuple[tuple[Any, ...], Any]] = [((), data)]
    while stack:
        loc, node = stack.pop()
        items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
        for k, v in items:
            if k == "as_of" and isinstance(v, str | dt.date):
                try:
                    day = v if isinstance(v, dt.date) else dt.date.fromisoformat(v)
                except ValueError:
                    continue  # the schema reports a malformed date
                if day > latest:
                    out.append(
                        Problem(dotted(loc + (k,)), f"as_of {day} is in the future", lines.line(loc + (k,)))
                    )
            else:
                stack.append((loc + (k,), v))
    return sorted(out, key=lambda p: p.line or 0)


def _parse_dir(d: Path, files: list[Path]) -> dict[str, Provider]:
    providers: dict[str, Provider] = {}
    origin: dict[str, Path] = {}
    for f in files:
        prov = load_provider_file(f)
        if prov.provider in providers:
            raise CatalogError(
                f, f"provider {prov.provider!r} is also defined in {origin[prov.provider].name}"
            )
        providers[prov.provider] = prov
        origin[prov.provider] = f
    return providers


@cache
def _load_dir(directory: str) -> Catalog:
    """Parse and validate every provider file. The validated result is cached on disk, keyed by
    the files' exact contents and the tierplan version, so later runs skip YAML parsing and schema
    validation; any change to any file (or a different version) means a fresh parse."""
    d = Path(directory)
    if not d.is_dir():
        raise CatalogError(d, "catalog directory not found")
    files = sorted(d.glob("*.yaml"))
    for f in files:
        if not f.is_file():
            raise CatalogError(f, "is not a regular file, expected a provider catalog file (*.yaml)")
    if not files:
        raise CatalogError(d, "no provider files (*.yaml) in the catalog directory")
    payment_files = sorted((d / "payments").glob("*.yaml")) if (d / "payments").is_dir() else []
    for f in payment_files:
        if not f.is_file():
            raise CatalogError(f, "is not a regular file, expected a payment processor file (*.yaml)")
    from .. import __version__

    # the key covers the tierplan version, the schema's source (so a code change never reads an
    # old pickle) and every file's exact contents
    digest = hashlib.sha256(__version__.encode())
    digest.update(Path(__file__).with_name("models.py").read_bytes())
    digest.update(Path(__file__).parents[1].joinpath("yamlio.py").read_bytes())  # how YAML is read
    digest.update(Path(__file__).read_bytes())  # this loader's own checks
    digest.update(Path(__file__).with_name("payments.py").read_bytes())
    for f in files + payment_files:
        digest.update(str(f.relative_to(d)).encode() + b"\0" + f.read_bytes() + b"\0")
    cache_dir = doc_cache.cache_dir()
    cached = cache_dir / f"catalog-{digest.hexdigest()[:32]}.pickle" if cache_dir else None
    parsed: tuple[dict[str, Provider], dict[str, PaymentProcessor]] | None = None
    if cached is not None and cached.is_file():
        try:
            with cached.open("rb") as fh:
                parsed = pickle.load(fh)  # noqa: S301 - our own cache file, keyed by content hash
        except Exception:  # noqa: BLE001 - a broken cache is just a miss
            parsed = None
    if parsed is None:
        parsed = (_parse_dir(d, files), _parse_payments(payment_files))
        if cached is not None:
            try:
                cached.parent.mkdir(parents=True, exist_ok=True)
                tmp = cached.with_suffix(f".{os.getpid()}.tmp")
                with tmp.open("wb") as fh:
                    pickle.dump(parsed, fh, protocol=pickle.HIGHEST_PROTOCOL)
                tmp.replace(cached)
            except OSError:
                pass  # read-only home: no cache, still correct
    providers, payments = parsed
    by_file = {p: d / f"{p}.yaml" for p in providers}
    return Catalog(providers, by_file, payments)


def _parse_payments(files: list[Path]) -> dict[str, PaymentProcessor]:
    out: dict[str, PaymentProcessor] = {}
    for f in files:
        proc = load_processor_file(f)
        out[proc.processor] = proc  # the file name equals the id, so ids are unique
    return out


def load_catalog(directory: Path | str | None = None) -> Catalog:
    """Load every provider file in ``directory`` (default: the catalog shipped with tierplan)."""
    return _load_dir(str(Path(directory).resolve() if directory else default_catalog_dir()))
