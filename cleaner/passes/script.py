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
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Callable, NamedTuple

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


class ScriptTables(NamedTuple):
    traditional: re.Pattern  # one character only Traditional text writes
    simplified: re.Pattern
    votes: dict[str, re.Pattern]  # Traditional standard -> its variant characters
    han: re.Pattern
    # The same, plus every character beyond the BMP: what makes a line worth
    # converting in a document already in the target's family. For a
    # Traditional target, less the characters that standard writes itself
    # (Taiwan writes 群 and 峰, which OpenCC's standard has as 羣 and 峯).
    traditional_lines: re.Pattern
    simplified_lines: dict[str, re.Pattern]
    # tw2s/hk2s -> the characters on whose lines they differ from t2s.
    regional_only: dict[str, re.Pattern]


@cache
def tables() -> ScriptTables:
    data = json.loads(resources.files("cleaner.data").joinpath("script_chars.json").read_text("utf-8"))

    def charset(chars: str, rare: str = "") -> re.Pattern:
        # Characters outside the BMP would make the class a list scanned one
        # by one (15 MB/s instead of 900): keep them out, or as one range.
        bmp = "".join(c for c in chars if ord(c) < 0x10000)
        return re.compile(f"[{re.escape(bmp)}{rare}]")

    return ScriptTables(
        traditional=charset(data["traditional"]),
        simplified=charset(data["simplified"]),
        votes={name: charset(chars) for name, chars in data["votes"].items()},
        han=re.compile(f"[{HAN}]"),
        traditional_lines=charset(data["traditional"], "\U00020000-\U0003134f"),
        simplified_lines={
            name: charset("".join(c for c in data["simplified"] if c not in chars), "\U00020000-\U0003134f")
            for name, chars in data["votes"].items()},
        regional_only={config: charset(chars) for config, chars in data["regional_only"].items()},
    )


# Detection reads at most this many characters: the head of the document and a
# stretch from its middle. Script evidence is dense (a third of the characters
# of a news text are script-specific), and counting every character of a long
# Traditional text would cost as much as converting it.
SAMPLE_HEAD = 1500
SAMPLE_MIDDLE = 500
SAMPLE_QUICK = 400


def _sample(text: str) -> str:
    if len(text) <= SAMPLE_HEAD + SAMPLE_MIDDLE:
        return text
    middle = len(text) // 2
    return text[:SAMPLE_HEAD] + "\n" + text[middle:middle + SAMPLE_MIDDLE]


def detect_script(text: str) -> str | None:
    """``hans``, ``hant``, ``tw``, ``hk``, or None for a text without Chinese."""
    t = tables()
    text = _sample(text)
    # Most texts are in one script only: a search (no match objects) settles
    # it, or the head of the sample when one script clearly leads there.
    if t.traditional.search(text) is None:
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
    votes = {name: len(pattern.findall(text)) for name, pattern in t.votes.items()}
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


# Used when the installed binding lacks a configuration (the reimplementation
# has no tw2t, hk2t, hk2sp, s2hkp): the nearest one, or None to skip the step.
FALLBACK = {"hk2sp": "hk2s", "s2hkp": "s2hk", "tw2sp": "tw2s", "s2twp": "s2tw"}


def run_plan(text: str, steps: list[Step], converter: Callable[[str], Callable[[str], str] | None],
             target: str = "hans") -> str:
    """Apply ``steps``; ``converter(config)`` gives a converter or None to skip."""
    t = tables()
    for step in steps:
        convert = converter(step.config)
        if convert is None:
            continue
        if step.scope == "all":
            text = convert(text)
            continue
        other = t.simplified_lines[target] if step.config.startswith("s2") else t.traditional_lines
        text = _convert_lines(text, other, convert)
    return text


def _convert_lines(text: str, trigger: re.Pattern, convert: Callable[[str], str]) -> str:
    out: list[str] = []
    pos = 0
    while (m := trigger.search(text, pos)) is not None:
        start = text.rfind("\n", 0, m.start()) + 1
        end = text.find("\n", m.end())
        end = len(text) if end < 0 else end
        out.append(text[pos:start])
        out.append(convert(text[start:end]))
        pos = end
    if not out:
        return text
    out.append(text[pos:])
    return "".join(out)


