"""Turn command-line inputs into a stream of work items, in a stable order.

Inputs are files, folders (searched recursively for .txt, .html, .htm and
.jsonl), glob patterns or ``-`` for standard input. Files are read one at a
time as the stream is consumed, so memory stays bounded by the largest file.
"""

from __future__ import annotations

import glob
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Iterator

TEXT_SUFFIXES = {".txt": "text", ".text": "text", ".html": "html", ".htm": "html", ".jsonl": "jsonl"}


@dataclass(slots=True)
class Item:
    """One unit of work: a whole file's bytes, or one JSONL record."""

    source: str
    id: str
    format: str  # "text", "html" or "record"
    data: bytes | None = None
    record: dict[str, Any] | None = None
    line: int | None = None
    error: str | None = None  # set when the item could not be read

    @property
    def size(self) -> int:
        if self.data is not None:
            return len(self.data)
        return 0


def expand_inputs(inputs: list[str]) -> Iterator[Path | str]:
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
            matches = sorted(glob.glob(given, recursive=True))
            if not matches:
                yield path  # reported as missing
            for match in matches:
                m = Path(match)
                yield from (_walk(m) if m.is_dir() else [m])
        else:
            yield path


def _walk(folder: Path) -> Iterator[Path]:
    # os.walk does not follow symlinked folders, so symlink loops cannot trap it;
    # unreadable folders are reported through onerror rather than skipped silently.
    errors: list[OSError] = []
    for root, dirs, files in os.walk(folder, onerror=errors.append):
        dirs.sort()
        for name in sorted(files):
            if Path(name).suffix.lower() in TEXT_SUFFIXES and not name.startswith("."):
                yield Path(root) / name
    for err in errors:
        yield Path(err.filename or folder)  # reading it yields the error item


def read_items(inputs: list[str], *, stdin_format: str = "auto", stdin: BinaryIO | None = None) -> Iterator[Item]:
    for path in expand_inputs(inputs):
        if path == "-":
            data = (stdin or sys.stdin.buffer).read()
            fmt = stdin_format if stdin_format != "auto" else sniff_format(data)
            yield from _items_from_bytes("<stdin>", "stdin", fmt, data)
            continue
        source = str(path)
        fmt = TEXT_SUFFIXES.get(path.suffix.lower(), "text")
        try:
            if path.is_dir():
                raise IsADirectoryError(f"cannot read folder {source}")
            data = path.read_bytes()
        except OSError as err:
            yield Item(source, path.stem, fmt, error=_os_message(err))
            continue
        if fmt == "text" and sniff_format(data) == "html":
            fmt = "html"
        yield from _items_from_bytes(source, path.stem, fmt, data)


def _items_from_bytes(source: str, stem: str, fmt: str, data: bytes) -> Iterator[Item]:
    if fmt == "jsonl":
        yield from _jsonl_items(source, data)
    else:
        yield Item(source, stem, fmt, data=data)


def _jsonl_items(source: str, data: bytes) -> Iterator[Item]:
    stem = Path(source).stem
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    for number, raw in enumerate(data.split(b"\n"), start=1):
        if not raw.strip():
            continue
        try:
            record = json.loads(raw)
        except UnicodeDecodeError as err:
            yield Item(source, f"{stem}_{number}", "record", line=number,
                       error=f"line is not UTF-8 (byte {err.start})")
            continue
        except ValueError as err:
            yield Item(source, f"{stem}_{number}", "record", line=number, error=f"malformed JSON: {err}")
            continue
        if not isinstance(record, dict):
            yield Item(source, f"{stem}_{number}", "record", line=number,
                       error=f"line is a JSON {type(record).__name__}, not an object")
            continue
        yield Item(source, str(record.get("id", f"{stem}_{number}")), "record", record=record, line=number)


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
