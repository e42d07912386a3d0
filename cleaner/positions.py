"""Offset maps: where a span of one pass's input was in the text the user sees.

Each pass reports its changes at exact offsets of its own input, which is the
previous pass's output. To print ``path:line:col`` for a change made by the
fifth pass, its span is carried back through the changes of the four passes
before it. Text no pass touched maps exactly; a span inside text an earlier
change produced (``縣`` inside a repaired ``。縣委``) maps to the whole span
that change replaced, which is where the user must look.

Pure functions over ``(start, end, after-length)`` triples, so the module
knows nothing of passes, files or documents.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from typing import Protocol


class Edit(Protocol):
    start: int
    end: int
    after: str


class OffsetMap:
    """Maps offsets of a pass's output back to offsets of its input.

    Built from that pass's non-overlapping edits, sorted by ``start``.
    Lookups are O(log n), so mapping every finding of a large document stays cheap.
    """

    __slots__ = ("_in_end", "_in_start", "_out_end", "_out_start")

    def __init__(self, edits: Iterable[Edit]):
        in_start: list[int] = []
        in_end: list[int] = []
        out_start: list[int] = []
        out_end: list[int] = []
        shift = 0  # output offset minus input offset after the previous edit
        previous_end = 0
        for edit in edits:
            if edit.start < previous_end or edit.end < edit.start:
                raise ValueError(f"edits overlap or are unsorted at {edit.start}")
            begin = edit.start + shift
            shift += len(edit.after) - (edit.end - edit.start)
            in_start.append(edit.start)
            in_end.append(edit.end)
            out_start.append(begin)
            out_end.append(begin + len(edit.after))
            previous_end = edit.end
        self._in_start, self._in_end = in_start, in_end
        self._out_start, self._out_end = out_start, out_end

    def __bool__(self) -> bool:
        return bool(self._in_start)

    def start(self, pos: int) -> int:
        """Input offset of an output offset used as the start of a span.

        Inside text an edit wrote, the start of what it replaced; at the end of
        an edit's output (or of a deletion), just after what it replaced.
        """
        i = bisect_right(self._out_start, pos) - 1
        if i < 0:
            return pos
        if pos < self._out_end[i]:
            return self._in_start[i]
        return pos - self._out_end[i] + self._in_end[i]

    def end(self, pos: int) -> int:
        """Input offset of an output offset used as the end of a span.

        Inside (or at the end of) text an edit wrote, the end of what it
        replaced; at the start of an edit, just before what it replaced.
        """
        i = bisect_left(self._out_start, pos) - 1
        if i < 0:
            return pos
        if pos <= self._out_end[i]:
            return self._in_end[i]
        return pos - self._out_end[i] + self._in_end[i]

    def span(self, start: int, end: int) -> tuple[int, int]:
        begin = self.start(start)
        return begin, max(begin, self.end(end))


def map_back(maps: Sequence[OffsetMap], start: int, end: int) -> tuple[int, int]:
    """Carry a span back through ``maps`` (first pass first) to the original text."""
    for offset_map in reversed(maps):
        if offset_map:
            start, end = offset_map.span(start, end)
    return start, end


class LineIndex:
    """1-based ``(line, column)`` of character offsets, columns counted in characters."""

    __slots__ = ("_starts",)

    def __init__(self, text: str):
        starts = [0]
        find = text.find
        pos = find("\n")
        while pos != -1:
            starts.append(pos + 1)
            pos = find("\n", pos + 1)
        self._starts = starts

    def line_col(self, offset: int) -> tuple[int, int]:
        line = bisect_right(self._starts, offset) - 1
        return line + 1, offset - self._starts[line] + 1


class FileView:
    """The file as ``check --fix`` writes it, kept in step with the pipeline's text.

    Some edits turn a file into a record rather than clean it: markup stripped
    from HTML, a title line moved into the ``title`` field. ``--fix`` must not
    apply those (the file keeps its markup and its header), yet the passes
    after them work on the text without them. So the view tracks *holes*:
    spans where the pipeline's text and the file differ because of such a
    ("structural") edit; everywhere else the two are identical, and content
    edits are applied to both. A content edit that reaches into a hole cannot
    be written back exactly; it is reported in ``unfixable`` and left out of
    the file, and the hole grows over it.
    """

    __slots__ = ("_holes", "text", "unfixable")

    def __init__(self, text: str):
        self.text = text  # the pipeline's current text
        # (start, end, file text) in ``self.text`` offsets, sorted, non-overlapping.
        self._holes: list[tuple[int, int, str]] = []
        self.unfixable: list = []

    def file_text(self) -> str:
        if not self._holes:
            return self.text
        out: list[str] = []
        pos = 0
        for start, end, kept in self._holes:
            out.append(self.text[pos:start])
            out.append(kept)
            pos = end
        out.append(self.text[pos:])
        return "".join(out)

    def apply(self, edits: Sequence, structural: Sequence[bool], new_text: str | None = None) -> None:
        """Apply one pass's sorted edits; ``structural[i]`` says edit ``i`` stays out of the file."""
        text, holes = self.text, self._holes
        # A group is a run of edits and holes whose spans overlap; each group is
        # rebuilt as one piece of new text (and at most one hole).
        pieces: list[str] = []
        new_holes: list[tuple[int, int, str]] = []
        out_len = 0
        pos = 0
        h = 0
        i = 0
        n_edits, n_holes = len(edits), len(holes)

        def emit(s: str) -> None:
            nonlocal out_len
            pieces.append(s)
            out_len += len(s)

        while i < n_edits or h < n_holes:
            # Holes entirely before the next edit just shift.
            if i == n_edits or (h < n_holes and _before(holes[h], edits[i].start, edits[i].end)):
                start, end, kept = holes[h]
                emit(text[pos:start])
                begin = out_len
                emit(text[start:end])
                new_holes.append((begin, out_len, kept))
                pos = end
                h += 1
                continue
            edit = edits[i]
            group_start, group_end = edit.start, edit.end
            members = [i]
            group_holes: list[int] = []
            i += 1
            # Grow the group while the next hole or edit overlaps it.
            while True:
                if h < n_holes and _overlaps(holes[h], group_start, group_end):
                    group_holes.append(h)
                    group_start = min(group_start, holes[h][0])
                    group_end = max(group_end, holes[h][1])
                    h += 1
                elif group_holes and i < n_edits and _overlaps_span(edits[i], group_start, group_end):
                    members.append(i)
                    group_end = max(group_end, edits[i].end)
                    i += 1
                else:
                    break
            emit(text[pos:group_start])
            begin = out_len
            cursor = group_start
            for k in members:
                e = edits[k]
                emit(text[cursor:e.start])
                emit(e.after)
                cursor = e.end
            emit(text[cursor:group_end])
            pos = group_end
            if group_holes:
                kept = self._file_span(group_start, group_end, [holes[k] for k in group_holes])
                new_holes.append((begin, out_len, kept))
                self.unfixable.extend(edits[k] for k in members if not structural[k])
            elif structural[members[0]]:
                new_holes.append((begin, out_len, text[group_start:group_end]))
        emit(text[pos:])
        self.text = "".join(pieces) if new_text is None else new_text
        self._holes = new_holes

    def _file_span(self, start: int, end: int, holes: list[tuple[int, int, str]]) -> str:
        out: list[str] = []
        pos = start
        for h_start, h_end, kept in holes:
            out.append(self.text[pos:h_start])
            out.append(kept)
            pos = h_end
        out.append(self.text[pos:end])
        return "".join(out)


