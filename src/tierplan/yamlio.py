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


class LineMap(dict[tuple[Any, ...], int]):
    """Key path -> line number, computed only when first asked (i.e. when there is an error)."""

    def __init__(self, text: str = "") -> None:
        super().__init__()
        self._text: str | None = text or None

    def _fill(self) -> None:
        if self._text is not None:
            text, self._text = self._text, None
            node = yaml.compose(text, Loader=_Loader)
            if node is not None:
                _line_map(node, (), self)

    def __contains__(self, key: object) -> bool:
        self._fill()
        return super().__contains__(key)

    def __getitem__(self, key: tuple[Any, ...]) -> int:
        self._fill()
        return super().__getitem__(key)

    def get(self, key: tuple[Any, ...], default: Any = None) -> Any:  # type: ignore[override]
        self._fill()
        return super().get(key, default)


def read_text(path: Path, expected: str = "YAML text", encoding: str = "utf-8") -> str:
    """A text file the user gave; InputError (exit 2) naming the file when it is missing, a
    directory, unreadable, binary or not UTF-8. ``expected`` says what it should have been."""
    if not path.exists():
        raise InputError(
            path, "file not found", hint="check the path (it is relative to the current directory)"
        )
    if path.is_dir():
        raise InputError(path, f"is a directory, expected {expected}")
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise InputError(path, f"cannot be read: {e.strerror}") from None
    if b"\x00" in raw:
        raise InputError(path, f"looks like a binary file (it contains NUL bytes), expected {expected}")
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as e:
        raise InputError(path, f"is not UTF-8 text (byte {e.start}), expected {expected}") from None
    return text


def _line_map(node: yaml.Node, path: tuple[Any, ...], out: dict[tuple[Any, ...], int]) -> None:
    dict.__setitem__(out, path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            key = k.value
            dict.__setitem__(out, path + (key,), k.start_mark.line + 1)
            _line_map(v, path + (key,), out)
            dict.__setitem__(out, path + (key,), k.start_mark.line + 1)
    elif isinstance(node, yaml.SequenceNode):
        for i, v in enumerate(node.value):
            _line_map(v, path + (i,), out)


def load_yaml(path: Path | str, *, what: str = "YAML file") -> tuple[Any, LineMap]:
    """Parse ``path``; raise InputError for anything that is not a YAML mapping."""
    path = Path(path)
    text = read_text(path)
    if not text.strip() or all(ln.strip().startswith("#") or not ln.strip() for ln in text.splitlines()):
        raise InputError(path, f"is empty, expected a {what}")
    try:
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 - a safe loader
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
    return data, LineMap(text)
