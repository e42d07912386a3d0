"""Property tests for cleaner.positions: offset maps, their composition, the file view."""

from hypothesis import given, settings
from hypothesis import strategies as st

from cleaner.passes.base import Change, apply_changes
from cleaner.positions import FileView, LineIndex, OffsetMap, align, map_back

ALPHABET = "ab業(yè)。\n "


@st.composite
def text_and_changes(draw, text=None):
    if text is None:
        text = draw(st.text(alphabet=ALPHABET, max_size=40))
    cuts = sorted(draw(st.lists(st.integers(0, len(text)), max_size=12)))
    changes = []
    pos = 0
    for a, b in zip(cuts[::2], cuts[1::2]):
        if a < pos:
            continue
        if a == b and changes and changes[-1].end == a and not changes[-1].before:
            continue  # two insertions at one point are not a valid change list
        after = draw(st.text(alphabet="XYZ國", max_size=4))
        if a == b and not after:
            continue
        changes.append(Change("T001", a, b, text[a:b], after))
        pos = b
    return text, changes


@given(text_and_changes())
def test_unchanged_characters_map_to_themselves(tc):
    text, changes = tc
    out = apply_changes(text, changes)
    m = OffsetMap(changes)
    inside = set()
    shift = 0
    for c in changes:
        inside.update(range(c.start + shift, c.start + shift + len(c.after)))
        shift += len(c.after) - (c.end - c.start)
    for p, ch in enumerate(out):
        if p not in inside:
            assert text[m.start(p)] == ch
            assert m.span(p, p + 1) == (m.start(p), m.start(p) + 1)


@given(text_and_changes())
def test_each_change_maps_to_what_it_replaced(tc):
    text, changes = tc
    m = OffsetMap(changes)
    shift = 0
    for c in changes:
        out_start = c.start + shift
        if c.after:  # an edit's own output maps to exactly its input span
            assert m.span(out_start, out_start + len(c.after)) == (c.start, c.end)
        shift += len(c.after) - (c.end - c.start)


@given(text_and_changes())
def test_map_is_monotonic(tc):
    text, changes = tc
    out = apply_changes(text, changes)
    m = OffsetMap(changes)
    starts = [m.start(p) for p in range(len(out) + 1)]
    ends = [m.end(p) for p in range(len(out) + 1)]
    assert starts == sorted(starts) and ends == sorted(ends)
    assert all(0 <= s <= len(text) for s in starts + ends)
    assert m.start(len(out)) == len(text) and m.end(0) == 0 or (changes and changes[0].start == 0)


@given(st.data())
@settings(max_examples=200)
def test_composed_map_finds_second_pass_edits_in_the_original(data):
    original, first = data.draw(text_and_changes())
    middle = apply_changes(original, first)
    _, second = data.draw(text_and_changes(middle))
    maps = [OffsetMap(first)]
    for c in second:
        start, end = map_back(maps, c.start, c.end)
        assert 0 <= start <= end <= len(original)
        # The mapped span covers whatever became the edited text ...
        assert apply_changes(original, first)[c.start:c.end] == c.before
        # ... and where the first pass left the text alone it is exact.
        touched = any(f.start < end and start < f.end or f.start == f.end and start <= f.start <= end
                      for f in first)
        if not touched and c.before:
            assert original[start:end] == c.before


def test_map_inside_a_repair_points_at_the_whole_repair():
    original = "前??h委書記"
    first = [Change("M201", 1, 4, "??h", "。縣")]
    middle = apply_changes(original, first)
    assert middle == "前。縣委書記"
    second = [Change("S101", 2, 3, "縣", "县")]
    assert map_back([OffsetMap(first)], 2, 3) == (1, 4)
    assert map_back([OffsetMap(first)], 3, 5) == (4, 6)  # 委書 is exact
    assert second[0].before == middle[2:3]


def test_line_index():
    idx = LineIndex("ab\ncd\n\nef")
    assert idx.line_col(0) == (1, 1)
    assert idx.line_col(3) == (2, 1)
    assert idx.line_col(4) == (2, 2)
    assert idx.line_col(6) == (3, 1)
    assert idx.line_col(7) == (4, 1)


@given(st.data())
@settings(max_examples=200)
def test_file_view_without_structural_edits_is_the_pipeline_text(data):
    text, first = data.draw(text_and_changes())
    view = FileView(text)
    view.apply(first, [False] * len(first))
    assert view.text == view.file_text() == apply_changes(text, first)
    _, second = data.draw(text_and_changes(view.text))
    view.apply(second, [False] * len(second))
    assert view.file_text() == view.text and not view.unfixable


@given(st.data())
@settings(max_examples=300)
def test_file_view_keeps_structural_edits_out_of_the_file(data):
    text, first = data.draw(text_and_changes())
    kinds = data.draw(st.lists(st.booleans(), min_size=len(first), max_size=len(first)))
    view = FileView(text)
    view.apply(first, kinds)
    assert view.text == apply_changes(text, first)
    # The file gets exactly the content edits.
    assert view.file_text() == apply_changes(text, [c for c, s in zip(first, kinds) if not s])
    _, second = data.draw(text_and_changes(view.text))
    view.apply(second, [False] * len(second))
    assert view.text == apply_changes(apply_changes(text, first), second)
    # Undoing the structural edits again gives a file the second pass's fixable edits all reached.
    fixed = [c for c in second if c not in view.unfixable]
    assert len(fixed) + len(view.unfixable) == len(second)


def test_file_view_keeps_a_removed_title_line():
    text = "標題\n\n正文 一。\n"
    view = FileView(text)
    view.apply([Change("B001", 0, 3, "標題\n", "")], [True])
    assert view.text == "\n正文 一。\n" and view.file_text() == text
    view.apply([Change("W105", 0, 1, "\n", ""), Change("W103", 3, 4, " ", "")], [False, False])
    assert view.text == "正文一。\n"
    assert view.file_text() == "標題\n正文一。\n"
    assert not view.unfixable


def test_file_view_edit_inside_structural_replacement_is_unfixable():
    text = "a&amp;b"
    view = FileView(text)
    view.apply([Change("H001", 1, 6, "&amp;", "&")], [True])
    assert view.text == "a&b"
    edit = Change("P101", 1, 2, "&", "＆")
    view.apply([edit], [False])
    assert view.text == "a＆b" and view.file_text() == text and view.unfixable == [edit]


@given(st.text(alphabet=ALPHABET + "<>p/", max_size=60), st.text(alphabet=ALPHABET, max_size=60))
def test_align_rebuilds_the_output(before, after):
    edits = [Change("X000", s, e, before[s:e], r) for s, e, r in align(before, after)]
    assert apply_changes(before, edits) == after


def test_align_anchors_text_lines_in_a_large_page():
    paragraphs = [f"第{i}段正文，内容不同的一行文字{i * 7}。" for i in range(400)]
    html = "<html><body>" + "".join(f"<div class=x{i}><p>{p}</p></div>\n" for i, p in enumerate(paragraphs))
    html += "<script>" + "var a=1;" * 2000 + "</script></body></html>"
    text = "\n\n".join(paragraphs)
    edits = [Change("X000", s, e, html[s:e], r) for s, e, r in align(html, text)]
    assert apply_changes(html, edits) == text
    # every paragraph survives untouched, so no edit reaches into one
    kept = OffsetMap(edits)
    pos = 0
    for p in paragraphs:
        start = text.index(p, pos)
        assert html[kept.start(start):kept.end(start + len(p))] == p
        pos = start + len(p)
