from itertools import pairwise

from conftest import seed_text
from hypothesis import example, given, settings
from hypothesis import strategies as st

from cleaner import Pipeline
from cleaner.passes.base import apply_changes
from cleaner.passes.layout import LayoutOptions, fix_layout


def test_seed_003_inserted_spaces_are_stripped():
    out, changes = fix_layout(seed_text("003"))
    for fixed in ("领导小组指挥长负责制", "每天一调度", "专项工作协调服务组,各乡镇(街道)",
                  "积极推行互联网非接触式办理", "消毒频次。", "谈及采取的措施,钱建超说。"):
        assert fixed in out
    assert any(c.code == "W103" for c in changes)


def test_seed_004_hard_wraps_rejoined_but_headings_kept():
    out, _ = fix_layout(seed_text("004"))
    for joined in ("不\n僅織密", "服務真\n的太周到了", "黨組\n織勇于擔當", "第\n一線"):
        assert joined.replace("\n", "") in out
    lines = out.splitlines()
    assert "勇于擔當 困難面前黨徽亮" in lines  # heading: its space and its line stay
    assert any(line.startswith("黨建引領,全力推進復工復產") for line in lines)


def test_blank_line_runs_collapse_and_paragraphs_stay():
    out, changes = fix_layout("\n\n第一段。  \n\n\n\n\u3000\u3000第二段。\r\n第三段。\n\n")
    assert out == "第一段。\n\n第二段。\n第三段。"
    assert {c.code for c in changes} == {"W101", "W102", "W105", "W106"}


def test_clean_text_is_unchanged_and_idempotent():
    once, _ = fix_layout(seed_text("004"))
    twice, changes = fix_layout(once)
    assert twice == once and changes == []
    assert fix_layout("第一段。\n\n第二段。") == ("第一段。\n\n第二段。", [])


def test_options_switch_steps_off():
    text = "这是一个很长的句子被硬换行切开了因为它很长很长很长很\n长的句子。"
    assert fix_layout(text, LayoutOptions(join_wrapped=False))[0] == text
    assert "\n" not in fix_layout(text)[0]


# Other line breaks are read as \n: the same output, changes placed exactly on
# the input, one W106 for each break that stays.
_PIECES = list("中文字字字字字字字字。，,.!?：“”（(）a1 \u3000\t\n\n\n") + ["攝", "；", "\u200b"]
_OPTIONS = [LayoutOptions(), LayoutOptions(join_wrapped=False), LayoutOptions(strip_cjk_spaces=False),
            LayoutOptions(heading_max=4, wrap_min=3, tail_min=0), LayoutOptions(collapse_blank_lines=False)]
_BREAKS = st.sampled_from(["\r\n", "\r", "\u2028", "\u2029", "\x0c", "\x85", "\n"])


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=90), st.sampled_from(_OPTIONS), st.data())
def test_other_line_breaks_are_read_as_newlines(pieces, options, data):
    text = "".join(p if p != "\n" else data.draw(_BREAKS) for p in pieces)
    out, changes = fix_layout(text, options)
    assert out == fix_layout(text.replace("\r\n", "\n").translate(_AS_NEWLINE), options)[0]
    assert apply_changes(text, changes) == out
    assert all(text[c.start:c.end] == c.before for c in changes)
    assert all(a.end <= b.start for a, b in pairwise(changes))


_AS_NEWLINE = str.maketrans(dict.fromkeys("\r\u2028\u2029\x0c\x85", "\n"))


def test_crlf_real_pages_clean_like_lf(shared):
    for path in sorted((shared / "corpus" / "cwced" / "cleaned").glob("*.txt"))[:30]:
        text = path.read_text(encoding="utf-8")
        variant = "\n \n" + text.replace("\n\n", "\n \u3000\n") + " \n\n"
        out, changes = fix_layout(variant.replace("\n", "\r\n"))
        assert out == fix_layout(variant)[0]
        assert sum(c.code == "W106" for c in changes) == out.count("\n")


def test_blank_lines_kept_between_paragraphs_when_not_collapsing():
    text = "\n \n第一段。\n \n\n\u3000\n第二段。\r\n\r\n\n"
    assert fix_layout(text, LayoutOptions(collapse_blank_lines=False))[0] == "第一段。\n\n\n\n第二段。"


# -- layout and punctuation together: one white space rule -------------------------
# Layout runs before punctuation, which makes ASCII marks Chinese and takes the
# spaces beside them (cleaner.chars.takes_no_space); layout judges headings and
# wraps the same before and after. Cleaning twice must equal cleaning once.
_LAYOUT_PUNCTUATION = Pipeline({"passes": ["layout", "punctuation"]})
_FRAGMENTS = ["中", "文", "字很长", "。", "，", ",", ".", ":", ";", "!", "?", "(", ")", "“", "”", '"', "'", " ", "  ",
              "\u3000", "\t", "\n", "\n\n", "abc", "Hello, world.", "3.14", "...", "--", "—", "——", "…", "（", "）",
              "《", "》", "、", "12", "ＡＢ", "第一段文字很長很長很長很長很長很長", "领导小 组", "http://a.com/x,y", "\u00a0"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_FRAGMENTS), min_size=1, max_size=40).map("".join))
# Found by this property (and by the cwced pages in tests/test_properties.py):
@example('它首先需要有 "采果棍"和"碎果器"这样的工具。')  # the space goes with the quote once it is “
@example("萧乾：《风雨平生 --萧乾口述自传》。")  # ... and with -- once it is ——
@example("评论人：梁雄军 (浙江省台州市人民政府口岸办公室)。")  # ... and with ( once it is （
@example("赵培. 淘宝网物流配送存在的问题")  # . after Chinese is 。 and takes the space
@example("中。 ,")  # the widened comma takes the space after 。, then the doubled run is one run
@example("中) ,")  # a ) left ASCII keeps its space: it is not on the Chinese side
@example("中。。...")  # a doubled run stops before an ellipsis
@example("...领导小 组")  # a heading with ... is a sentence already: …… would make it one
@example('一二三四五六七八九十一二三四五六七八九十一二三 "四\n五')  # a space a mark takes marks no caption
def test_layout_then_punctuation_is_idempotent(text):
    once = _LAYOUT_PUNCTUATION.clean_text(text)
    assert _LAYOUT_PUNCTUATION.clean_text(once) == once


def test_a_space_after_a_lone_dash_still_marks_a_credit():
    text = "2nd\tLove in Memory 2 - 父亲的笔记\n发行日期：2014年3月10日"
    assert fix_layout(text)[0] == text
