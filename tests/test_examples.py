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
        source = repaired.get(n) if n in repaired and len(repaired[n]) < 200 else None
        source = source or _ANNOTATION.sub("", raw_lines[n - 1])
        run = _HAN_RUN.search(_T2S(source))
        yield label, (run.group()[:12] if run else None), cleaned, record


@pytest.mark.parametrize("name", [
    "page-020",
    # Known defect: where two GBK pairs vanished side by side (``中说`` lost AD E8 AF B4),
    # the vanished-pair search puts back one pair at a time and makes up a character
    # (``中歡明``); and ``卫健委`` reads ``卫健實`` because A7 94 (委) is not among the
    # pairs it tries and the model prefers 實在. Needs a joint search over adjacent
    # pairs at character boundaries, and the page's own bigrams (see swaps.py).
    pytest.param("page-033", marks=pytest.mark.xfail(strict=True, reason="lossy UTF-8-as-GBK repair invents characters")),
])
def test_labelled_lines_are_kept_or_dropped(shared, name):
    for label, signature, cleaned, _ in _labelled(shared, name):
        if signature is None or label["why"] in ("subtitle",) and name == "page-033":
            continue  # page-033's subtitle is too garbled to recognise by a run (its repair is lossy)
        if label["label"] == "keep":
            assert signature in cleaned, (label, signature)
        else:
            assert signature not in cleaned, (label, signature)


def test_dropped_lines_leave_their_metadata(shared):
    for label, _, _, record in _labelled(shared, "page-033"):
        for key, value in label.get("meta", {}).items():
            if key != "note":
                assert record["meta"].get(key) == value, (label, record["meta"])


def test_classification_line_of_a_reposted_paper_is_dropped(shared):
    (_, _, _, record), *_ = [x for x in _labelled(shared, "page-020")]
    assert "中图分类号" not in record["text"] and "D630" not in record["text"]
    assert "keywords" in record["fixes"]
