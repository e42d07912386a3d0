"""Pinyin annotations a converter appended to characters: ``企業(yè)``, ``產(chǎn)``.

An annotation is removed only where the syllable is a real reading of the
character before it (pypinyin's table, loaded on first use), so a gloss such as
``拼音(pīnyīn)`` in a language text, or ``(a)`` in a list, stays.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

# Tone-marked pinyin as a GBK page carries it (GBK has these letters, A8A1-A8C0).
PINYIN_LETTERS = "a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüêńňǹḿ"
SYLLABLE = f"[{PINYIN_LETTERS}]{{1,6}}"
# A syllable must carry a vowel; this keeps ``(m)`` or ``(s)`` out.
_VOWEL = re.compile("[aeiouüvāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜêńňǹḿ]")
# Opens with the bracket, not with the look back at the character before it, so
# the engine skips in C to the brackets (a scan five times faster on clean text).
ANNOTATION = re.compile(f"[(（](?<=[^\\x00-\\x7f][(（])({SYLLABLE})[)）]")


@cache
def _readings_table() -> dict:
    """Code point -> "reading,reading" (pypinyin's single-character table).

    Importing pypinyin loads its 2.5 MB phrase dictionary too (0.3 s, more than
    the rest of the pass on 10 MB of news); recent pypinyin keeps the character
    table in ``pinyin_dict.json``, read here without importing the package.
    Keys are the code points as decimal strings there, ints in older releases.
    """
    import importlib.util
    import json
    import os

    spec = importlib.util.find_spec("pypinyin")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        path = os.path.join(folder, "pinyin_dict.json")
        if os.path.isfile(path):
            with open(path, encoding="utf-8") as f:
                return json.load(f)
    from pypinyin.pinyin_dict import pinyin_dict

    return pinyin_dict


@cache
def readings(char: str) -> frozenset[str]:
    """Tone-marked readings of one character ('' if unknown)."""
    if len(char) != 1:
        return frozenset()
    table = _readings_table()
    value = table.get(str(ord(char))) or table.get(ord(char))
    return frozenset(value.split(",")) if value else frozenset()


# a page's annotations repeat the same few hundred characters and readings
@lru_cache(maxsize=65536)
def is_reading(char: str, syllable: str) -> bool:
    return bool(_VOWEL.search(syllable)) and syllable in readings(char)


def find_annotations(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int, str]]:
    """(start, end, syllable) of each annotation that reads the character before it."""
    found = []
    for m in ANNOTATION.finditer(text, start, len(text) if end is None else end):
        if is_reading(text[m.start() - 1], m.group(1)):
            found.append((m.start(), m.end(), m.group(1)))
    return found


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
