"""Reading YAML input files with clear errors: missing, empty, binary, oversized, broken syntax.

Every YAML file tierplan reads (profiles, stack files, policies, assumptions, the bundled catalog
and country data, a user's ``--catalog``) goes through ``load_yaml``/``parse_yaml``, which read
YAML 1.2 (core schema), as people write it:

- only ``true``/``false`` (any case form the spec allows) are booleans: ``NO``, ``ON``, ``Y`` and
  ``off`` stay strings (Norway is ``NO``); ``012`` is twelve, ``0o12`` is ten;
- dates are not converted: ``2026-02-30`` is a string, and a field that wants a date checks it;
- a key given twice in one mapping is an error (YAML forbids it; 1.1 readers keep the last);
- aliases are resolved without copying, and refused when they refer to themselves or expand to
  more than ``MAX_EXPANDED_VALUES`` values (a "billion laughs" bomb);
- nesting deeper than ``MAX_DEPTH`` and files over ``MAX_INPUT_BYTES`` are refused.

libyaml (PyYAML's C parser) does the parsing; resolution follows the YAML 1.2 core schema
(https://yaml.org/spec/1.2.2/#103-core-schema) instead of PyYAML's YAML 1.1 tables. A pure-Python
YAML 1.2 reader (ruamel.yaml) reads the bundled catalog 16x slower (0.64 s against 0.04 s,
measured with both on this catalog), which would triple the time of every `tierplan plan`.

``load_yaml`` returns the data and a map from key path to line number, so that schema errors can
point at the line the user wrote.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import BaseResolver

from .errors import InputError, Problem

__all__ = [
    "LineMap",
    "MAX_DEPTH",
    "MAX_EXPANDED_VALUES",
    "MAX_INPUT_BYTES",
    "load_yaml",
    "parse_yaml",
    "read_text",
]

#: input files larger than this are refused (a profile is a few KB, a plan document a few hundred)
MAX_INPUT_BYTES = 4 * 1024 * 1024
#: values a document may expand to through aliases (each alias counts the values it stands for)
MAX_EXPANDED_VALUES = 200_000
#: mappings and lists nested deeper than this are refused
MAX_DEPTH = 64

_TAG = "tag:yaml.org,2002:"


class _Resolver12(BaseResolver):
    """Implicit tags of the YAML 1.2 core schema (plus ``<<`` merge keys, which users expect)."""


_Resolver12.yaml_implicit_resolvers = {}
for _tag, _regexp, _first in (
    ("bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", "-+0123456789"),
    (
        "float",
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
        "-+0123456789.",
    ),
    ("null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    ("merge", r"^(?:<<)$", "<"),
):
    _Resolver12.add_implicit_resolver(_TAG + _tag, re.compile(_regexp), list(_first))

_INT12 = re.compile(r"^[-+]?[0-9]+$")


class _Constructor12(SafeConstructor):
    """SafeConstructor with YAML 1.2 integers and duplicate keys refused."""

    def construct_yaml_int(self, node: ScalarNode) -> int:  # type: ignore[override]
        value = str(self.construct_scalar(node)).replace("_", "")
        if value.startswith("0o"):
            return int(value[2:], 8)
        if value.startswith("0x"):
            return int(value[2:], 16)
        if not _INT12.match(value):
            raise ConstructorError(None, None, f"{value!r} is not an integer", node.start_mark)
        return int(value, 10)

    def construct_mapping(self, node: Node, deep: bool = False) -> dict[Any, Any]:  # type: ignore[override]
        if isinstance(node, MappingNode):
            seen: dict[tuple[str, str], Node] = {}
            for key_node, _value in node.value:
                if not isinstance(key_node, ScalarNode) or key_node.tag == _TAG + "merge":
                    continue
                k = (key_node.tag, key_node.value)
                if k in seen:
                    raise ConstructorError(
                        None,
                        None,
                        f"duplicate key {key_node.value!r} (first given on line "
                        f"{seen[k].start_mark.line + 1}; YAML allows a key once per mapping)",
                        key_node.start_mark,
                    )
                seen[k] = key_node
        return super().construct_mapping(node, deep=deep)  # type: ignore[arg-type,no-any-return]

    def construct_object(self, node: Node, deep: bool = False) -> Any:
        """Any failure to read a value (an explicit tag on text it cannot hold: `!!int x`,
        `!!timestamp x`, `!!float abc`) becomes a YAML error at the value's line."""
        try:
            return super().construct_object(node, deep=deep)
        except yaml.YAMLError:
            raise
        except (ValueError, TypeError, KeyError, AttributeError, OverflowError):
            what = f"{node.value!r}" if isinstance(node, ScalarNode) else "this value"
            raise ConstructorError(
                None, None, f"{what} cannot be read as {node.tag.replace(_TAG, '!!')}", node.start_mark
            ) from None


_Constructor12.add_constructor(_TAG + "int", _Constructor12.construct_yaml_int)  # type: ignore[type-var]


try:  # libyaml's parser when PyYAML was built with it (the wheels are)
    from yaml._yaml import CParser as _Parser

    _LIBYAML = True
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    _Parser = yaml.parser.Parser  # type: ignore[misc,assignment]
    _LIBYAML = False


