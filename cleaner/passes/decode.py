"""Decoding: bytes in, text out, and the encoding that was used recorded.

Most input is UTF-8, so a strict UTF-8 decode is tried first and costs one C
call; charset-normalizer is only asked when that fails, and only among the
encodings Chinese web text actually comes in (``Options.encodings``), because
left to choose freely it prefers cp1250 over cp1252 and turns ``à`` into ``ŕ``.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from cleaner.errors import InputError
from cleaner.passes.base import Code, Pass, PassResult

# Labels that name a subset of a bigger encoding: decode with the superset, so
# a GB2312-labelled page with a GBK character (or a Big5 page with an HKSCS
# one) does not fail.
SUPERSETS = {
    "gb2312": "gb18030", "gbk": "gb18030", "cp936": "gb18030", "euc_cn": "gb18030",
    "hz": "gb18030", "big5": "big5hkscs", "cp950": "big5hkscs",
    "ascii": "utf-8", "utf_8": "utf-8",
    "iso8859_1": "cp1252", "latin_1": "cp1252",  # what browsers do too
}

_CHARSET_META = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_\-]{2,20})""", re.IGNORECASE)
_BINARY_CONTROL = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f\x7f]")
# Text that decodes as UTF-8 is only called binary above this share of control
# bytes: a short note with a few stray controls (or a test of every Unicode
# category) is damaged text, while real binary formats are rarely valid UTF-8
# at all.
_BINARY_SHARE_UTF8 = 0.10
# ... and only with at least this many: in a note of a few words, three stray
# NULs are a large share and still damage, not a binary format.
_BINARY_MIN_UTF8 = 8


@dataclass(frozen=True)
class DecodeOptions:
    # Candidates handed to charset-normalizer when the input is not UTF-8.
    encodings: tuple[str, ...] = (
        "utf_8", "utf_16", "utf_32", "gb18030", "big5", "cp1252", "shift_jis", "euc_kr",
    )
    # Share of control bytes above which a file is called binary, not text.
    binary_threshold: float = 0.01
    # Share of undecodable bytes that is replaced with U+FFFD (and flagged)
    # instead of rejecting the file.
    max_replaced: float = 0.01


def canonical(encoding: str) -> str:
    name = codecs.lookup(encoding).name.replace("-", "_")
    return SUPERSETS.get(name, name.replace("_", "-"))


class Decode(Pass):
    name = "decode"
    summary = "bytes to text: BOMs, UTF-8/16, GB18030, Big5-HKSCS, Latin family (charset-normalizer)"
    Options = DecodeOptions
    codes = (
        Code("E101", "decode_replaced", "undecodable bytes replaced with U+FFFD", "b'\\xff' in a UTF-8 file"),
        Code("E102", "mixed_encoding", "lines in another encoding than the rest of the file",
             "a GBK line inside a UTF-8 file"),
        Code("E103", "bom", "byte order mark removed", "\\ufeff at the start of a line"),
        Code("E104", "reencoded", "file is not UTF-8 (check --fix rewrites it as UTF-8)",
             "a GB18030 or Big5 file"),
        Code("E105", "nul", "NUL characters removed", "abc\\x00def"),
    )

    def apply(self, text, doc):
        if doc.data is None:
            return PassResult(text)
        decoded, encoding, counts = decode_bytes(doc.data, doc.source or doc.id, self.options, doc.format == "html")
        doc.data = None
        doc.encoding_in = encoding
        for kind in counts:
            doc.flag(kind)
        return PassResult(decoded, counts=counts)


def decode_bytes(data: bytes, source: str, options: DecodeOptions = DecodeOptions(),
                 html: bool = False) -> tuple[str, str, dict[str, int]]:
    """Return (text, encoding name, counts of repairs made while decoding)."""
    if not data:
        return "", "utf-8", {}
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF32_LE, "utf-32"),
                          (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF16_LE, "utf-16"),
                          (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return _finish(_strict(data, encoding, source), encoding, {})
    utf16 = _sniff_bomless_utf16(data)
    if utf16:
        return _finish(_strict(data, utf16, source), utf16, {})
    sample = data[:65536]
    controls = len(_BINARY_CONTROL.findall(sample))
    # One stray NUL is damage in a text file; many control bytes make a binary one.
    if controls > 1 and controls > options.binary_threshold * len(sample):
        many = controls > _BINARY_SHARE_UTF8 * len(sample) and controls >= _BINARY_MIN_UTF8
        if many or not utf8_plausible(sample, allow_nul=True):
            raise InputError(source, "binary file (control bytes), not text")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        first_error = err.start
    else:
        return _finish(text, "utf-8", {})
    if html:
        declared = _CHARSET_META.search(data[:4096])
        if declared:
            try:
                encoding = canonical(declared.group(1).decode("ascii"))
                return _finish(*_lenient(data, encoding, source, options))
            except LookupError:
                pass
    mixed = _decode_mixed(data, options)
    if mixed is not None:
        return _finish(*mixed)
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=list(options.encodings)).best()
    if best is not None:
        return _finish(*_lenient(data, canonical(best.encoding), source, options))
    # charset-normalizer gives up on a file with a few damaged bytes (a GBK page
    # with one truncated character); the CJK codec that needs the fewest
    # replacements wins if that is within the tolerated share.
    damaged = _least_damaged(data, options)
    if damaged is None:
        raise InputError(source, f"undecodable bytes at byte {first_error}: not UTF-8, UTF-16, GB18030, "
                         "Big5 or a Latin encoding", line_at(data, first_error, "utf-8"))
    return _finish(*damaged)


