"""Turn pydantic validation errors into user-facing problems with key paths and line numbers."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import ValidationError

from .errors import Problem

__all__ = ["problems_from", "dotted"]


def dotted(loc: Iterable[Any]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _clean_loc(loc: tuple[Any, ...], data: Any = None) -> tuple[Any, ...]:
    """Drop the branch names pydantic adds for unions (tags, 'function-after[...]', types)."""
    out: list[Any] = []
    node = data
    for i, part in enumerate(loc):
        if isinstance(part, str) and ("[" in part or part.startswith("function-")):
            continue
        if data is not None:
            if isinstance(node, dict):
                if part in node:
                    node = node[part]
                elif i < len(loc) - 1:
                    continue  # a union branch name, not a key of the document
                else:
                    node = None
            elif isinstance(node, list) and isinstance(part, int) and part < len(node):
                node = node[part]
            elif i < len(loc) - 1 and isinstance(part, str):
                continue
        out.append(part)
    return tuple(out)


def _line_for(loc: tuple[Any, ...], lines: Mapping[tuple[Any, ...], int]) -> int | None:
    while loc:
        if loc in lines:
            return lines[loc]
        loc = loc[:-1]
    return lines.get(())


def _message(err: Any, allowed: dict[tuple[Any, ...], list[str]] | None, loc: tuple[Any, ...]) -> str:
    t = err["type"]
    inp = err.get("input")
    if t == "extra_forbidden":
        key = loc[-1] if loc else "?"
        msg = f"unknown key {key!r}"
        choices = (allowed or {}).get(loc[:-1])
        if choices:
            near = difflib.get_close_matches(str(key), choices, n=1)
            msg += f" (did you mean {near[0]!r}?)" if near else f" (allowed: {', '.join(sorted(choices))})"
        return msg
    if t in ("union_tag_invalid", "union_tag_not_found"):
        ctx = err.get("ctx") or {}
        tags = [x.strip(" '") for x in str(ctx.get("expected_tags", "")).split(",") if x.strip()]
        if t == "union_tag_not_found":
            return f"`{ctx.get('discriminator', 'kind').strip(chr(39))}` is missing; use one of: {', '.join(tags)}"
        tag = str(ctx.get("tag"))
        near = difflib.get_close_matches(tag, tags, n=1)
        hint = f"did you mean {near[0]!r}?" if near else f"use one of: {', '.join(tags)}"
        return f"unknown kind {tag!r} ({hint})"
    if t == "missing":
        return "required key is missing"
    shown = repr(inp) if not isinstance(inp, dict | list) else type(inp).__name__
    if len(shown) > 60:
        shown = shown[:57] + "..."
    msg = err["msg"]
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, ") :]
    return f"{msg[0].lower() + msg[1:]} (got {shown})"


def problems_from(
    exc: ValidationError,
    lines: Mapping[tuple[Any, ...], int],
    allowed_keys: dict[tuple[Any, ...], list[str]] | None = None,
    prefix: tuple[Any, ...] = (),
    data: Any = None,
) -> list[Problem]:
    seen: set[tuple[str, str]] = set()
    out: list[Problem] = []
    for err in exc.errors():
        loc = prefix + _clean_loc(tuple(err["loc"]), data)
        msg = _message(err, allowed_keys, loc)
        key = (dotted(loc), msg)
        if key in seen:
            continue
        seen.add(key)
        out.append(Problem(dotted(loc), msg, _line_for(loc, lines)))
    return out
