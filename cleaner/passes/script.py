"""Script: detect each document's script and convert it to the target with OpenCC.

Detection counts characters that only one script writes (tables derived from
OpenCC's dictionaries by ``scripts/build_script_tables.py``): ``為 說`` are
Traditional, ``为 说`` Simplified; ``后 里 台 著`` are both and count for
neither. A Traditional document is then placed among the Traditional
standards by its variant characters: OpenCC's own (``爲 裏 着``), Taiwan's
(``為 裡``) or Hong Kong's (``為 説 綫``). The values of ``script_in`` and
``script`` are the names of the targets: ``hans``, ``hant``, ``tw``, ``hk``.

Conversion picks the OpenCC configuration for the detected source (see
``plan``). A document already in the target's family is converted only on the
lines that hold characters of the other one, so a Simplified article quoting
a Traditional sentence gets the quote converted and every other line is left
exactly as it was.

Changes: one per run of converted text (unchanged characters up to
``JOIN_GAP`` long do not split a run), with exact offsets, found by comparing
input and output as integers (length-preserving conversions, the usual case)
or by difflib line by line; ``counts["script_chars"]`` is the number of
characters converted.
"""

from __future__ import annotations

import difflib
import json
import re
from bisect import bisect_right
from collections import _count_elements  # type: ignore[attr-defined]  # Counter's C loop
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache, cached_property, partial
from importlib import resources
from itertools import accumulate
from typing import NamedTuple

from cleaner.chars import HAN
from cleaner.passes.base import Change, Code, Pass, PassResult

TARGETS = ("hans", "hant", "tw", "hk", "keep")
TRADITIONAL = ("hant", "tw", "hk")
# Unchanged characters this short between two converted ones stay in one change
# (within a line): a change per character would cost more than the conversion
# itself, and a finding per clause reads better than one per character.
JOIN_GAP = 8


@dataclass(frozen=True)
class ScriptOptions:
    # hans (Simplified, mainland), hant (OpenCC's standard Traditional), tw, hk, or keep.
    target: str = "hans"
    # Also convert regional vocabulary (tw2sp: 軟體 -> 软件, s2twp: 软件 -> 軟體).
    # Off by default: the phrase tables rewrite words that are right as they
    # stand in mainland outlets' Traditional editions, which are written in
    # Taiwan forms (seed 000: 聯絡員 -> 联系员, 線上線下 -> 在线线下; seed 004:
    # 建立 -> 创建). The character-variant step, which is what turns 隨著 into
    # 随着, runs either way.
    phrases: bool = False

    def __post_init__(self):
        if self.target not in TARGETS:
            raise ValueError(f"target must be one of {', '.join(TARGETS)}, not {self.target!r}")


def _bmp(chars: str) -> str:
    # Characters outside the BMP would make a class a list scanned one by
    # one (15 MB/s instead of 900): keep them out, or as one range.
    return "".join(c for c in chars if ord(c) < 0x10000)


def _members(chars: str, rare: str = "") -> str:
    """The inside of a character class of ``chars`` (and the ranges ``rare``)."""
    return re.escape(_bmp(chars)) + rare


def _charset(chars: str, rare: str = "") -> re.Pattern:
    return re.compile(f"[{_members(chars, rare)}]")


_BEYOND_BMP = "\U00020000-\U0003134f"