def _overlaps(hole: tuple[int, int, str], start: int, end: int) -> bool:
    h_start, h_end, _ = hole
    if h_start == h_end:  # an empty hole (a removed line) is inside only strictly
        return start < h_start < end
    if start == end:
        return h_start < start < h_end
    return h_start < end and start < h_end


def _overlaps_span(edit, start: int, end: int) -> bool:
    return _overlaps((start, end, ""), edit.start, edit.end)


def _before(hole: tuple[int, int, str], start: int, end: int) -> bool:
    """Does ``hole`` come before an edit at ``start:end`` without overlapping it?"""
    return hole[1] <= start and not _overlaps(hole, start, end)


# A gap this small on both sides is diffed character by character.
_DIFF_LIMIT = 4000
# Output lines shorter than this are not used as anchors: ``。`` or ``1`` would
# match far ahead and skip real text.
_ANCHOR_MIN = 6


def align(before: str, after: str) -> list[tuple[int, int, str]]:
    """Edits ``(start, end, replacement)`` turning ``before`` into ``after``.

    For a pass that returned new text without its changes (HTML extraction).
    A character diff of a 400 KB page against its text is quadratic, so each
    output line is first anchored where it occurs verbatim in the input, in
    order; only the gaps between anchors, when small, are diffed by character.
    """
    if len(before) <= _DIFF_LIMIT and len(after) <= _DIFF_LIMIT:
        return _char_diff(before, after, 0)
    edits: list[tuple[int, int, str]] = []
    pos = 0  # input consumed up to here
    pending = 0  # output not yet accounted for starts here
    find = before.find
    line_start = 0
    while line_start <= len(after):
        line_end = after.find("\n", line_start)
        if line_end == -1:
            line_end = len(after)
        segment = after[line_start:line_end]
        if len(segment) >= _ANCHOR_MIN:
            found = find(segment, pos)
            if found != -1:
                edits += _gap(before, pos, found, after[pending:line_start])
                pos, pending = found + len(segment), line_end
        line_start = line_end + 1
    edits += _gap(before, pos, len(before), after[pending:])
    return edits


def _gap(before: str, start: int, end: int, replacement: str) -> list[tuple[int, int, str]]:
    if before[start:end] == replacement:
        return []
    if end - start <= _DIFF_LIMIT and len(replacement) <= _DIFF_LIMIT:
        return _char_diff(before[start:end], replacement, start)
    return [(start, end, replacement)]


def _char_diff(before: str, after: str, offset: int) -> list[tuple[int, int, str]]:
    import difflib

    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    return [(offset + i1, offset + i2, after[j1:j2])
            for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal"]
