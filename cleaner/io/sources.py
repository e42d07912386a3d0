"""Turn command-line inputs into a stream of work items, in a stable order.

Inputs are files, folders (searched recursively for .txt, .html, .htm and
.jsonl), glob patterns or ``-`` for standard input. Files are read one at a
time as the stream is consumed, so memory stays bounded by the largest file.
"""

from __future__ import annotations

import contextlib
import fnmatch
import glob
import io
import mmap
import os
import re
import stat
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

# Items that stand for lines of a JSONL file that the process getting them reads (``unit_items``).
RANGE_FORMATS = frozenset({"jsonl-range", "jsonl-cell"})

TEXT_SUFFIXES = {".txt": "text", ".text": "text", ".html": "html", ".htm": "html", ".jsonl": "jsonl"}


@dataclass(slots=True)
class Item:
    """One unit of work: a whole file's bytes, one JSONL record, or a byte range of a JSONL file."""

    source: str
    id: str
    # "text" or "html" (data: the file's bytes), "jsonl" (data: one raw JSONL
    # line, parsed by the worker that cleans it), "record" (an already parsed
    # dict), "jsonl-range" (the lines of ``source`` in the byte range ``span``,
    # read by the worker; see ``jsonl_byte_ranges``) or "jsonl-cell" (the lines
    # of ``source`` that start in the byte range ``span``; see ``jsonl_file_cells``).
    format: str
    data: bytes | None = None
    record: dict[str, Any] | None = None
    line: int | None = None
    error: str | None = None  # set when the item could not be read
    span: tuple[int, int] | None = None

    @property
    def size(self) -> int:
        if self.data is not None:
            return len(self.data)
        if self.span is not None:
            return self.span[1] - self.span[0]
        return 0


@dataclass(frozen=True, slots=True)
class Unreadable:
    """A path found while expanding the inputs that cannot be listed or read."""

    path: Path
    message: str


def expand_inputs(inputs: list[str]) -> Iterator[Path | str | Unreadable]:
    """Paths in a deterministic order: folders sorted, globs sorted; ``-`` as is."""
    for given in inputs:
        if given == "-":
            yield "-"
            continue
        path = Path(given)
        if path.is_dir():
            yield from _walk(path)
        elif path.exists() or path.is_symlink():
            yield path
        elif glob.has_magic(given):
            matches = _glob(given)
            if not matches:
                yield path  # reported as missing
            seen: set[Path] = set()  # ``a/**`` matches a folder and the files in it
            for match in matches:
                m = Path(match)
                for found in _walk(m) if m.is_dir() else [_found(m)]:
                    if isinstance(found, Unreadable) or found not in seen:
                        seen.add(found)
                        yield found
        else:
            yield path


def _glob(pattern: str) -> list[str]:
    """Sorted matches of ``pattern``; ``**`` never follows symlinked folders.

    ``glob.glob(recursive=True)`` follows them, so a link to a parent folder
    makes it descend until the path is too long, and two such links make the
    number of paths explode. ``**`` is matched here against an ``os.walk``
    listing instead, which does not follow links.
    """
    if "**" not in pattern:
        return sorted(glob.glob(pattern))
    parts = Path(pattern).parts
    fixed = next(i for i, part in enumerate(parts) if glob.has_magic(part))
    root = Path(*parts[:fixed]) if fixed else Path(".")
    matcher = re.compile(_translate(parts[fixed:]))
    found = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        relative = Path(folder).relative_to(root)
        # Symlinked folders are listed by os.walk but not entered; matching them
        # here would walk through the link after all.
        linked = {d for d in dirs if (Path(folder) / d).is_symlink()}
        for name in [*(d for d in dirs if d not in linked), *(f for f in files if not f.startswith("."))]:
            if matcher.fullmatch((relative / name).as_posix()):
                found.append(str(root / relative / name) if fixed else str(relative / name))
    return sorted(found)


def _translate(parts: tuple[str, ...]) -> str:
    pieces = []
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        if part == "**":
            pieces.append(".*" if last else "(?:.*/)?")
            continue
        # fnmatch's translation of one path component, kept inside the component.
        pieces.append(fnmatch.translate(part).removeprefix("(?s:").removesuffix(")\\Z").replace(".*", "[^/]*"))
        if not last:
            pieces.append("/")
    return "".join(pieces)


