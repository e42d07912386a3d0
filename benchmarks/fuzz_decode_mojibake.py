"""Fuzz the decoding and mojibake passes with hypothesis; keep every crash.

    python benchmarks/fuzz_decode_mojibake.py --minutes 3

Inputs are bytes built the way real damage is: seed text in UTF-8, GBK,
Big5, UTF-16 and cp1252, cut at any byte, with bytes flipped, dropped,
inserted or repeated, UTF-8 decoded as GBK or Latin-1 and encoded again,
BOMs and NULs spliced in, plus plain random bytes. Each input goes through
``decode_bytes`` and then every text pass up to and including ``mojibake``
(when that pass exists). Allowed outcomes are a text or an ``InputError``;
anything else is a crash. A crashing input is saved, shrunk, under
tests/regressions/ (``decode-<hash>.bin``), where tests/test_regressions.py
replays it in CI. The script prints inputs per second and the crash count.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import time
import traceback
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cleaner.document import Document
from cleaner.errors import InputError
from cleaner.passes import REGISTRY, pass_class
from cleaner.passes.base import apply_changes
from cleaner.passes.decode import decode_bytes

REGRESSIONS = ROOT / "tests" / "regressions"
SEEDS = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt"))]
ENCODINGS = ["utf-8", "gb18030", "gbk", "big5", "utf-16", "utf-16-le", "cp1252", "utf-8-sig"]


def passes_under_test():
    """decode's followers up to mojibake: the passes that see raw damage first."""
    names = []
    for name in REGISTRY:
        if name == "decode":
            continue
        names.append(name)
        if name == "mojibake":
            break
    if "mojibake" not in names:
        names = [n for n in names if n in ("html",)]
    return [pass_class(n)() for n in names]


PASSES = passes_under_test()


def check_input(data: bytes, html: bool = False) -> None:
    """Raise on a crash; return on a text or a clean InputError."""
    try:
        text, encoding, counts = decode_bytes(data, "fuzz", html=html)
    except InputError:
        return
    assert isinstance(text, str) and "\x00" not in text and "\ufeff" not in text
    text.encode("utf-8")  # must be writable as UTF-8 (no lone surrogates)
    doc = Document(id="fuzz", text=text, format="html" if html else "text")
    for p in PASSES:
        result = p.apply(text, doc)
        # Passes that edit text explain their output with their changes; the
        # html pass turns markup into text wholesale and reports counts only.
        if result.changes:
            assert apply_changes(text, result.changes) == result.text, p.name
        text = result.text


@st.composite
def damaged_bytes(draw) -> bytes:
    if draw(st.integers(0, 9)) == 0:
        return draw(st.binary(max_size=400))
    seed = draw(st.sampled_from(SEEDS))
    start = draw(st.integers(0, max(0, len(seed) - 1)))
    text = seed[start:start + draw(st.integers(0, 400))]
    kind = draw(st.sampled_from(["encode", "utf8-as-gbk", "utf8-as-latin1", "gbk-as-big5"]))
    encoding = draw(st.sampled_from(ENCODINGS))
    if kind == "encode":
        data = text.encode(encoding, errors="replace")
    elif kind == "utf8-as-gbk":
        data = text.encode("utf-8").decode("gbk", errors="replace").encode("utf-8")
    elif kind == "utf8-as-latin1":
        data = text.encode("utf-8").decode("latin-1").encode("utf-8")
    else:
        data = text.encode("gbk", errors="replace").decode("big5", errors="replace").encode("utf-8")
    data = bytearray(data)
    for _ in range(draw(st.integers(0, 6))):
        op = draw(st.sampled_from(["flip", "drop", "insert", "repeat", "bom", "nul", "cut"]))
        at = draw(st.integers(0, len(data)))
        if op == "flip" and at < len(data):
            data[at] ^= draw(st.integers(1, 255))
        elif op == "drop" and at < len(data):
            del data[at]
        elif op == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=4))
        elif op == "repeat":
            data[at:at] = data[at:at + draw(st.integers(1, 8))] * draw(st.integers(1, 5))
        elif op == "bom":
            data[at:at] = draw(st.sampled_from([b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"]))
        elif op == "nul":
            data[at:at] = b"\x00" * draw(st.integers(1, 3))
        elif op == "cut":
            data = data[:at]
    return bytes(data)


def save(data: bytes, html: bool, error: BaseException) -> Path:
    REGRESSIONS.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha1(data).hexdigest()[:12]
    path = REGRESSIONS / f"decode-{digest}{'.html' if html else ''}.bin"
    path.write_bytes(data)
    path.with_suffix(path.suffix + ".txt").write_text(
        "".join(traceback.format_exception(type(error), error, error.__traceback__)[-3:]), encoding="utf-8")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=3.0)
    parser.add_argument("--seed", type=int, default=0, help="hypothesis seed (0: random)")
    args = parser.parse_args()
    deadline = time.monotonic() + args.minutes * 60
    counters = {"inputs": 0, "crashes": 0, "bytes": 0}
    saved: list[Path] = []
    last: dict = {}  # the input being checked: hypothesis raises after replaying the shrunk one
    started = time.monotonic()
    print(f"passes after decode: {[p.name for p in PASSES]}; {args.minutes} min", flush=True)
    while time.monotonic() < deadline:
        crash: list[BaseException] = []

        @settings(max_examples=2000, deadline=None, database=None, derandomize=False,
                  suppress_health_check=list(HealthCheck))
        @given(data=damaged_bytes(), html=st.booleans())
        def fuzz(data: bytes, html: bool) -> None:
            counters["inputs"] += 1
            counters["bytes"] += len(data)
            if time.monotonic() > deadline and not crash:
                return
            last["data"], last["html"] = data, html
            check_input(data, html)

        try:
            fuzz()
        except Exception as err:  # hypothesis re-raises the shrunk failing example
            counters["crashes"] += 1
            crash.append(err)
            saved.append(save(last["data"], last["html"], err))
            print(f"crash saved: {saved[-1].relative_to(ROOT)}: {type(err).__name__}: {err}"[:300], flush=True)
    elapsed = time.monotonic() - started
    print(f"{counters['inputs']} inputs, {counters['bytes'] / 1e6:.1f} MB in {elapsed:.0f} s "
          f"({counters['inputs'] / elapsed:.0f} inputs/s); {counters['crashes']} crashes; saved: {len(saved)}")


if __name__ == "__main__":
    main()
