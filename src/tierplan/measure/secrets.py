"""Secrets in connection strings: shown redacted, never stored.

A PostgreSQL DSN (a ``postgresql://user:password@host/db`` URL or ``key=value`` words) or a Redis
URL may carry a password. tierplan reads it from the command line or the environment, hands it to
the driver, and from then on shows only ``redact(dsn)``: the password, and parameters such as
``password=`` or ``token=``, replaced by ``***``. Messages from the drivers are
passed through ``scrub`` with the DSN's secrets, so a server error quoting the connection string
does not leak it either.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

__all__ = ["redact", "secrets_of", "scrub", "MASK"]

MASK = "***"

#: query or key=value parameters whose value is a secret
_SECRET_KEYS = frozenset({"password", "pass", "passwd", "pwd", "token", "secret", "sslpassword", "auth"})

_KV = re.compile(r"""(?P<key>[A-Za-z_][A-Za-z0-9_]*)\s*=\s*(?P<value>'(?:[^'\\]|\\.)*'|[^\s]*)""")


def _is_url(dsn: str) -> bool:
    return "://" in dsn


def secrets_of(dsn: str) -> list[str]:
    """The secret values in ``dsn`` (as written and URL-decoded), longest first."""
    out: set[str] = set()
    if _is_url(dsn):
        parts = urlsplit(dsn)
        if parts.password:
            out.update({parts.password, unquote(parts.password)})
        for k, v in parse_qsl(parts.query, keep_blank_values=True):
            if k.lower() in _SECRET_KEYS and v:
                out.update({v, quote(v, safe="")})
    else:
        for m in _KV.finditer(dsn):
            if m.group("key").lower() in _SECRET_KEYS and m.group("value"):
                v = m.group("value")
                out.add(v)
                if v.startswith("'") and v.endswith("'") and len(v) >= 2:
                    out.add(v[1:-1].replace("\\'", "'").replace("\\\\", "\\"))
    return sorted((s for s in out if s), key=len, reverse=True)


def redact(dsn: str) -> str:
    """``dsn`` with its password and secret parameters replaced by ``***`` (user, host, port and
    database stay: they tell which server was measured)."""
    if _is_url(dsn):
        parts = urlsplit(dsn)
        netloc = parts.netloc
        if parts.password is not None:
            userinfo, _, hostport = netloc.rpartition("@")
            user = userinfo.split(":", 1)[0]
            netloc = f"{user}:{MASK}@{hostport}"
        query = urlencode(
            [(k, MASK if k.lower() in _SECRET_KEYS else v) for k, v in parse_qsl(parts.query, keep_blank_values=True)],
            safe="*",
        )
        return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))
    return _KV.sub(
        lambda m: f"{m.group('key')}={MASK}" if m.group("key").lower() in _SECRET_KEYS else m.group(0), dsn
    )


def scrub(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every secret value replaced by ``***``."""
    for s in secrets:
        if s:
            text = text.replace(s, MASK)
    return text
