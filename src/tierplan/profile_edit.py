"""Changing values in a profile's YAML text as a person would: the rest of the file (comments,
order, quoting, blank lines) is left exactly as it was (``tierplan calibrate``).

A key already in the file gets its new value on its own line, with a comment saying why; a comment
that was on that line moves to a line of its own above it, and a range written over several lines
becomes the one value. A key the file did not have (the profile used its default) is added under
its parent mapping, or with its parent at the end of the file. Flow-style parents
(``activity: {peak_factor: 3}``) cannot be edited line by line and are refused with a clear error.
"""

from __future__ import annotations

import re
from pathlib import Path

from .errors import TierplanError
from .yamlio import parse_yaml

__all__ = ["set_values"]

_KEY_LINE = r"^(?P<indent>\s*)(?P<key>{key})(?P<sep>\s*:\s*)(?P<value>.*?)(?P<comment>\s+#.*)?$"


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _fmt(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:g}"


def _set_one(text: str, path: tuple[str, ...], value: float, comment: str, where: Path | str) -> str:
    _data, lines = parse_yaml(text, where)
    rows = text.split("\n")
    line = lines.get(path)
    if line is not None:
        i = line - 1
        m = re.match(_KEY_LINE.format(key=re.escape(path[-1])), rows[i])
        if m is None:
            raise TierplanError(f"{where}: line {line}: cannot rewrite {'.'.join(path)} in place (not a `key: value` line)")
        value_text = m.group("value").strip()
        end = i + 1
        if value_text == "" or value_text in ("|", ">"):
            # a block value under the key (a range over several lines): it goes
            while end < len(rows) and (not rows[end].strip() or _indent(rows[end]) > len(m.group("indent"))):
                end += 1
        if value_text.startswith("{") or end > i + 1:
            # a range (or any mapping) becomes one value: say what the file had
            was = value_text if end == i + 1 else " ".join(r.strip() for r in rows[i + 1 : end] if r.strip())
            comment += f" (the file had {was})"
        new = [f"{m.group('indent')}{m.group('key')}: {_fmt(value)}  # {comment}"]
        if m.group("comment"):
            new.insert(0, f"{m.group('indent')}{m.group('comment').strip()}")
        return "\n".join(rows[:i] + new + rows[end:])
    # absent: add it under its parent (made if missing)
    for depth in range(len(path) - 1, 0, -1):
        parent = path[:depth]
        pline = lines.get(parent)
        if pline is None:
            continue
        prow = rows[pline - 1]
        if not re.match(_KEY_LINE.format(key=re.escape(parent[-1])), prow) or prow.split(":", 1)[1].split("#")[0].strip():
            raise TierplanError(
                f"{where}: line {pline}: {'.'.join(parent)} is written on one line; calibrate needs it as a block mapping to add {path[-1]}"
            )
        children = [lines[k] for k in lines.keys() if len(k) == depth + 1 and k[:depth] == parent]
        step = (_indent(rows[min(children) - 1]) - _indent(prow)) if children else 2
        base = _indent(prow) + step
        added = []
        for j, k in enumerate(path[depth:]):
            pad = " " * (base + j * step)
            added.append(f"{pad}{k}:" if j < len(path) - depth - 1 else f"{pad}{k}: {_fmt(value)}  # {comment}")
        return "\n".join(rows[:pline] + added + rows[pline:])
    tail = [f"{'  ' * j}{k}:" for j, k in enumerate(path[:-1])] + [f"{'  ' * (len(path) - 1)}{path[-1]}: {_fmt(value)}  # {comment}"]
    body = text.rstrip("\n")
    return body + "\n" + "\n".join(tail) + "\n"


def set_values(text: str, values: list[tuple[tuple[str, ...], float, str]], where: Path | str = "<profile>") -> str:
    """``text`` with each (key path, value, comment) set, one after the other."""
    for path, value, comment in values:
        text = _set_one(text, path, value, comment, where)
    return text
