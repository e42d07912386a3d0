"""JSON lines in and out: orjson where it gives the same data, the standard library where not.

orjson parses and writes JSON several times faster than the ``json`` module
(with ``ensure_ascii=False`` the standard library spends as long on a Chinese
record as the whole layout pass does), but it is not a drop-in replacement for
every input a user's JSONL may hold:

- integers beyond 64 bits are parsed as floats (silently losing digits), so a
  record in which orjson found a float that large is read again by ``json``;
- ``NaN``/``Infinity`` and lone surrogates (``"\\ud800"``) are rejected, so such
  lines are read by ``json``, and the record is then written back by ``json``
  too, which keeps them (orjson would write ``NaN`` as ``null``).

Both writers produce the same compact form (no spaces after ``:`` and ``,``).
"""

from __future__ import annotations

import json
from typing import Any

try:
    import orjson
except ImportError:  # pragma: no cover - orjson is a dependency; this keeps odd platforms working
    orjson = None

# orjson reads an integer it cannot hold in 64 bits as a float at least this large.
_INT64_LIMIT = 2.0**63


def loads(raw: bytes | str) -> tuple[Any, bool]:
    """Parse one JSON value; the flag says the standard library must write it back."""
    if orjson is not None:
        try:
            value = orjson.loads(raw)
        except orjson.JSONDecodeError:
            pass  # the standard library either accepts it or raises its usual error message
        else:
            if not _has_huge_float(value):
                return value, False
    return json.loads(raw), True


def _has_huge_float(value: Any) -> bool:
    if isinstance(value, float):
        return abs(value) >= _INT64_LIMIT
    if isinstance(value, dict):
        return any(_has_huge_float(v) for v in value.values() if not isinstance(v, str))
    if isinstance(value, list):
        return any(_has_huge_float(v) for v in value if not isinstance(v, str))
    return False


def dumps(record: Any, stdlib: bool = False) -> bytes:
    """One compact JSON line (UTF-8, no newline)."""
    if orjson is not None and not stdlib:
        try:
            return orjson.dumps(record)
        except TypeError:  # an int beyond 64 bits or a lone surrogate from a library caller
            pass
    try:
        return json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    except UnicodeEncodeError:
        # Lone surrogates cannot be UTF-8: keep them as the \\udxxx escapes they were read from.
        return json.dumps(record, separators=(",", ":")).encode("ascii")
