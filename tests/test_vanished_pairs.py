"""UTF-8 read as GBK where the decoder dropped the pairs it could not map
(../shared/examples/page-033): the repair puts back a vanished pair only where
the page's text and the model clearly agree, else leaves U+FFFD."""

from __future__ import annotations

import difflib
import json
import random

from cleaner.mojibake import lm as charlm
from cleaner.mojibake.swaps import (
    PageContext,
    _encode,
    _gbk_offsets,
    _restore_vanished_pairs,
    _vanished_pairs,
)
from cleaner.passes.mojibake import fix_mojibake


def _garble(text: str) -> str:
    """``text`` damaged the way page-033 was: UTF-8 read as GBK, a pair GBK
    cannot map vanishes, 0x80 shows as €, an odd byte eats the ASCII after it."""
    data = text.encode("utf-8")
    out, i = [], 0
    while i < len(data):
        b = data[i]
        if b <= 0x80:
            out.append(chr(b) if b < 0x80 else "€")
            i += 1
        elif i + 1 < len(data) and 0x40 <= data[i + 1] <= 0xFE and data[i + 1] != 0x7F:
            try:
                out.append(data[i:i + 2].decode("gbk"))
            except UnicodeDecodeError:
                pass
            i += 2
        else:
            out.append("?")
            i += 2
    return "".join(out)


def _made_up(repaired: str, fixed: str, garbled: str) -> tuple[int, int]:
    """(right, made up) characters of ``repaired``; garble left as it was and U+FFFD are neither."""
    right = made_up = 0
    for op, a1, a2, _, _ in difflib.SequenceMatcher(None, repaired, fixed, autojunk=False).get_opcodes():
        got = repaired[a1:a2]
        if op == "equal":
            right += a2 - a1
        elif got.replace("\ufffd", "") not in garbled:
            made_up += len(got.replace("\ufffd", ""))
    return right, made_up


def test_the_vanished_pairs_are_those_gbk_cannot_map():
    pairs = {p for kind in _vanished_pairs().values() for p in kind}
    # 委 = E5 A7 94 lost A7 94 (user-defined A140-A7A0); 中说 lost AD E8 and AF B4 (AAA1-AFFE)
    assert {b"\xa7\x94", b"\xad\xe8", b"\xaf\xb4", b"\xa3\x80"} <= pairs
    for pair in pairs:
        assert 0x80 <= pair[0] <= 0xBF  # the only first bytes that sit inside UTF-8
        try:
            pair.decode("gbk")
        except UnicodeDecodeError:
            continue
        raise AssertionError(pair)


def test_page_033_repairs_from_its_own_text(shared):
    page = (shared / "examples" / "page-033.txt").read_text(encoding="utf-8")
    lines = fix_mojibake(page)[0].split("\n")
    # 委 (A7 94 vanished) is put back because 卫健委 is repaired on line 4
    assert "国家卫健委在通报" in lines[2] and "国家卫健委网站" in lines[3]
    # 中说 lost two pairs side by side: the model cannot tell 中说 from 个说,
    # so U+FFFD, not the made-up 歡 a pair-at-a-time search gave
    assert "通报\ufffd明" in lines[2] or "通报中说明" in lines[2]
    assert not any(c in page_text for page_text in lines for c in "實歡典武")


def test_a_pair_is_put_back_only_between_characters():
    lm = charlm.load()
    run = _garble("国家卫健委在通报")  # read from here, 家 (E5 AE B6) lost AE B6 between 藉 and 鍗
    data = _encode(run, "gbk")
    boundaries, lost = _gbk_offsets(run)
    context = PageContext("国家卫健委网站", lm, [])
    assert _restore_vanished_pairs(data, lm, boundaries, lost, context).decode("utf-8") == "国家卫健委在通报"
    # with that boundary ruled out, no guess straddles a character: U+FFFD
    cut = data.index(b"\xe5\xe5") + 1
    restored = _restore_vanished_pairs(data, lm, boundaries - {cut}, lost, context)
    assert restored.decode("utf-8", errors="replace") == "国\ufffd卫健委在通报"


def test_an_odd_byte_at_the_end_is_not_guessed(shared):
    wild = json.loads((shared / "examples" / "cjk-mojibake-wild.json").read_text(encoding="utf-8"))
    case = next(c for c in wild if c["mojibake"].startswith("鐢辨湀"))  # 由月要好好学习天天向上
    repaired = fix_mojibake(case["mojibake"])[0]
    assert repaired.endswith("天天向\ufffd"), repaired  # not 向中歡�


def test_real_sentences_damaged_like_page_033(shared):
    """Sentences of the cwced pages, damaged the way page-033 was: most
    characters come back, and almost none is made up (U+FFFD instead)."""
    rng = random.Random(3)
    pages = sorted((shared / "corpus" / "cwced" / "cleaned").iterdir())
    lines = [ln for page in rng.sample(pages, 12)
             for ln in page.read_text(encoding="utf-8").splitlines()[:6] if len(ln) >= 20]
    right = made_up = total = 0
    garbled = [_garble(ln) for ln in lines]
    repaired = fix_mojibake("\n".join(garbled))[0].split("\n")
    for line, g, r in zip(lines, garbled, repaired):
        a, b = _made_up(r, line, g)
        right, made_up, total = right + a, made_up + b, total + len(line)
    assert total > 2000
    assert right >= 0.85 * total and made_up <= 0.015 * total, (right, made_up, total)
