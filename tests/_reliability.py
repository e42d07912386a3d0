"""Helpers shared by the reliability tests (bad input, faults, properties)."""

from __future__ import annotations

import ctypes
import ctypes.util
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from conftest import ROOT

CLEANER = [sys.executable, "-m", "cleaner"]


def records_of(stdout: bytes | str) -> list[dict]:
    text = stdout.decode("utf-8") if isinstance(stdout, bytes) else stdout
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def stderr_lines(proc: subprocess.CompletedProcess) -> list[str]:
    return proc.stderr.decode("utf-8", "replace").splitlines()


def assert_no_traceback(proc: subprocess.CompletedProcess) -> None:
    err = proc.stderr.decode("utf-8", "replace")
    assert "Traceback" not in err and "Error:" not in err.replace("error:", ""), err
    assert proc.returncode in (0, 1), (proc.returncode, err)


def error_lines(proc: subprocess.CompletedProcess) -> list[str]:
    """The per-input error lines (everything before the summary)."""
    lines = stderr_lines(proc)
    return [line for line in lines if line.startswith("cleaner: ") and "documents cleaned" not in line]


def run(*args: str, cwd: Path | None = None, timeout: float = 120, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([*CLEANER, *args], cwd=cwd or ROOT, capture_output=True, timeout=timeout, **kwargs)


# -- processes --------------------------------------------------------------

def session_processes(session: int) -> list[int]:
    """Live (non-zombie) processes of a session: a run's leftovers."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            if os.getsid(int(entry)) != session:
                continue
            state = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if state != "Z":
            found.append(int(entry))
    return found


def wait_until_gone(session: int, timeout: float = 10) -> list[int]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        left = session_processes(session)
        if not left:
            return []
        time.sleep(0.05)
    return session_processes(session)


def descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                ppid = int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


def rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


# -- permissions ------------------------------------------------------------

_PR_CAPBSET_DROP = 24
_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH = 1, 2


def without_file_privileges():
    """A preexec_fn making permission bits bind, or the reason it cannot.

    Root reads a chmod-000 file anyway (CAP_DAC_OVERRIDE), so for root the
    child drops that capability and CAP_DAC_READ_SEARCH from its bounding set
    before exec: the kernel then refuses it like any other user.
    """
    if os.geteuid() != 0:
        return None, None
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    probe = subprocess.run([sys.executable, "-c", "pass"], preexec_fn=lambda: _drop(libc), capture_output=True)
    if probe.returncode != 0:
        return None, "running as root without CAP_SETPCAP: cannot make a file unreadable to this process"
    return (lambda: _drop(libc)), None


def _drop(libc) -> None:
    for cap in (_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH):
        if libc.prctl(_PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
            os._exit(97)