class ScriptTables:
    """The character classes of the script pass, each compiled when first used.

    Compiling a class of a few thousand characters takes milliseconds, and a
    run to Simplified needs only some of them.
    """

    def __init__(self, data: dict):
        self.data = data

    @cached_property
    def traditional(self) -> re.Pattern:  # one character only Traditional text writes
        return _charset(self.data["traditional"])

    @cached_property
    def simplified(self) -> re.Pattern:
        return _charset(self.data["simplified"])

    @cached_property
    def votes(self) -> dict[str, re.Pattern]:  # Traditional standard -> its variant characters
        return {name: _charset(chars) for name, chars in self.data["votes"].items()}

    # The characters of each standard's class (those in the BMP, as the class
    # has them), and one class of them all, for counting the three in one scan.
    @cached_property
    def vote_sets(self) -> dict[str, frozenset[str]]:
        return {name: frozenset(_bmp(chars)) for name, chars in self.data["votes"].items()}

    @cached_property
    def variants(self) -> re.Pattern:
        return _charset("".join(self.data["votes"].values()))

    @cached_property
    def han(self) -> re.Pattern:
        return re.compile(f"[{HAN}]")

    # The same, plus every character beyond the BMP: what makes a line worth
    # converting in a document already in the target's family. For a
    # Traditional target, less the characters that standard writes itself
    # (Taiwan writes 群 and 峰, which OpenCC's standard has as 羣 and 峯).
    @cached_property
    def traditional_lines(self) -> re.Pattern:
        return _charset(self.data["traditional"], _BEYOND_BMP)

    @cached_property
    def simplified_lines(self) -> dict[str, re.Pattern]:
        simplified = self.data["simplified"]
        return {name: _charset("".join(c for c in simplified if c not in chars), _BEYOND_BMP)
                for name, chars in self.data["votes"].items()}

    # The same classes as "past" patterns: ``skip(text, pos).end()`` is where
    # the next character of the class is (len(text) when none is). Matching
    # the negated class costs a sixth less per character than searching for
    # the class, and these run over every document.
    @cached_property
    def skip_traditional_lines(self) -> Callable[..., re.Match]:
        return _skipper(_members(self.data["traditional"], _BEYOND_BMP))

    @cached_property
    def skip_simplified_lines(self) -> dict[str, Callable[..., re.Match]]:
        simplified = self.data["simplified"]
        return {name: _skipper(_members("".join(c for c in simplified if c not in chars), _BEYOND_BMP))
                for name, chars in self.data["votes"].items()}

    # tw2s/hk2s -> the characters on whose lines they differ from t2s.
    @cached_property
    def regional_only(self) -> dict[str, re.Pattern]:
        return {config: _charset(chars) for config, chars in self.data["regional_only"].items()}


def _skipper(members: str) -> Callable[..., re.Match]:
    return re.compile(f"[^{members}]*").match


@cache
def tables() -> ScriptTables:
    return ScriptTables(json.loads(resources.files("cleaner.data").joinpath("script_chars.json").read_text("utf-8")))


# Detection reads at most this many characters: the head of the document and a
# stretch from its middle. Script evidence is dense (a third of the characters
# of a news text are script-specific), and counting every character of a long
# Traditional text would cost as much as converting it.
SAMPLE_HEAD = 1500
SAMPLE_MIDDLE = 500
SAMPLE_QUICK = 400


def _sample(text: str, title: str | None = None) -> str:
    """The characters detection reads, of ``text`` headed by the line ``title``.

    The same as sampling ``f"{title}\n{text}"`` without copying a long text.
    """
    prefix = f"{title}\n" if title else ""
    size = len(prefix) + len(text)
    if size <= SAMPLE_HEAD + SAMPLE_MIDDLE:
        return prefix + text if prefix else text

    def piece(start: int, end: int) -> str:
        k = len(prefix)
        return prefix[start:end] + text[max(start - k, 0):max(end - k, 0)]

    middle = size // 2
    return piece(0, SAMPLE_HEAD) + "\n" + piece(middle, middle + SAMPLE_MIDDLE)


def _sample_has_han(text: str, title: str | None = None) -> bool:
    """Whether ``_sample(text, title)`` holds a Chinese character, without
    copying the sample when the head of the text, always in it, holds one."""
    han = tables().han
    head = max(SAMPLE_HEAD - (len(title) + 1 if title else 0), 0)
    return han.search(text, 0, head) is not None or han.search(_sample(text, title)) is not None


def detect_script(text: str, title: str | None = None, plain: int = 0) -> str | None:
    """``hans``, ``hant``, ``tw``, ``hk``, or None for a text without Chinese.

    A ``title`` is read as the text's first line. ``text[:plain]`` is known to
    hold no Traditional character (the pass has searched it already).
    """
    sample = _sample(text, title)
    title_end = len(title) + 1 if title else 0
    # Where the sample's copy of text[:plain] ends: it starts the sample after
    # the title (see _sample).
    if title_end + len(text) <= SAMPLE_HEAD + SAMPLE_MIDDLE:  # the sample is all of it
        plain_end = title_end + plain
    else:
        plain_end = title_end + min(plain, max(SAMPLE_HEAD - title_end, 0))
    return _detect_in_sample(sample, title_end, plain_end)