def _walk(folder: Path) -> Iterator[Path | Unreadable]:
    # os.walk does not follow symlinked folders, so symlink loops cannot trap it;
    # unreadable folders are reported through onerror rather than skipped silently.
    errors: list[OSError] = []
    for root, dirs, files in os.walk(folder, onerror=errors.append):
        dirs.sort()
        for name in sorted(files):
            if Path(name).suffix.lower() in TEXT_SUFFIXES and not name.startswith("."):
                yield _found(Path(root) / name)
    for err in errors:
        yield Unreadable(Path(err.filename or folder), "cannot list folder: " + _os_message(err))


def _found(path: Path) -> Path | Unreadable:
    """A file found by a folder walk or a glob, unless it is a pipe or device.

    Reading a named pipe or a device found that way would hang the run or never
    end; one named on the command line (``<(zcat x)``) is read like a file.
    """
    try:
        special = not stat.S_ISREG(path.stat().st_mode)
    except OSError:
        return path  # a broken link or a loop: reading it names the error
    return Unreadable(path, "not a regular file (pipe, socket or device)") if special else path


def read_items(inputs: list[str], *, stdin_format: str = "auto", stdin: BinaryIO | None = None,
               jsonl_ranges: int = 0, numbered: bool = False, jsonl_cells: int = 0) -> Iterator[Item]:
    """Work items, streamed: a JSONL file is read line by line, never whole.

    With ``jsonl_ranges``, a JSONL file (not standard input) comes as
    "jsonl-range" items of about that many bytes instead, whose lines the
    worker that gets one reads itself (``unit_items``); ``numbered`` ranges
    know their first line's number, so their items have the ids and line
    numbers they would have had (see ``jsonl_byte_ranges``). With
    ``jsonl_cells``, it comes as "jsonl-cell" items of that many bytes, cut
    without reading the file (see ``jsonl_file_cells``).
    """
    for path in expand_inputs(inputs):
        if isinstance(path, Unreadable):
            yield Item(str(path.path), path.path.name, "text", error=path.message)
            continue
        if path == "-":
            handle = stdin or sys.stdin.buffer
            if hasattr(handle, "peek"):
                head = handle.peek(1024)[:1024]
            else:
                head = handle.read()
                handle = io.BytesIO(head)
            if stdin_format in ("auto", "jsonl"):
                fmt = stdin_format if stdin_format != "auto" else sniff_format(head)
                if fmt == "jsonl":
                    yield from _jsonl_items("<stdin>", handle)
                    continue
            data = handle.read()
            fmt = stdin_format if stdin_format != "auto" else sniff_format(data)
            yield Item("<stdin>", "stdin", fmt, data=data)
            continue
        source = str(path)
        fmt = TEXT_SUFFIXES.get(path.suffix.lower(), "text")
        try:
            if path.is_dir():
                raise IsADirectoryError(f"cannot read folder {source}")
            if fmt == "jsonl" and jsonl_cells:
                yield from jsonl_file_cells(source, path.stat().st_size, jsonl_cells)
                continue
            if fmt == "jsonl":
                with path.open("rb", buffering=1 << 20) as handle:  # long lines: fewer refills
                    yield from jsonl_byte_ranges(source, handle, jsonl_ranges, numbered) if jsonl_ranges else \
                        _jsonl_items(source, handle)
                continue
            data = path.read_bytes()
        except OSError as err:
            yield Item(source, path.stem, fmt, error=_os_message(err))
            continue
        if fmt == "text" and sniff_format(data) == "html":
            fmt = "html"
        yield Item(source, path.stem, fmt, data=data)


def _jsonl_items(source: str, handle: BinaryIO) -> Iterator[Item]:
    """One item per non-blank line; parsing is left to the worker that cleans it."""
    stem = Path(source).stem
    for number, raw in enumerate(handle, start=1):
        if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        if raw.isspace() or not raw:
            continue
        yield Item(source, f"{stem}_{number}", "jsonl", data=raw, line=number)


def jsonl_byte_ranges(source: str, handle: BinaryIO, size: int, numbered: bool = False) -> Iterator[Item]:
    """A JSONL file as "jsonl-range" items: byte ranges of about ``size``
    bytes ending at line breaks, for ``range_items`` to read in the process
    that gets one. This process reads one line a range, where it cuts; with
    ``numbered``, it also counts the line breaks before each range (a scan in
    C), so that the range's items have their line numbers.
    """
    stem = Path(source).stem
    total = handle.seek(0, os.SEEK_END)
    start, line = 0, 1
    while start < total:
        if start + size >= total:
            end = total
        else:
            handle.seek(start + size)
            handle.readline()
            end = handle.tell()
        yield Item(source, stem, "jsonl-range", span=(start, end), line=line if numbered else None)
        if numbered:
            handle.seek(start)
            line += _count_newlines(handle, end - start)
        start = end