def _least_damaged(data: bytes, options: DecodeOptions):
    best = None
    for encoding in ("utf-8", "gb18030", "big5hkscs"):
        text = data.decode(encoding, errors="replace")
        replaced = text.count("\ufffd")
        if best is None or replaced < best[2]:
            best = (text, encoding, replaced)
    text, encoding, replaced = best
    if replaced > options.max_replaced * len(data) + 1:
        return None
    return text, encoding, {"decode_replaced": replaced}


def line_at(data: bytes, position: int, encoding: str) -> int:
    """Line number (from 1) of byte ``position`` in ``data``, for error messages."""
    return data[:position].decode(encoding, errors="replace").count("\n") + 1


def _strict(data: bytes, encoding: str, source: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as err:
        raise InputError(source, f"undecodable bytes for {encoding} at byte {err.start}",
                         line_at(data, err.start, encoding)) from None


def _lenient(data: bytes, encoding: str, source: str, options: DecodeOptions):
    try:
        return data.decode(encoding), encoding, {}
    except UnicodeDecodeError as err:
        first_error = err.start
    text = data.decode(encoding, errors="replace")
    replaced = text.count("\ufffd")
    if replaced > options.max_replaced * len(data) + 1:
        raise InputError(source, f"undecodable bytes: {replaced} bytes are not {encoding} "
                         f"(first at byte {first_error})", line_at(data, first_error, encoding))
    return text, encoding, {"decode_replaced": replaced}


def _finish(text: str, encoding: str, counts: dict[str, int]) -> tuple[str, str, dict[str, int]]:
    """Drop what decoding leaves behind that is never content.

    A BOM inside a file comes from concatenating files that each had one; a NUL
    is padding or a torn write, and many downstream tools take it for the end
    of the string. Both are found with one C-level scan when absent.
    """
    if "\ufeff" in text:
        counts = {**counts, "bom": text.count("\ufeff")}
        text = text.replace("\ufeff", "")
    if "\x00" in text:
        counts = {**counts, "nul": text.count("\x00")}
        text = text.replace("\x00", "")
    return text, encoding, counts


def _sniff_bomless_utf16(data: bytes) -> str | None:
    """UTF-16 without a BOM: accept a byte order only if it decodes to plausible text.

    ASCII-heavy UTF-16 has a NUL in every other byte; Chinese UTF-16 has not, so
    both orders are decoded and kept only if nearly every character is a CJK
    ideograph, CJK punctuation, or printable ASCII.
    """
    sample = data[:4096]
    if len(sample) < 4 or len(data) % 2:
        return None
    if utf8_plausible(sample):
        return None
    for encoding in ("utf-16-le", "utf-16-be"):
        try:
            text = sample.decode(encoding)
        except UnicodeDecodeError:
            continue
        if len(_PLAUSIBLE.findall(text)) >= 0.95 * len(text):
            return encoding
    return None


def utf8_plausible(sample: bytes, allow_nul: bool = False) -> bool:
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as err:
        return err.start >= len(sample) - 3  # a character cut by the sample's end
    return allow_nul or b"\x00" not in sample


_PLAUSIBLE = re.compile("[\t\n\r\x20-\x7e\u00a0-\u024f\u2010-\u206f\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


def _decode_mixed(data: bytes, options: DecodeOptions):
    """A UTF-8 file with some lines in another encoding (pasted from elsewhere).

    Only when the lines that are valid UTF-8 hold real multi-byte UTF-8 (not
    just ASCII, which every encoding shares) is the file called mixed; then the
    other lines are decoded with the encoding detected for them alone.
    """
    lines = data.split(b"\n")
    if len(lines) < 2:
        return None
    bad: list[int] = []
    utf8_evidence = False
    for i, line in enumerate(lines):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            bad.append(i)
        else:
            utf8_evidence = utf8_evidence or not line.isascii()
    if not bad or not utf8_evidence:
        return None
    from charset_normalizer import from_bytes

    others = [e for e in options.encodings if not e.startswith("utf")]
    best = from_bytes(b"\n".join(lines[i] for i in bad), cp_isolation=others).best()
    if best is None:
        return None
    other = canonical(best.encoding)
    badset = set(bad)
    text = "\n".join(
        line.decode(other, errors="replace") if i in badset else line.decode("utf-8")
        for i, line in enumerate(lines)
    )
    return text, "utf-8", {"mixed_encoding": len(bad)}
