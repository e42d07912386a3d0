"""Data tables built by scripts/ (see each file's "about" for its source and licence).

The binary tables (``charlm.bin``, ``pinyin_readings.bin``) share one layout: text
lines (format and version, ``key=value`` sizes, source and licence) up to a blank
line, then little-endian 32-bit arrays, which load with no parsing at all. The
build scripts write them with ``u32_bytes``, the readers use ``read_table`` and
``u32_array``.
"""

from __future__ import annotations

import sys
from array import array
from importlib import resources

# The array type code with 4-byte items ("I" almost everywhere).
U32 = next(code for code in "ILH" if array(code).itemsize == 4)


def u32_bytes(values) -> bytes:
    """``values`` as little-endian unsigned 32-bit integers."""
    a = array(U32, values)
    if sys.byteorder == "big":
        a.byteswap()
    return a.tobytes()


def u32_array(data) -> array:
    """The little-endian unsigned 32-bit integers of ``data`` (bytes or a memoryview)."""
    a = array(U32)
    a.frombytes(data)
    if sys.byteorder == "big":
        a.byteswap()
    return a


def read_table(name: str, magic: str, build_script: str) -> tuple[dict[str, str], memoryview]:
    """The header fields and the binary payload of the table ``name`` in this package,
    refusing a file whose first line does not start with ``magic`` (format and version)."""
    raw = resources.files(__name__).joinpath(name).read_bytes()
    text, _, rest = raw.partition(b"\n\n")
    first = text.decode("utf-8").split("\n")[0]
    if not first.startswith(magic + " ") and first != magic:
        raise ValueError(f"{name}: unknown format (rebuild with {build_script})")
    fields = dict(f.split("=", 1) for f in first[len(magic):].split())
    return fields, memoryview(rest)