class _Loader(_Parser, _Constructor12, _Resolver12):  # type: ignore[misc,valid-type]
    """libyaml's parser, YAML 1.2 core schema resolution, safe construction."""

    def __init__(self, stream: str) -> None:
        if _LIBYAML:
            _Parser.__init__(self, stream)
        else:  # pragma: no cover
            yaml.reader.Reader.__init__(self, stream)  # type: ignore[arg-type]
            yaml.scanner.Scanner.__init__(self)  # type: ignore[arg-type]
            yaml.parser.Parser.__init__(self)  # type: ignore[arg-type]
            yaml.composer.Composer.__init__(self)  # type: ignore[arg-type]
        _Constructor12.__init__(self)
        _Resolver12.__init__(self)


def _scalar_key(node: Node) -> Any:
    """The Python value of a mapping key, as the constructor builds it (for the line map)."""
    if not isinstance(node, ScalarNode):
        return None
    tag, v = node.tag, node.value
    try:
        if tag == _TAG + "int":
            return _Constructor12.construct_yaml_int(_Constructor12(), node)
        if tag == _TAG + "float":
            return float(v.replace("_", "").lower().replace(".inf", "inf").replace(".nan", "nan"))
        if tag == _TAG + "bool":
            return v.lower() == "true"
        if tag == _TAG + "null":
            return None
    except (ValueError, ConstructorError):
        return v
    return v


def _children(node: Node) -> Iterator[tuple[Any, Node, Node | None]]:
    """(key in the data, child node, key node) of a mapping or list node."""
    if isinstance(node, MappingNode):
        for k, v in node.value:
            yield _scalar_key(k), v, k
    elif isinstance(node, SequenceNode):
        for i, v in enumerate(node.value):
            yield i, v, None


def _check_graph(root: Node, path: Path | str) -> None:
    """Refuse recursive aliases, alias bombs and deep nesting before anything is constructed.

    The composed graph shares one node per anchor; ``expanded`` counts what each node stands for
    with every alias written out, memoised per node so a bomb is measured without expanding it."""
    expanded: dict[int, int] = {}
    on_path: set[int] = set()
    # iterative post-order walk: (node, depth, children iterator or None when first seen)
    stack: list[tuple[Node, int, Iterator[tuple[Any, Node, Node | None]] | None]] = [(root, 1, None)]
    while stack:
        node, depth, it = stack.pop()
        nid = id(node)
        if it is None:
            if nid in expanded:
                continue
            if depth > MAX_DEPTH:
                raise InputError(
                    path,
                    [Problem("", f"nested more than {MAX_DEPTH} levels deep", node.start_mark.line + 1)],
                )
            on_path.add(nid)
            it = _children(node)
        pushed = False
        for _key, child, _knode in it:
            cid = id(child)
            if cid in on_path:
                raise InputError(
                    path,
                    [
                        Problem(
                            "",
                            "recursive alias: an anchor is used inside its own value",
                            child.start_mark.line + 1,
                        )
                    ],
                )
            if cid not in expanded:
                stack.append((node, depth, it))
                stack.append((child, depth + 1, None))
                pushed = True
                break
        if pushed:
            continue
        on_path.discard(nid)
        total = 1 + sum(expanded[id(c)] for _k, c, _kn in _children(node))
        if total > MAX_EXPANDED_VALUES:
            raise InputError(
                path,
                [
                    Problem(
                        "",
                        f"aliases expand this document to more than {MAX_EXPANDED_VALUES:,} values "
                        "(an alias bomb?); write the values out or use fewer aliases",
                        node.start_mark.line + 1,
                    )
                ],
            )
        expanded[nid] = total


