"""Reading YAML input files with clear errors: missing, empty, binary, broken syntax.

``load_yaml`` returns the data and a map from key path to line number, so that schema errors can
point at the line the user wrote.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .errors import InputError, Problem

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml is much faster when present

__all__ = ["load_yaml", "LineMap"]

LineMap = dict[tuple[Any, ...], int]


def _read_text(path: Path) -> str:
    if not path.exists():
        raise InputError(
            path, "file not found", hint="check the path (it is relative to the current directory)"
        )
    if path.is_dir():
        raise InputError(path, "is a directory, expected a YAML file")
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise InputError(path, f"cannot be read: {e.strerror}") from None
    if b"\x00" in raw:
        raise InputError(path, "looks like a binary file (it contains NUL bytes), expected YAML text")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise InputError(path, f"is not UTF-8 text (byte {e.start}), expected YAML") from None
    return text


def _line_map(node: yaml.Node, path: tuple[Any, ...], out: LineMap) -> None:
    out[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            key = k.value
            out[path + (key,)] = k.start_mark.line + 1
            _line_map(v, path + (key,), out)
            out[path + (key,)] = k.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, v in enumerate(node.value):
            _line_map(v, path + (i,), out)


def load_yaml(path: Path | str, *, what: str = "YAML file") -> tuple[Any, LineMap]:
    """Parse ``path``; raise InputError for anything that is not a YAML mapping."""
    path = Path(path)
    text = _read_text(path)
    if not text.strip() or all(ln.strip().startswith("#") or not ln.strip() for ln in text.splitlines()):
        raise InputError(path, f"is empty, expected a {what}")
    try:
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark else None
        msg = (e.problem or str(e)).strip()
        raise InputError(path, [Problem("", f"invalid YAML: {msg}", line)]) from None
    except yaml.YAMLError as e:
        raise InputError(path, f"invalid YAML: {e}") from None
    if not isinstance(data, dict):
        kind = type(data).__name__ if data is not None else "nothing"
        kind = {"list": "a list", "str": "a single string", "int": "a number", "float": "a number"}.get(
            kind, kind
        )
        raise InputError(
            path, f"expected a mapping of keys (like `name: ...`) at the top level, found {kind}"
        )
    lines: LineMap = {}
    if node is not None:
        _line_map(node, (), lines)
    return data, lines
