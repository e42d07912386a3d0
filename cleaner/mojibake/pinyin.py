"""Pinyin annotations a converter appended to characters: ``企業(yè)``, ``產(chǎn)``.

An annotation is removed only where the syllable is a real reading of the
character before it (pypinyin's table, shipped as ``cleaner/data/pinyin_readings.bin``
and loaded on first use), so a gloss such as
``拼音(pīnyīn)`` in a language text, or ``(a)`` in a list, stays.
"""

from __future__ import annotations

import re
from array import array
from bisect import bisect_left
from functools import cache, lru_cache
from itertools import compress, repeat
from operator import methodcaller, sub

from cleaner.data import read_table, u32_array

# Tone-marked pinyin as a GBK page carries it (GBK has these letters, A8A1-A8C0).
PINYIN_LETTERS = "a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüêńňǹḿ"
SYLLABLE = f"[{PINYIN_LETTERS}]{{1,6}}"
# A syllable must carry a vowel; this keeps ``(m)`` or ``(s)`` out.
_VOWEL = re.compile("[aeiouüvāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜêńňǹḿ]")
# Opens with the bracket, not with the look back at the character before it, so
# the engine skips in C to the brackets (a scan five times faster on clean text).
ANNOTATION = re.compile(f"[(（](?<=[^\\x00-\\x7f][(（])({SYLLABLE})[)）]")
# ``ANNOTATION`` as two patterns that open with a literal: the engine then skips
# ahead at memchr speed (a class costs 50 instructions a character). No
# annotation holds a bracket, so the two never overlap.
_BY_BRACKET = tuple(re.compile(f"{b}(?<=[^\\x00-\\x7f]{b})({SYLLABLE})[)）]") for b in ("\\(", "（"))


@cache
def _readings_table() -> tuple[array, array, bytes]:
    """(code points, offsets, readings): pypinyin's single-character table as
    ``scripts/build_pinyin_table.py`` stores it (reading pypinyin's JSON cost
    12-19 ms per process; importing pypinyin, its phrase dictionary too, 0.3 s)."""
    fields, rest = read_table("pinyin_readings.bin", "#pinyin-readings 1", "scripts/build_pinyin_table.py")
    n = int(fields["characters"])
    code_points = u32_array(rest[:4 * n])
    offsets = u32_array(rest[4 * n:4 * (2 * n + 1)])
    return code_points, offsets, bytes(rest[4 * (2 * n + 1):])




@cache
def readings(char: str) -> frozenset[str]:
    """Tone-marked readings of one character ('' if unknown)."""
    if len(char) != 1:
        return frozenset()
    code_points, offsets, blob = _readings_table()
    i = bisect_left(code_points, ord(char))
    if i == len(code_points) or code_points[i] != ord(char):
        return frozenset()
    value = blob[offsets[i]:offsets[i + 1]].decode("utf-8")
    return frozenset(value.split(",")) if value else frozenset()


# a page's annotations repeat the same few hundred characters and readings
@lru_cache(maxsize=65536)
def is_reading(char: str, syllable: str) -> bool:
    return bool(_VOWEL.search(syllable)) and syllable in readings(char)


def find_annotations(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int, str]]:
    """(start, end, syllable) of each annotation that reads the character before it."""
    found: list[tuple[int, int, str]] = []
    end = len(text) if end is None else end
    for pattern in _BY_BRACKET:
        matches = list(pattern.finditer(text, start, end))
        if matches:
            # a page has hundreds: the fields and checks of all of them taken in C
            starts = list(map(re.Match.start, matches))
            syllables = list(map(_SYLLABLE_OF, matches))
            readings_ = map(is_reading, map(text.__getitem__, map(sub, starts, repeat(1))), syllables)
            found += compress(zip(starts, map(re.Match.end, matches), syllables), readings_)
    found.sort()
    return found


_SYLLABLE_OF = methodcaller("group", 1)


def strip_annotations(text: str) -> tuple[str, int]:
    """``text`` without its annotations, and how many were removed."""
    found = find_annotations(text)
    if not found:
        return text, 0
    out, pos = [], 0
    for s, e, _ in found:
        out.append(text[pos:s])
        pos = e
    out.append(text[pos:])
    return "".join(out), len(found)