def _detect_in_sample(text: str, plain_from: int = 0, plain_end: int = 0) -> str | None:
    """Detection on a sample whose ``text[plain_from:plain_end]`` holds no
    Traditional character."""
    t = tables()
    # Most texts are in one script only: a search (no match objects) settles
    # it, or the head of the sample when one script clearly leads there.
    search = t.traditional.search
    in_title = search(text, 0, plain_from) if plain_from else None
    if in_title is None and search(text, max(plain_end, plain_from)) is None:
        traditional = simplified = 0
    else:
        head = text[:SAMPLE_QUICK]
        traditional = len(t.traditional.findall(head))
        simplified = len(t.simplified.findall(head))
        if len(head) < len(text) and not (max(traditional, simplified) >= 20
                                          and max(traditional, simplified) >= 4 * min(traditional, simplified)):
            traditional = len(t.traditional.findall(text))
            simplified = len(t.simplified.findall(text))
    if traditional <= simplified:
        if t.han.search(text):
            # Characters common to both scripts read as Simplified: converting
            # them to Simplified is a no-op either way.
            return "hans"
        return None
    # One scan for the characters of every standard, then each one's count.
    found: dict[str, int] = {}
    _count_elements(found, t.variants.findall(text))
    votes = {name: sum(n for char, n in found.items() if char in chars) for name, chars in t.vote_sets.items()}
    best = max(votes.values())
    if best == 0 or votes["hant"] == best:
        return "hant"
    # Characters shared by Taiwan and Hong Kong (為) and nothing else: Taiwan
    # forms, as on most Traditional web pages, mainland outlets' included.
    return "hk" if votes["hk"] > votes["tw"] else "tw"


class Step(NamedTuple):
    config: str
    # "all" converts the whole text; "lines" only lines holding a character of
    # the other family (a quote in a document already in the target's family).
    scope: str


def plan(source: str | None, target: str, phrases: bool = False) -> list[Step]:
    """The OpenCC configurations that take a ``source`` text to ``target``.

    The source decides the configuration because OpenCC's tables assume one:
    ``t2s`` expects OpenCC-standard Traditional, where ``著`` is zhù and the
    particle is ``着``, so on Taiwan text it leaves ``隨著`` as ``随著``;
    ``tw2s`` first maps Taiwan variants to the standard (``隨著`` -> ``隨着``)
    and gives ``随着``. Likewise ``hk2s`` for Hong Kong forms (``説``, ``綫``).
    """
    if target == "keep" or source is None:
        return []
    if target == "hans":
        if source == "hans":
            return [Step("t2s", "lines")]
        config = {"hant": "t2s", "tw": "tw2s", "hk": "hk2s"}[source]
        if phrases and source in ("tw", "hk"):
            config += "p"
        return [Step(config, "all")]
    from_simplified = {"hant": "s2t", "tw": "s2tw", "hk": "s2hk"}[target]
    if phrases and target in ("tw", "hk"):
        from_simplified += "p"
    if source == "hans":
        return [Step(from_simplified, "all")]
    variants = {
        ("hant", "tw"): ["t2tw"], ("hant", "hk"): ["t2hk"],
        ("tw", "hant"): ["tw2t"], ("hk", "hant"): ["hk2t"],
        ("tw", "hk"): ["tw2t", "t2hk"], ("hk", "tw"): ["hk2t", "t2tw"],
    }.get((source, target), [])
    return [*(Step(c, "all") for c in variants), Step(from_simplified, "lines")]


@cache
def _steps(source: str | None, target: str, phrases: bool) -> tuple[Step, ...]:
    """``plan``, made once per combination (every document asks for it)."""
    return tuple(plan(source, target, phrases))


# Used when the installed binding lacks a configuration (the reimplementation
# has no tw2t, hk2t, hk2sp, s2hkp): the nearest one, or None to skip the step.
FALLBACK = {"hk2sp": "hk2s", "s2hkp": "s2hk", "tw2sp": "tw2s", "s2twp": "s2tw"}


def run_plan(text: str, steps: Sequence[Step], converter: Callable[[str], Callable[[str], str] | None],
             target: str = "hans") -> str:
    """Apply ``steps``; ``converter(config)`` gives a converter or None to skip."""
    for step in steps:
        convert = converter(step.config)
        if convert is None:
            continue
        if step.scope == "all":
            text = convert(text)
            continue
        text = _convert_lines(text, _line_trigger(step.config, target), convert)[0]
    return text


def _line_trigger(config: str, target: str) -> Callable[..., re.Match]:
    """Skips to the next character of the other family, whose lines a "lines"
    step converts (see ``ScriptTables.skip_traditional_lines``)."""
    t = tables()
    return t.skip_simplified_lines[target] if config.startswith("s2") else t.skip_traditional_lines


