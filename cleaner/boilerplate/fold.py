"""A matching view of a text: Traditional folded to Simplified, full-width
punctuation, digits and letters folded to ASCII, odd spaces to a plain space.

Every fold is one character to one character, so an offset in the folded view is
the same offset in the original: rules match on the view, edits are cut from the
original. One rule written in Simplified with ASCII punctuation thus covers
``責編：``, ``责编:`` and ``(責編:``.
"""

from __future__ import annotations

from functools import cache
from importlib import resources


@cache
def fold_table() -> dict[int, int]:
    table: dict[int, int] = {}
    text = resources.files("cleaner.data").joinpath("t2s_fold.txt").read_text(encoding="utf-8")
    for line in text.splitlines():
        if len(line) == 2:
            table[ord(line[0])] = ord(line[1])
    # Full-width ASCII variants (！ to ～) to ASCII; ideographic and no-break spaces to a space.
    for cp in range(0xFF01, 0xFF5F):
        table[cp] = cp - 0xFEE0
    for space in "\u00a0\u3000\u2002\u2003\u2009":
        table[ord(space)] = 0x20
    table[ord("\u200b")] = 0x20
    return table


@cache
def _fold_list() -> list[int]:
    # str.translate looks every character up in its table; a list indexed by
    # code point answers twice as fast as the dict. Characters past its end
    # raise IndexError, which translate takes for "unchanged".
    table = fold_table()
    out = list(range(max(table) + 1))
    for source, target in table.items():
        out[source] = target
    return out


def fold(text: str) -> str:
    """The matching view of ``text``: same length, same offsets."""
    return text.translate(_fold_list())


@cache
def unfold_table() -> dict[str, tuple[str, ...]]:
    """Each folded character -> the characters that fold to it (for keyword spellings)."""
    variants: dict[str, list[str]] = {}
    for source, target in fold_table().items():
        variants.setdefault(chr(target), []).append(chr(source))
    return {k: tuple(v) for k, v in variants.items()}


def spellings(keyword: str, limit: int = 256) -> set[str]:
    """The spellings of a folded ``keyword`` in unfolded text (Traditional, full-width)."""
    table = unfold_table()
    out = {""}
    for ch in keyword:
        options = (ch, *table.get(ch, ()))
        out = {prefix + option for prefix in out for option in options}
        if len(out) > limit:
            return {keyword}  # give up on the exotic: the folded spelling still matches
    return out