def jsonl_file_cells(source: str, total: int, size: int) -> Iterator[Item]:
    """A JSONL file of ``total`` bytes as "jsonl-cell" items: the byte ranges
    of ``size`` bytes that tile it, each standing for the lines that start in
    it (a line longer than a cell leaves the cells after it empty). Unlike
    ``jsonl_byte_ranges``, this reads nothing: a process that reads a cell
    finds where its first line starts (``range_items``), so every cell of a
    file is known at once."""
    stem = Path(source).stem
    for start in range(0, total, size):
        yield Item(source, stem, "jsonl-cell", span=(start, min(start + size, total)))


def _count_newlines(handle: BinaryIO, length: int) -> int:
    count = 0
    while length > 0:
        chunk = handle.read(min(length, 1 << 22))
        if not chunk:
            break
        count += chunk.count(b"\n")
        length -= len(chunk)
    return count


def range_start(item: Item, handle: BinaryIO | None = None) -> int:
    """Where the first line of a "jsonl-range" or "jsonl-cell" item starts.

    A cell's first byte may be inside a line that belongs to the cell before
    (one record can span many cells): the line break that ends it is found in
    the file mapped in memory, not read, so a cell inside a long record costs
    no copy of it.
    """
    assert item.span is not None
    start, end = item.span
    if item.format != "jsonl-cell" or start == 0:
        return start
    with contextlib.ExitStack() as stack:
        if handle is None:
            handle = stack.enter_context(open(item.source, "rb", buffering=0))
        try:
            with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
                found = mapped.find(b"\n", start - 1)
        except ValueError:  # emptied since it was cut into cells
            return end
    return found + 1 if found >= 0 else end


def range_items(item: Item, counted: list[int] | None = None) -> Iterator[Item]:
    """The "jsonl" items of a "jsonl-range" or "jsonl-cell" item, as
    ``read_items`` gives them (numbered when the range knows its first line's
    number). ``counted`` gets the number of lines read, blank ones too: what
    the next range's first line number is past this one's."""
    assert item.span is not None
    end = item.span[1]
    number = item.line
    read = 0
    try:
        with open(item.source, "rb", buffering=1 << 20) as handle:
            position = range_start(item, handle)
            handle.seek(position)
            while position < end:
                raw = handle.readline()
                if not raw:
                    return
                read += 1
                line = number
                if number is not None:
                    number += 1
                if position == 0 and raw.startswith(b"\xef\xbb\xbf"):
                    raw = raw[3:]
                    position += 3
                position += len(raw)
                if raw.isspace() or not raw:
                    continue
                yield Item(item.source, item.id if line is None else f"{item.id}_{line}", "jsonl", data=raw,
                           line=line, span=(position - len(raw), position))
    finally:
        if counted is not None:
            counted.append(read)


def unit_items(unit: Item, counted: list[int] | None = None) -> Iterator[Item]:
    """The items of a work unit: the unit itself, or the lines of a
    "jsonl-range" (``range_items``, which tells ``counted`` how many lines it
    read), with an item holding the error in place of what cannot be read."""
    if unit.format not in RANGE_FORMATS:
        yield unit
        return
    try:
        yield from range_items(unit, counted)
    except OSError as err:
        yield Item(unit.source, unit.id, "jsonl", error=_os_message(err), line=unit.line)


def parse_jsonl_line(item: Item) -> tuple[dict[str, Any], bool]:
    """The record of a "jsonl" item, and whether it must be written back by ``json``.

    Raises ValueError with the message the user sees for that line.
    """
    from cleaner.io import jsonl

    try:
        record, stdlib = jsonl.loads(item.data or b"")
    except UnicodeDecodeError as err:
        raise ValueError(f"line is not UTF-8 (byte {err.start})") from None
    except ValueError as err:
        raise ValueError(f"malformed JSON: {err}") from None
    if not isinstance(record, dict):
        raise ValueError(f"line is a JSON {type(record).__name__}, not an object")
    return record, stdlib


def sniff_format(data: bytes) -> str:
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<!doctype html", b"<html", b"<head", b"<body")) or (
        head.startswith(b"<") and b"<p" in data[:4096].lower() and b"</" in head
    ):
        return "html"
    if head.startswith(b"{"):
        return "jsonl"
    return "text"


def _os_message(err: OSError) -> str:
    if isinstance(err, IsADirectoryError):
        return "is a folder, not a file"
    if isinstance(err, PermissionError):
        return "permission denied"
    if isinstance(err, FileNotFoundError):
        return "no such file or folder"
    if err.errno == 40:  # ELOOP
        return "symlink loop"
    return err.strerror or str(err)