def _convert_lines(text: str, skip: Callable[..., re.Match], convert: Callable[[str], str],
                   start: int = 0) -> tuple[str, list[tuple[int, int, int, int]], int]:
    """Convert the lines of ``text`` that hold a character ``skip`` stops at,
    the first of them at ``start`` or after.

    Also gives what ``changed_runs(text, result)`` would, computed on the
    converted lines only rather than on the whole document again.
    """
    starts: list[int] = []
    ends: list[int] = []
    size = len(text)
    rfind, find = text.rfind, text.find
    pos = skip(text, start).end()
    while pos < size:
        starts.append(rfind("\n", 0, pos) + 1)
        pos = find("\n", pos)
        if pos < 0:
            pos = size
        ends.append(pos)
        pos = skip(text, pos).end()
    if not starts:
        return text, [], 0
    old = [text[a:b] for a, b in zip(starts, ends)]
    # One call for all the lines (OpenCC converts line by line anyway).
    new = convert("\n".join(old)).split("\n")
    if len(new) != len(old):
        new = [convert(line) for line in old]
    runs: list[tuple[int, int, int, int]] = []
    if list(map(len, old)) == list(map(len, new)):
        changed = _joined_runs(old, new, starts, runs)
    else:
        changed = 0
        shift = 0  # how much longer the output is so far
        for line_start, line, converted in zip(starts, old, new):
            if converted != line:
                changed += _line_runs(line, converted, line_start, line_start + shift, runs)
                shift += len(converted) - len(line)
    if not runs:
        return text, [], 0
    out: list[str] = []
    pos = 0
    for line_start, end, converted in zip(starts, ends, new):
        out.append(text[pos:line_start])
        out.append(converted)
        pos = end
    out.append(text[pos:])
    return "".join(out), runs, changed


def _joined_runs(old: list[str], new: list[str], starts: list[int],
                 runs: list[tuple[int, int, int, int]]) -> int:
    """``_line_runs`` of lines of unchanged lengths, in one comparison."""
    mask = _difference_mask("\n".join(old), "\n".join(new))
    # Where each line starts in the joined text, and how far its offsets move.
    joined_starts = list(accumulate((len(line) + 1 for line in old[:-1]), initial=0))
    shifts = [start - joined for start, joined in zip(starts, joined_starts)]
    for m in _RUN.finditer(mask):
        a, b = m.span()
        shift = shifts[bisect_right(joined_starts, a) - 1]
        runs.append((a + shift, b + shift, a + shift, b + shift))
    return mask.count(1)


_NONZERO = bytes([0] + [1] * 255)
_RUN = re.compile(rb"\x01(?:\x00{0,%d}\x01)*" % JOIN_GAP)


def changed_runs(before: str, after: str) -> tuple[list[tuple[int, int, int, int]], int]:
    """Spans ``(start, end, new_start, new_end)`` where ``after`` differs from
    ``before``, and the number of characters that differ."""
    if len(before) == len(after):
        mask = _difference_mask(before, after)
        runs = [(m.start(), m.end(), m.start(), m.end()) for m in _RUN.finditer(mask)]
        return runs, mask.count(1)
    runs: list[tuple[int, int, int, int]] = []
    changed = 0
    old_lines = before.split("\n")
    new_lines = after.split("\n")
    if len(old_lines) != len(new_lines):  # OpenCC keeps line breaks; be safe anyway
        old_lines, new_lines = [before], [after]
    i = j = 0
    for old, new in zip(old_lines, new_lines):
        if old != new:
            changed += _line_runs(old, new, i, j, runs)
        i += len(old) + 1
        j += len(new) + 1
    return runs, changed


def _line_runs(old: str, new: str, i: int, j: int, runs: list[tuple[int, int, int, int]]) -> int:
    """Append the changed spans of line ``old`` (at ``i``) become ``new`` (at ``j``);
    the number of characters that differ."""
    if len(old) == len(new):
        mask = _difference_mask(old, new)
        runs.extend((i + m.start(), i + m.end(), j + m.start(), j + m.end()) for m in _RUN.finditer(mask))
        return mask.count(1)
    changed = 0
    for a0, a1, b0, b1 in _diff_spans(old, new):
        runs.append((i + a0, i + a1, j + b0, j + b1))
        changed += max(a1 - a0, b1 - b0)
    return changed


