"""Atomic file replacement: a killed run leaves the old file or the new one, never half.

The new content goes to a temporary file in the target's folder (same file
system, so the final rename is atomic) and is renamed over the target only
after it was written and synced. Where Linux offers ``O_TMPFILE`` the temporary
file has no name until that moment, so even SIGKILL leaves no debris behind;
elsewhere it is a hidden ``.NAME.XXXX.tmp`` removed on any error.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

_PROC_FD = Path("/proc/self/fd")


@contextlib.contextmanager
def atomic_writer(path: str | Path, mode: str = "w", encoding: str | None = "utf-8",
                  buffering: int = -1) -> Iterator[IO]:
    """Write to a temporary file next to ``path`` and rename it over ``path`` on success."""
    path = Path(path)
    kwargs: dict = {"encoding": encoding, "newline": ""} if "b" not in mode else {}
    kwargs["buffering"] = buffering
    try:
        existing = path.stat()
    except FileNotFoundError:
        existing = None
    if existing is not None and not stat.S_ISREG(existing.st_mode):
        # /dev/stdout, /dev/null, a named pipe: there is nothing to replace
        # atomically, and renaming over a device node would destroy it.
        with open(path, mode, **kwargs) as handle:
            yield handle
        return
    if path.is_symlink():
        # Replace the file the link points to, not the link (a --fix on a
        # symlinked data file must not turn it into a copy).
        path = Path(os.path.realpath(path))

    directory = path.parent if str(path.parent) else Path(".")
    fd, tmp = _open_temporary(directory, path.name)
    try:
        with os.fdopen(fd, mode, closefd=False, **kwargs) as handle:
            yield handle
            handle.flush()
            os.fsync(fd)
        if existing is not None:
            # Keep the permissions of the file being replaced (--fix on a data file).
            os.fchmod(fd, existing.st_mode & 0o7777)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.fchmod(fd, 0o666 & ~umask)
        if tmp is None:  # an unnamed O_TMPFILE: give it a name first
            tmp = directory / f".{path.name}.{secrets.token_hex(4)}.tmp"
            _link_unnamed(fd, tmp)
        os.replace(tmp, path)
        _sync_folder(directory)
    except BaseException:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        raise
    finally:
        os.close(fd)


def _open_temporary(directory: Path, name: str) -> tuple[int, Path | None]:
    flag = getattr(os, "O_TMPFILE", 0)
    if flag and _PROC_FD.is_dir():
        try:
            return os.open(directory, flag | os.O_WRONLY, 0o600), None
        except OSError as err:
            # Not supported by this file system (or kernel): fall back to a
            # named file. Real errors (no such folder, permission) recur below.
            if isinstance(err, (FileNotFoundError, PermissionError, NotADirectoryError)):
                raise
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=directory)
    return fd, Path(tmp)


def _link_unnamed(fd: int, target: Path) -> None:
    # linkat(AT_SYMLINK_FOLLOW) on /proc/self/fd/N names an O_TMPFILE file.
    # os.link only calls linkat (rather than link, which would try to link the
    # /proc symlink itself) when given a folder descriptor.
    folder = os.open(target.parent, os.O_RDONLY)
    try:
        os.link(_PROC_FD / str(fd), target.name, dst_dir_fd=folder, follow_symlinks=True)
    finally:
        os.close(folder)


def _sync_folder(directory: Path) -> None:
    # The rename is only durable once the folder entry is on disk.
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