class LineMap(dict[tuple[Any, ...], int]):
    """Key path -> line number of the key (or list item), computed only when first asked (when
    there is an error). A node reached again through an alias is not walked again."""

    def __init__(self, root: Node | None = None) -> None:
        super().__init__()
        self._root = root

    def _fill(self) -> None:
        if self._root is None:
            return
        root, self._root = self._root, None
        seen: set[int] = set()
        stack: list[tuple[tuple[Any, ...], Node]] = [((), root)]
        dict.__setitem__(self, (), root.start_mark.line + 1)
        while stack:
            path, node = stack.pop()
            if id(node) in seen:
                continue
            seen.add(id(node))
            for key, child, knode in _children(node):
                p = path + (key,)
                if not dict.__contains__(self, p):
                    mark = knode.start_mark if knode is not None else child.start_mark
                    dict.__setitem__(self, p, mark.line + 1)
                stack.append((p, child))

    def __contains__(self, key: object) -> bool:
        self._fill()
        return super().__contains__(key)

    def __getitem__(self, key: tuple[Any, ...]) -> int:
        self._fill()
        return super().__getitem__(key)

    def get(self, key: tuple[Any, ...], default: Any = None) -> Any:  # type: ignore[override]
        self._fill()
        return super().get(key, default)

    def items(self) -> Any:
        self._fill()
        return super().items()

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        self._fill()
        return super().__iter__()

    def __len__(self) -> int:
        self._fill()
        return super().__len__()

    def locate(self, key_path: str) -> int | None:
        """The line of a dotted key path as problems write it (``components.api.plan``,
        ``requirements.providers.allow[0]``, ``assumptions.latency.fiber_km_per_ms``: a key may
        itself contain dots), else of the nearest enclosing key found."""
        self._fill()
        tokens: list[Any] = []
        for part in re.findall(r"\[(\d+)\]|([^.\[\]]+)", key_path):
            tokens.append(int(part[0]) if part[0] else part[1])
        best = dict.get(self, ())

        def walk(i: int, prefix: tuple[Any, ...]) -> None:
            nonlocal best
            if prefix in self:
                best = dict.__getitem__(self, prefix)
            if i == len(tokens):
                return
            if isinstance(tokens[i], int):
                if prefix + (tokens[i],) in self:
                    walk(i + 1, prefix + (tokens[i],))
                return
            for j in range(len(tokens), i, -1):  # the longest dotted key that exists here
                if any(isinstance(t, int) for t in tokens[i:j]):
                    continue
                key = ".".join(tokens[i:j])
                if prefix + (key,) in self:
                    walk(j, prefix + (key,))
                    return

        walk(0, ())
        return best

    def line(self, loc: tuple[Any, ...]) -> int | None:
        """The line of ``loc``, else of the nearest enclosing key that has one."""
        self._fill()
        while loc:
            if loc in self:
                return dict.__getitem__(self, loc)
            loc = loc[:-1]
        return dict.get(self, ())


def read_bytes(path: Path, expected: str = "YAML text", limit: int = MAX_INPUT_BYTES) -> bytes:
    """The bytes of a file the user gave, at most ``limit``; InputError (exit 2) naming the file
    when it is missing, a directory, unreadable or too large (device files included: reading
    stops after ``limit`` bytes)."""
    try:
        if not path.exists():
            raise InputError(
                path, "file not found", hint="check the path (it is relative to the current directory)"
            )
        if path.is_dir():
            raise InputError(path, f"is a directory, expected {expected}")
        with path.open("rb") as f:
            raw = f.read(limit + 1)
    except OSError as e:
        raise InputError(path, f"cannot be read: {e.strerror or e}") from None
    except ValueError as e:  # e.g. an embedded NUL byte in the path
        raise InputError(str(path).replace("\x00", "\\0"), f"is not a usable path: {e}") from None
    if len(raw) > limit:
        raise InputError(
            path,
            f"is larger than {limit // (1024 * 1024)} MB; expected {expected} "
            "(tierplan reads input files up to that size)",
        )
    return raw


def read_text(path: Path, expected: str = "YAML text", encoding: str = "utf-8") -> str:
    """A text file the user gave; InputError (exit 2) naming the file when it is missing, a
    directory, unreadable, too large, binary or not UTF-8. ``expected`` says what it should have
    been."""
    raw = read_bytes(path, expected)
    if b"\x00" in raw:
        raise InputError(path, f"looks like a binary file (it contains NUL bytes), expected {expected}")
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as e:
        raise InputError(path, f"is not UTF-8 text (byte {e.start}), expected {expected}") from None
    return text


def _yaml_problem(e: yaml.YAMLError) -> Problem:
    if isinstance(e, yaml.MarkedYAMLError):
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark else None
        msg = " ".join(x for x in (e.context, e.problem) if x).strip() or str(e)
        return Problem("", f"invalid YAML: {msg}", line)
    return Problem("", f"invalid YAML: {e}")


def parse_yaml(text: str, path: Path | str = "<string>") -> tuple[Any, LineMap]:
    """Parse YAML 1.2 text (one document) into plain data and its line map; InputError (exit 2)
    for broken syntax, bad tags, duplicate keys, recursive aliases, alias bombs, deep nesting."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, LineMap()
        _check_graph(node, path)
        data = loader.construct_document(node)
    except yaml.YAMLError as e:
        raise InputError(path, [_yaml_problem(e)]) from None
    except (ValueError, TypeError, KeyError, AttributeError, OverflowError) as e:
        # an explicit tag whose text the constructor cannot read (`!!int x`, `!!timestamp x`)
        raise InputError(path, f"invalid YAML value: {e}") from None
    finally:
        loader.dispose()
    return data, LineMap(node)


def load_yaml(path: Path | str, *, what: str = "YAML file") -> tuple[Any, LineMap]:
    """Parse ``path``; raise InputError for anything that is not a YAML mapping."""
    path = Path(path)
    text = read_text(path)
    if not text.strip() or all(ln.strip().startswith("#") or not ln.strip() for ln in text.splitlines()):
        raise InputError(path, f"is empty, expected {'an' if what[:1] in 'aeiou' else 'a'} {what}")
    data, lines = parse_yaml(text, path)
    if not isinstance(data, dict):
        kind = type(data).__name__ if data is not None else "nothing"
        kind = {"list": "a list", "str": "a single string", "int": "a number", "float": "a number"}.get(
            kind, kind
        )
        raise InputError(
            path, f"expected a mapping of keys (like `name: ...`) at the top level, found {kind}"
        )
    return data, lines