def _difference_mask(a: str, b: str) -> bytes | bytearray:
    """One byte per character: 1 where ``a`` and ``b`` differ, 2 at a line break
    of ``a`` (runs never cross one; 3 where a line break was replaced), else 0.

    XOR of the two texts' UTF-16 encodings (UTF-32 when a character lies
    beyond the BMP) as big integers, each character's bytes ORed into its low
    one by shifts of that integer: all in C, a few ns a character. Line breaks
    are marked one by one: there are few of them, and finding them the same
    way would cost as much again.
    """
    n = len(a)
    ea = a.encode("utf-16-le")
    eb = b.encode("utf-16-le")
    if len(ea) == len(eb) == 2 * n:
        x = int.from_bytes(ea, "little") ^ int.from_bytes(eb, "little")
        low = (x | x >> 8).to_bytes(2 * n, "little")[0::2]
    else:
        # Code points fit in 21 bits: the fourth byte of each is zero in both.
        x = int.from_bytes(a.encode("utf-32-le"), "little") ^ int.from_bytes(b.encode("utf-32-le"), "little")
        low = (x | x >> 8 | x >> 16).to_bytes(4 * n, "little")[0::4]
    mask = low.translate(_NONZERO)
    line_break = a.find("\n")
    if line_break < 0:
        return mask
    marked = bytearray(mask)
    find = a.find
    while line_break >= 0:
        marked[line_break] |= 2
        line_break = find("\n", line_break + 1)
    return marked


def _diff_spans(old: str, new: str) -> list[tuple[int, int, int, int]]:
    """Differing spans of two lines of unequal length (a phrase changed length)."""
    spans: list[tuple[int, int, int, int]] = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, a0, a1, b0, b1 in matcher.get_opcodes():
        if tag == "equal":
            continue
        if spans and a0 - spans[-1][1] <= JOIN_GAP:
            spans[-1] = (spans[-1][0], a1, spans[-1][2], b1)
        else:
            spans.append((a0, a1, b0, b1))
    return spans


def fix_script(text: str, options: ScriptOptions = ScriptOptions(),
               converter: Callable[[str], Callable[[str], str] | None] | None = None,
               source: str | None = None, start: int = 0) -> tuple[str, list[Change], str | None, int]:
    """Pure core: (converted text, changes, detected source script, characters converted).

    ``converter`` maps a configuration name to a converter (default: a fresh
    OpenCC one per call; the pass keeps its own). ``source`` skips detection.
    ``start``: no line before this offset needs a "lines" step (the pass has
    searched that far already).
    """
    new, runs, changed, source = _converted(text, options, converter, source, start)
    return new, _changes(text, new, runs, options.target), source, changed


def _converted(text: str, options: ScriptOptions,
               converter: Callable[[str], Callable[[str], str] | None] | None,
               source: str | None, start: int = 0) -> tuple[str, list[tuple[int, int, int, int]], int, str | None]:
    """``fix_script`` without its changes: the converted text, the spans
    ``(start, end, new_start, new_end)`` that differ, the number of
    characters converted and the source script."""
    if source is None:
        source = detect_script(text)
    steps = _steps(source, options.target, options.phrases)
    if not steps:
        return text, [], 0, source
    if converter is None:
        from cleaner.opencc_compat import make_converter

        converter = make_converter
    if len(steps) == 1 and steps[0].scope == "lines":
        # A text already in the target's family: only its lines holding a
        # character of the other family are converted, and compared.
        convert = converter(steps[0].config)
        if convert is None:
            return text, [], 0, source
        new, runs, changed = _convert_lines(text, _line_trigger(steps[0].config, options.target), convert, start)
        if not runs:
            return text, [], 0, source
        return new, runs, changed, source
    new = run_plan(text, steps, converter, options.target)
    if new == text:
        return text, [], 0, source
    runs, changed = changed_runs(text, new)
    return new, runs, changed, source


def _changes(text: str, new: str, runs: list[tuple[int, int, int, int]], target: str) -> list[Change]:
    if target not in TRADITIONAL:
        return [Change("S101", a0, a1, text[a0:a1], new[b0:b1], target) for a0, a1, b0, b1 in runs]
    simplified = tables().simplified
    changes = []
    for a0, a1, b0, b1 in runs:
        before = text[a0:a1]
        code = "S102" if simplified.search(before) else "S103"
        changes.append(Change(code, a0, a1, before, new[b0:b1], target))
    return changes


