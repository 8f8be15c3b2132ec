"""The one place that makes rich consoles for standard output, and the table every renderer uses.

In a terminal, output keeps the terminal's width and today's look. Anywhere else (a pipe, a file
written with -o) nothing is ever cut: the width is the COLUMNS environment variable when it is set,
otherwise the natural width of what is printed (measured before printing), so nothing wraps; and
table columns fold a cell that does not fit instead of ending it in "…".

Table cells, headers and titles given as plain strings are text, never rich markup: a profile
name, unit, component name or document line such as ``[/]`` prints as written.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from typing import Any

from rich import table as rich_table
from rich.console import Console, RenderableType
from rich.measure import Measurement
from rich.text import Text

__all__ = ["Table", "plain", "print_rendered", "export_text", "pipe_width", "stdout_is_terminal"]

Render = Callable[[Console], None]

#: a pipe is never narrower than a classic terminal
MIN_WIDTH = 80
#: the probe's width: wider than anything tierplan prints
_PROBE_WIDTH = 100_000


def plain(x: Any) -> Any:
    """A str as literal Text (no markup); anything else unchanged."""
    return Text(x) if isinstance(x, str) else x


class Table(rich_table.Table):
    """A rich Table whose str cells, headers, title and caption are literal text (never markup) and
    whose columns fold what does not fit (never "…")."""

    def __init__(self, *headers: Any, title: Any = None, caption: Any = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # a Text title is not given the table's title style: give it here, as rich does for a str
        if title is not None:
            self.title = (
                Text(title, style=self.title_style or "table.title") if isinstance(title, str) else title
            )
        if caption is not None:
            self.caption = (
                Text(caption, style=self.caption_style or "table.caption")
                if isinstance(caption, str)
                else caption
            )
        for h in headers:
            self.add_column(h)

    def add_column(
        self, header: Any = "", footer: Any = "", *, overflow: Any = "fold", **kwargs: Any
    ) -> None:
        super().add_column(plain(header), plain(footer), overflow=overflow, **kwargs)

    def add_row(self, *renderables: Any, **kwargs: Any) -> None:
        super().add_row(*(plain(r) for r in renderables), **kwargs)


def _columns() -> int | None:
    v = os.environ.get("COLUMNS", "").strip()
    return int(v) if v.isdigit() and int(v) > 0 else None


class _WidthProbe(Console):
    """A console that prints nothing and records the widest thing it was asked to print."""

    def __init__(self) -> None:
        super().__init__(width=_PROBE_WIDTH, file=io.StringIO(), highlight=False, color_system=None)
        self.needed = 0

    def print(self, *objects: Any, **kwargs: Any) -> None:
        sep = kwargs.get("sep", " ")
        markup = kwargs.get("markup")
        total = 0
        for i, obj in enumerate(objects):
            r: RenderableType
            if isinstance(obj, str):
                r = self.render_str(obj, markup=markup, highlight=False)
            elif (
                hasattr(obj, "__rich__")
                or hasattr(obj, "__rich_console__")
                or hasattr(obj, "__rich_measure__")
            ):
                r = obj
            else:
                r = Text(str(obj))
            total += Measurement.get(self, self.options, r).maximum + (len(sep) if i else 0)
        self.needed = max(self.needed, total)


def pipe_width(render: Render) -> int:
    """The width for output that is not a terminal: COLUMNS when set, else the natural width."""
    cols = _columns()
    if cols is not None:
        return cols
    probe = _WidthProbe()
    render(probe)
    return max(probe.needed, MIN_WIDTH)


class _StdoutConsole(Console):
    """Standard output. A closed pipe (`| head`) is an OSError the CLI reports (exit 2), not
    rich's default of exiting with status 1 and no message."""

    def on_broken_pipe(self) -> None:
        import errno

        raise BrokenPipeError(errno.EPIPE, "broken pipe")


def print_rendered(render: Render) -> None:
    """Render to standard output: a terminal keeps its own width, a pipe gets :func:`pipe_width`."""
    con: Console = _StdoutConsole(highlight=False)
    if not con.is_terminal:
        con = _StdoutConsole(highlight=False, width=pipe_width(render))
    render(con)


def export_text(render: Render) -> str:
    """The rendered output as plain text (for -o FILE), at :func:`pipe_width`."""
    con = Console(record=True, highlight=False, width=pipe_width(render), file=io.StringIO())
    render(con)
    return con.export_text()


def stdout_is_terminal() -> bool:
    """Whether standard output is a terminal (as rich decides it, FORCE_COLOR and all)."""
    return Console().is_terminal