_NONZERO = bytes([0] + [1] * 255)
_IS_ZERO = bytes([1] + [0] * 255)
_IS_LINE_FEED = bytes(1 if i == 10 else 0 for i in range(256))
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
        if old == new:
            pass
        elif len(old) == len(new):
            mask = _difference_mask(old, new)
            runs.extend((i + m.start(), i + m.end(), j + m.start(), j + m.end()) for m in _RUN.finditer(mask))
            changed += mask.count(1)
        else:
            for a0, a1, b0, b1 in _diff_spans(old, new):
                runs.append((i + a0, i + a1, j + b0, j + b1))
                changed += max(a1 - a0, b1 - b0)
        i += len(old) + 1
        j += len(new) + 1
    return runs, changed


def _difference_mask(a: str, b: str) -> bytes:
    """One byte per character: 1 where ``a`` and ``b`` differ, 2 at a line break
    of ``a`` (runs never cross one), else 0.

    XOR of the UTF-32 encodings as big integers, then OR of each character's
    three low bytes (code points fit in 21 bits): all in C, a few ns a character.
    """
    ea = a.encode("utf-32-le")
    eb = b.encode("utf-32-le")
    x = (int.from_bytes(ea, "little") ^ int.from_bytes(eb, "little")).to_bytes(len(ea), "little")
    low = int.from_bytes(x[0::4], "little") | int.from_bytes(x[1::4], "little") | int.from_bytes(x[2::4], "little")
    mask = low.to_bytes(len(a), "little").translate(_NONZERO)
    if "\n" not in a:
        return mask
    # U+000A: low byte 0x0A and the next two bytes zero.
    newline = (int.from_bytes(ea[0::4].translate(_IS_LINE_FEED), "little")
               & int.from_bytes(ea[1::4].translate(_IS_ZERO), "little")
               & int.from_bytes(ea[2::4].translate(_IS_ZERO), "little"))
    return (int.from_bytes(mask, "little") | newline << 1).to_bytes(len(a), "little")


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
               source: str | None = None) -> tuple[str, list[Change], str | None, int]:
    """Pure core: (converted text, changes, detected source script, characters converted).

    ``converter`` maps a configuration name to a converter (default: a fresh
    OpenCC one per call; the pass keeps its own). ``source`` skips detection.
    """
    if source is None:
        source = detect_script(text)
    steps = plan(source, options.target, options.phrases)
    if not steps:
        return text, [], source, 0
    if converter is None:
        from cleaner.opencc_compat import make_converter

        converter = make_converter
    new = run_plan(text, steps, converter, options.target)
    if new == text:
        return text, [], source, 0
    runs, changed = changed_runs(text, new)
    to_traditional = options.target in TRADITIONAL
    simplified = tables().simplified
    changes = []
    for a0, a1, b0, b1 in runs:
        before = text[a0:a1]
        if not to_traditional:
            code = "S101"
        elif simplified.search(before):
            code = "S102"
        else:
            code = "S103"
        changes.append(Change(code, a0, a1, before, new[b0:b1], options.target))
    return new, changes, source, changed


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
        out = self.base(text)
        if self.only.search(text) is None:
            return out
        lines, converted = text.split("\n"), out.split("\n")
        if len(lines) != len(converted):
            return self.regional(text)
        search = self.only.search
        for i, line in enumerate(lines):
            if search(line) is not None:
                converted[i] = self.regional(line)
        return "\n".join(converted)


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
            from cleaner.opencc_compat import OFFICIAL, ConfigUnavailable, flavour, make_converter

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
        source = detect_script(f"{doc.title}\n{text}" if doc.title else text)
        new, changes, source, changed = fix_script(text, self.options, self.converter, source)
        # The title and the metadata an earlier pass took from the text are in
        # the same script as the text: one record, one script.
        if doc.title:
            doc.title = fix_script(doc.title, self.options, self.converter, source)[0]
        for key, value in doc.meta.items():
            if isinstance(value, str) and tables().han.search(value):
                doc.meta[key] = fix_script(value, self.options, self.converter, source)[0]
        for step in plan(source, self.options.target, self.options.phrases):
            if self._converters.get(step.config, True) is None:
                doc.flag(f"opencc_missing_{step.config}")  # the installed binding lacks it
        doc.script_in = source
        doc.script = source if self.options.target == "keep" or source is None else self.options.target
        return PassResult(new, changes, {"script_chars": changed} if changed else {})
