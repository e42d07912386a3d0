"""Ctrl-C and SIGTERM: stop cleanly, with one line, whatever was running.

The command line installs a handler that raises ``Interrupted``: not a
KeyboardInterrupt (typer would turn that into a silent exit 130) but a
BaseException, so the batch stops its workers and the atomic writer removes
its temporary file on the way out.

Raising from a signal handler inside the process pool's own bookkeeping
(starting a worker, shutting down) can leave it half-done, so those calls run
``shielded``: an interruption that arrives meanwhile is raised right after.
Processes started while shielded also begin life with SIGINT blocked; Ctrl-C
reaches the whole process group, and a worker (or the forkserver) caught in
the middle of its start-up imports would otherwise print a traceback of its
own. The parent stops them instead.
"""

from __future__ import annotations

import contextlib
import signal
import sys
from collections.abc import Iterator

SIGNALS = (signal.SIGINT, signal.SIGTERM)

_shield_depth = 0
_pending: int | None = None
# The first signal received, if any: an error that follows it is its echo (an
# import cut short in one thread fails in another with an ImportError).
received: int | None = None


class Interrupted(BaseException):
    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum

    @property
    def message(self) -> str:
        return "interrupted" if self.signum == signal.SIGINT else f"stopped by {signal.Signals(self.signum).name}"

    @property
    def exit_code(self) -> int:
        return 128 + self.signum


def install() -> None:
    """Route SIGINT and SIGTERM to ``Interrupted`` (main thread only)."""
    for signum in SIGNALS:
        signal.signal(signum, _handler)
    if sys.unraisablehook is not _unraisable:
        global _default_unraisable
        _default_unraisable = sys.unraisablehook
        sys.unraisablehook = _unraisable


_default_unraisable = sys.unraisablehook


def _unraisable(unraisable) -> None:
    # A signal that lands in a destructor (the regex module's, while rules
    # compile) cannot propagate from there: Python reports it and goes on.
    # ``raise_if_received`` raises it again where it can land, so it needs no
    # report of its own.
    if isinstance(unraisable.exc_value, Interrupted):
        return
    _default_unraisable(unraisable)


def _handler(signum: int, frame) -> None:
    global _pending, received
    if received is None:
        received = signum
    if _shield_depth:
        _pending = signum
        return
    # Once is enough: a second Ctrl-C while cleaning up must not cut that short.
    for other in SIGNALS:
        signal.signal(other, signal.SIG_IGN)
    raise Interrupted(signum)


def raise_if_received() -> None:
    """Raise the interruption again where it can land: raised inside a
    destructor or a library's ``except BaseException``, it was swallowed."""
    if received is not None and not _shield_depth:
        raise Interrupted(received)


@contextlib.contextmanager
def shielded() -> Iterator[None]:
    global _shield_depth, _pending
    blocked = hasattr(signal, "pthread_sigmask")
    if blocked:
        previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    _shield_depth += 1
    try:
        yield
    finally:
        _shield_depth -= 1
        if blocked:
            # A Ctrl-C that came in while blocked is delivered here.
            signal.pthread_sigmask(signal.SIG_SETMASK, previous)
        if not _shield_depth and _pending is not None:
            signum, _pending = _pending, None
            _handler(signum, None)
