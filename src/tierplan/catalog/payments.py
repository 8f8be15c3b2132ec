"""Payment processors' fees: one YAML file per processor under ``data/catalog/payments/``.

A fee is what the processor keeps of one transaction: ``percent`` of the amount plus a ``fixed``
amount in ``currency``, the fixed part waived below ``waived_fixed_below``, the whole fee capped
at ``cap`` (both in ``currency``). It applies to a merchant account in ``country`` (ISO 3166-1
alpha-2, or the group ``EEA``), a payment ``method`` and a ``payer``: ``domestic`` (a card or
account from the merchant's country; for EEA merchants, from the EEA) or ``international``.
Every fee carries its own ``source`` and ``as_of``, like every figure of the catalog.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Literal, get_args

from pydantic import AfterValidator, Field, ValidationError, field_validator, model_validator

from ..errors import CatalogError, Problem
from ..validation import problems_from
from ..yamlio import load_yaml
from .models import Provenance, check_slug

__all__ = ["PaymentFee", "PaymentProcessor", "load_processor_file", "Method", "PAYMENT_METHODS", "EEA", "currency_code", "CurrencyCode"]

#: the payment methods a fee may name (the profile's `revenue.payments.method` uses the same words)
Method = Literal[
    "card",
    "bank_transfer",
    "direct_debit",
    "mobile_money",
    "wallet",
    "virtual_account",
    "qr",
    "retail_outlet",
    "paypal",
]
PAYMENT_METHODS: tuple[str, ...] = get_args(Method)

#: the European Economic Area (EU + Iceland, Liechtenstein, Norway): a merchant country group
EEA = frozenset(
    "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE IS LI NO".split()
)

NonNeg = Annotated[float, Field(ge=0)]


class PaymentFee(Provenance):
    id: str
    country: str
    method: Method
    payer: Literal["domestic", "international"] = "domestic"
    percent: Annotated[float, Field(ge=0, le=100)]
    fixed: NonNeg = 0
    currency: CurrencyCode
    cap: NonNeg | None = None
    waived_fixed_below: NonNeg | None = None
    includes_vat: bool = False

    @field_validator("id")
    @classmethod
    def _slug(cls, v: str) -> str:
        return check_slug(v)

    @field_validator("country")
    @classmethod
    def _country(cls, v: str) -> str:
        import pycountry

        if v != "EEA" and pycountry.countries.get(alpha_2=v) is None:
            raise ValueError(f"{v!r} is no ISO 3166-1 alpha-2 country code (or the group 'EEA')")
        return v

    def covers(self, country: str) -> bool:
        """Whether a merchant account in ``country`` pays this fee's rates."""
        return self.country == country or (self.country == "EEA" and country in EEA)


class PaymentProcessor(Provenance):
    processor: str
    name: str
    homepage: str
    fees: tuple[PaymentFee, ...] = Field(min_length=1)

    @field_validator("processor")
    @classmethod
    def _slug(cls, v: str) -> str:
        return check_slug(v)

    @model_validator(mode="after")
    def _unique(self) -> PaymentProcessor:
        ids: set[str] = set()
        keys: set[tuple[str, str, str]] = set()
        for f in self.fees:
            if f.id in ids:
                raise ValueError(f"fee {f.id!r} defined twice")
            ids.add(f.id)
            key = (f.country, f.method, f.payer)
            if key in keys:
                raise ValueError(f"fee {f.id!r}: a second fee for {f.country} {f.method} {f.payer}")
            keys.add(key)
        return self

    def fee(self, country: str, method: str, payer: str) -> PaymentFee | None:
        """The fee a merchant in ``country`` pays for ``method`` from a ``payer``; a fee for the
        exact country is preferred to one for its group (EEA)."""
        found = [f for f in self.fees if f.method == method and f.payer == payer and f.covers(country)]
        found.sort(key=lambda f: f.country != country)
        return found[0] if found else None


def currency_code(v: str) -> str:
    """``v`` when it is an ISO 4217 currency code (pycountry's list); else ValueError."""
    import pycountry

    if pycountry.currencies.get(alpha_3=v) is None:
        raise ValueError(f"{v!r} is no ISO 4217 currency code (USD, EUR, IDR, NGN ...)")
    return v


#: an ISO 4217 code, checked (the profile's revenue currency uses it too)
CurrencyCode = Annotated[str, AfterValidator(currency_code)]


def load_processor_file(path: Path) -> PaymentProcessor:
    """One processor's file, validated: the schema, the file name, and a source and as_of date
    (its own or the processor's) on every fee, none of them in the future."""
    data, lines = load_yaml(path, what="payment processor file")
    try:
        proc = PaymentProcessor.model_validate(data)
    except ValidationError as e:
        raise CatalogError(path, problems_from(e, lines, data=data)) from None
    problems: list[Problem] = []
    if path.stem != proc.processor:
        problems.append(
            Problem("processor", f"file is named {path.name} but declares processor {proc.processor!r}")
        )
    latest = dt.date.today() + dt.timedelta(days=1)
    for i, f in enumerate(proc.fees):
        where = f"fees[{i}]"
        if not (f.source or proc.source):
            problems.append(Problem(where, f"fee {f.id!r} has no `source` (and the processor none)", lines.line(("fees", i))))
        as_of = f.as_of or proc.as_of
        if as_of is None:
            problems.append(Problem(where, f"fee {f.id!r} has no `as_of` (and the processor none)", lines.line(("fees", i))))
        elif as_of > latest:
            problems.append(Problem(where + ".as_of", f"as_of {as_of} is in the future", lines.line(("fees", i))))
    if proc.as_of is not None and proc.as_of > latest:
        problems.append(Problem("as_of", f"as_of {proc.as_of} is in the future", lines.line(("as_of",))))
    if problems:
        raise CatalogError(path, problems)
    return proc