class _RegionalToSimplified:
    """tw2s (hk2s) at nearly the speed of t2s.

    tw2s runs t2s behind a step mapping Taiwan variants to OpenCC's standard
    and takes twice as long; the two differ only on lines holding one of a
    dozen characters (著 above all: 隨著 -> 随着, where t2s keeps 随著). Those
    lines get tw2s, the others t2s. The conformance suite runs through this.
    """

    def __init__(self, base: Callable[[str], str], regional: Callable[[str], str], only: re.Pattern):
        self.base, self.regional, self.only = base, regional, only

    def __call__(self, text: str) -> str:
        # OpenCC converts line by line (no dictionary entry holds a line
        # break), so the text is cut at the lines that need the regional step.
        out: list[str] = []
        pos = 0
        search = self.only.search
        while (m := search(text, pos)) is not None:
            start = text.rfind("\n", 0, m.start()) + 1
            end = text.find("\n", m.end())
            end = len(text) if end < 0 else end
            if start > pos:
                out.append(self.base(text[pos:start]))
            out.append(self.regional(text[start:end]))
            pos = end
        if not out:
            return self.base(text)
        if pos < len(text):
            out.append(self.base(text[pos:]))
        return "".join(out)


class Script(Pass):
    name = "script"
    summary = "detect Simplified/Traditional (tw, hk) and convert to the target script with OpenCC"
    Options = ScriptOptions
    codes = (
        Code("S101", "script", "converted to Simplified", "隨著黨建 -> 随着党建"),
        Code("S102", "script", "converted from Simplified to Traditional", "为了 -> 為了"),
        Code("S103", "script", "converted between Traditional standards", "爲 -> 為 (hant -> tw)"),
    )

    def __init__(self, options=None):
        super().__init__(options)
        self._converters: dict[str, Callable[[str], str] | None] = {}

    # The OpenCC converters cannot be pickled: ship the options, rebuild lazily.
    def __getstate__(self):
        return {"options": self.options}

    def __setstate__(self, state):
        self.options = state["options"]
        self._converters = {}

    def converter(self, config: str) -> Callable[[str], str] | None:
        if config not in self._converters:
            from cleaner.opencc_compat import (
                OFFICIAL,
                ConfigUnavailable,
                flavour,
                make_converter,
            )

            try:
                convert = make_converter(config)
            except ConfigUnavailable:
                fallback = FALLBACK.get(config)
                convert = self.converter(fallback) if fallback else None
            only = tables().regional_only.get(config)
            if convert is not None and only is not None and flavour() == OFFICIAL:
                # The table was computed from the official binding's dictionaries.
                convert = _RegionalToSimplified(self.converter("t2s"), convert, only)
            self._converters[config] = convert
        return self._converters[config]

    def apply(self, text, doc):
        title = doc.title
        start = 0
        if self.options.target == "hans":
            skip = tables().skip_traditional_lines
            start = skip(text).end()
            if start == len(text) and not (title and skip(title).end() < len(title)):
                # Already Simplified, or no Chinese: detection would find no
                # Traditional character and conversion no line to convert.
                return self._already_simplified(text, doc)
        source = detect_script(text, title, start)
        new, runs, changed, source = _converted(text, self.options, self.converter, source, start)
        # The title and the metadata an earlier pass took from the text are in
        # the same script as the text: one record, one script.
        if title:
            doc.title = _converted(title, self.options, self.converter, source)[0]
        self._finish(doc, source)
        counts = {"script_chars": changed} if changed else {}
        target = self.options.target
        if target in TRADITIONAL or not runs:
            return PassResult(new, _changes(text, new, runs, target), counts)
        # One change per run, all of one code: counted now, built when read
        # (explain, check), not for every converted document.
        return PassResult(new, partial(_changes, text, new, runs, target), counts, {"S101": len(runs)})

    def _already_simplified(self, text: str, doc) -> PassResult:
        source = "hans" if _sample_has_han(text, doc.title) else None
        if source is not None:
            self.converter("t2s")  # as the full path would, for the missing-configuration flag
        self._finish(doc, source)
        return PassResult(text, [], {})

    def _finish(self, doc, source: str | None) -> None:
        han = tables().han
        for key, value in doc.meta.items():
            if isinstance(value, str) and han.search(value):
                doc.meta[key] = _converted(value, self.options, self.converter, source)[0]
        for step in _steps(source, self.options.target, self.options.phrases):
            if self._converters.get(step.config, True) is None:
                doc.flag(f"opencc_missing_{step.config}")  # the installed binding lacks it
        doc.script_in = source
        doc.script = source if self.options.target == "keep" or source is None else self.options.target

