"""Writing what the user asked for, all or nothing: one file (``-o FILE``) or a tree of files
(``gen -o DIR``).

Rules (the CLI's promise):
- an existing file is never overwritten without ``force`` (the CLI may ask first at a terminal);
- every file is written to a temporary name beside its target and renamed into place only when
  all of them were written, so a failure (disk full, a parent that is a file, a name too long)
  leaves no partial file and no directory this call created;
- device files (``/dev/null``, ``/dev/stdout``) are written in place: they are not "overwritten";
- every failure is an ``InputError`` (exit 2) naming the path and what is wrong.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path

from .errors import InputError

__all__ = ["write_file", "write_tree", "describe_os_error"]

#: most file systems refuse a path component longer than this (bytes)
NAME_MAX = 255


def describe_os_error(e: OSError) -> str:
    """A short reason for an OSError, without the path (the caller names it)."""
    reasons = {
        errno.ENOSPC: "no space left on the device",
        errno.EACCES: "permission denied",
        errno.EPERM: "permission denied",
        errno.EROFS: "the file system is read-only",
        errno.ENAMETOOLONG: f"a name in the path is longer than the file system allows ({NAME_MAX} bytes)",
        errno.ENOTDIR: "a parent of it is a file, not a directory",
        errno.EISDIR: "is a directory",
        errno.EEXIST: "a parent of it is a file, not a directory",
        errno.ENOENT: "the file cannot be created there",
        errno.EPIPE: "the reading end was closed",
    }
    return reasons.get(e.errno or 0, e.strerror or str(e))


def _check_names(path: Path) -> None:
    for part in path.parts:
        if len(os.fsencode(part)) > NAME_MAX:
            raise InputError(
                path,
                f"cannot be written: a name in the path is longer than {NAME_MAX} bytes ({part[:40]}...)",
            )


def _is_device(path: Path) -> bool:
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    return not stat.S_ISREG(mode) and not stat.S_ISDIR(mode)


def _make_parents(directory: Path, target: Path, created: list[Path]) -> None:
    """Create ``directory`` and its missing parents, recording each one created (outermost first)."""
    missing = []
    d = directory
    while not d.exists():
        if d.is_symlink():  # a dangling link: do not create through it
            raise InputError(target, f"cannot be written: {d} is a broken symbolic link")
        missing.append(d)
        if d.parent == d:
            break
        d = d.parent
    if d.exists() and not d.is_dir():
        raise InputError(target, f"cannot be written: {d} is a file, not a directory")
    for m in reversed(missing):
        try:
            m.mkdir()
        except OSError as e:
            raise InputError(target, f"cannot be written: {describe_os_error(e)}") from None
        created.append(m)


def _undo(temps: list[Path], created: list[Path]) -> None:
    for t in temps:
        try:
            t.unlink()
        except OSError:
            pass
    for d in reversed(created):
        try:
            d.rmdir()
        except OSError:
            pass


def write_tree(
    root: Path,
    files: dict[str, str],
    force: bool = False,
    confirm: Callable[[list[Path]], bool] | None = None,
) -> list[Path]:
    """Write ``files`` (relative path -> text) under ``root``, all or nothing. Existing files are
    replaced only with ``force`` (or when ``confirm`` says yes). Returns the paths written."""
    targets = [(root / rel, text) for rel, text in files.items()]
    for path, _text in targets:
        _check_names(path)
    existing = [p for p, _t in targets if p.exists() or p.is_symlink()]
    dirs = [p for p in existing if p.is_dir()]
    if dirs:
        raise InputError(dirs[0], "is a directory where a file is to be written")
    replace = [p for p in existing if not _is_device(p)]
    if replace and not force and not (confirm is not None and confirm(replace)):
        shown = ", ".join(str(p) for p in replace[:5]) + (
            f" and {len(replace) - 5} more" if len(replace) > 5 else ""
        )
        raise InputError(
            root if len(replace) > 1 else replace[0],
            f"{shown}: already exist{'s' if len(replace) == 1 else ''}; pass --force to overwrite"
            if len(replace) > 1
            else "already exists; pass --force to overwrite it",
        )
    created: list[Path] = []
    temps: list[Path] = []
    staged: list[tuple[Path, Path]] = []
    try:
        for path, text in targets:
            data = text.encode("utf-8")
            if _is_device(path):
                continue
            _make_parents(path.parent, path, created)
            try:
                fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tierplan-", suffix=".tmp")
            except OSError as e:
                raise InputError(path, f"cannot be written: {describe_os_error(e)}") from None
            temps.append(Path(tmp))
            try:
                with os.fdopen(fd, "wb") as f:
                    f.write(data)
            except OSError as e:
                raise InputError(path, f"cannot be written: {describe_os_error(e)}") from None
            staged.append((Path(tmp), path))
        for path, text in targets:  # devices: written in place, nothing to undo
            if _is_device(path):
                try:
                    with path.open("wb") as f:
                        f.write(text.encode("utf-8"))
                except OSError as e:
                    raise InputError(path, f"cannot be written: {describe_os_error(e)}") from None
        for staged_tmp, path in staged:
            try:
                os.replace(staged_tmp, path)
            except OSError as e:
                raise InputError(path, f"cannot be written: {describe_os_error(e)}") from None
            temps.remove(staged_tmp)
    except BaseException:
        _undo(temps, created)
        raise
    return [p for p, _t in targets]


def write_file(
    path: Path, text: str, force: bool = False, confirm: Callable[[Path], bool] | None = None
) -> Path:
    """Write one file, all or nothing (see the module's rules). ``text`` gets a final newline."""
    if not text.endswith("\n"):
        text += "\n"
    _check_names(path)
    if path.is_dir():
        raise InputError(path, "is a directory; give a file name")
    if path.name in ("", ".", ".."):
        raise InputError(path, "is not a file name")
    ask = (lambda paths: confirm(paths[0])) if confirm is not None else None
    write_tree(path.parent, {path.name: text}, force, ask)
    return path
