"""Turn pydantic validation errors into user-facing problems with key paths and line numbers."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import ValidationError

from .errors import Problem

__all__ = ["problems_from", "dotted", "got"]


def dotted(loc: Iterable[Any]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


#: names pydantic gives the members of a union in an error's location: not keys of the document
_BRANCH = ("constrained-", "function-", "json-or-python", "lax-or-strict", "nullable")
_TYPE_NAMES = {"str", "int", "float", "bool", "list", "dict", "tuple", "none", "date", "datetime"}


def _is_branch(part: Any) -> bool:
    return isinstance(part, str) and (
        "[" in part or part.startswith(_BRANCH) or part in _TYPE_NAMES or part.endswith("-float")
    )


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
                elif i < len(loc) - 1 or _is_branch(part):
                    continue  # a union branch name, not a key of the document
                else:
                    node = None
            elif isinstance(node, list) and isinstance(part, int) and part < len(node):
                node = node[part]
            elif isinstance(part, str):
                continue  # below a value that is not a mapping: a branch name
        elif _is_branch(part):
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
    msg = err["msg"]
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, ") :]
    return f"{msg[0].lower() + msg[1:]}{got(inp)}"


def got(value: Any) -> str:
    """`` (got ...)``: the offending value, short (a mapping or list written compactly)."""
    import json

    if isinstance(value, dict | list | tuple):
        try:
            shown = json.dumps(value, ensure_ascii=False, default=str, separators=(", ", ": "))
        except (TypeError, ValueError, RecursionError):
            shown = type(value).__name__
    else:
        shown = repr(value)
    if len(shown) > 60:
        shown = shown[:57] + "..."
    return f" (got {shown})"


def _merge_union(messages: list[str]) -> str:
    """One line for the members of a union that all failed: 'input should be A, or B (got x)'."""
    tails = {m[m.rfind(" (got ") :] for m in messages if " (got " in m}
    tail = tails.pop() if len(tails) == 1 else ""
    parts = []
    for m in messages:
        body = m[: len(m) - len(tail)] if tail and m.endswith(tail) else m
        body = body.removeprefix("input should be ")
        if body not in parts:
            parts.append(body)
    return "input should be " + ", or ".join(parts) + tail


def problems_from(
    exc: ValidationError,
    lines: Mapping[tuple[Any, ...], int],
    allowed_keys: dict[tuple[Any, ...], list[str]] | None = None,
    prefix: tuple[Any, ...] = (),
    data: Any = None,
) -> list[Problem]:
    by_loc: dict[tuple[Any, ...], list[str]] = {}
    for err in exc.errors():
        loc = prefix + _clean_loc(tuple(err["loc"]), data)
        if err["type"] in ("union_tag_invalid", "union_tag_not_found"):
            loc = loc + ("kind",) if not loc or loc[-1] != "kind" else loc
        msg = _message(err, allowed_keys, loc)
        msgs = by_loc.setdefault(loc, [])
        if msg not in msgs:
            msgs.append(msg)
    out: list[Problem] = []
    for loc, msgs in by_loc.items():
        simple = [m for m in msgs if m.startswith("input should be ")]
        if len(simple) > 1:  # the members of a union, each refusing the value
            msgs = [m for m in msgs if m not in simple] + [_merge_union(simple)]
        for msg in msgs:
            out.append(Problem(dotted(loc), msg, _line_for(loc, lines)))
    return out
