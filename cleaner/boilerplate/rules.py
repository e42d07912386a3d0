"""Boilerplate rules: loading, validating and safely matching the TOML rule files.

A rule file holds one concern (copyright notices, credits, captions, ...)::

    concern = "credit"              # which finding code its removals get

    [[rule]]
    id = "credit.editor-paren"      # stable; shown by explain, check and --keep-removed
    comment = "editor credit in brackets at the end of a paragraph"
    example = "(責編:郜林筱、陳康清)"
    scope = "suffix"                # line | suffix | prefix | block
    pattern = '\\((责编|责任编辑)\\s*:\\s*(?P<editor>[^()]{2,30})\\)'
    keywords = ["责编", "责任编辑"]   # optional: cheap pre-check, one must occur

Patterns match a folded view of each line (see ``fold``): write them in
Simplified Chinese with ASCII punctuation and they match Traditional text and
full-width punctuation too. Named groups ``author``, ``editor`` and ``outlet``
fill the record's metadata. Every rule must match its own ``example`` (checked
when the file is loaded), so a broken user rule fails early and loudly.

Scopes:
- ``line``: the pattern must match the whole line; the line is removed.
- ``suffix``/``prefix``: the pattern matches at the end/start of a line; that
  span is cut and the rest of the line stays (a line left empty goes).
- ``block``: the pattern matches a whole heading line; it and the following
  lines matching ``continue`` are removed (``stop_at_blank`` ends the block at
  the first blank line).
``where = "last"`` limits a rule to the last body paragraph (reporter sign-offs).

Safety: patterns are compiled with the ``regex`` module; shapes that backtrack
catastrophically (a repeated group that itself ends in an unbounded repeat,
``(a+)+``) are rejected when the file is loaded, and every match runs with a
time limit, so a user rule cannot hang a run.
"""

from __future__ import annotations

import re
import tomllib
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache, cached_property
from importlib import resources
from pathlib import Path
from typing import Any

import regex

from cleaner.boilerplate.fold import fold, spellings
from cleaner.chars import HSPACE
from cleaner.errors import ConfigError

# Concern -> finding code. User files may name any of these, or "custom".
CONCERNS: dict[str, str] = {
    "copyright": "B101",
    "credit": "B102",
    "caption": "B103",
    "call_to_action": "B104",
    "navigation": "B105",
    "share_follow": "B106",
    "keywords": "B107",
    "outlet_footer": "B108",
    "custom": "B199",
}
SCOPES = ("line", "suffix", "prefix", "block")
META_GROUPS = ("author", "editor", "outlet")
# Seconds one rule may spend on one line before it is abandoned for that line.
MATCH_TIMEOUT = 0.05
# A rule that runs out of time this often in one process is switched off for
# the rest of the run: every timeout costs MATCH_TIMEOUT, and a pattern that
# backtracks on one line of a document usually does on all of them.
MAX_TIMEOUTS = 3
# Longest line a ``line``/``block`` rule is tried on; longer lines are paragraphs.
DEFAULT_MAX_LEN = 200
# ``suffix``/``prefix`` rules look at most this many characters from the line's edge.
EDGE_WINDOW = 80


# Timeouts of every rule in this process: one look tells whether a document had one.
_ALL_TIMEOUTS = [0]


def timeouts_so_far() -> int:
    """Matches abandoned for time so far in this process, by any rule of any rule set."""
    return _ALL_TIMEOUTS[0]


@dataclass(frozen=True)
class Rule:
    id: str
    comment: str
    example: str
    pattern: Any  # a compiled ``regex`` pattern
    code: str
    scope: str = "line"
    keywords: tuple[str, ...] = ()
    continue_pattern: Any = None
    stop_at_blank: bool = False
    where: str = "any"
    max_len: int = DEFAULT_MAX_LEN
    source: str = ""
    # Timeouts so far in this process (a list: the rule itself is frozen).
    timeouts: list = field(default_factory=lambda: [0], compare=False, hash=False, repr=False)

    def match(self, folded: str):
        """Match this rule on a folded line (or its edge); None on no match or timeout."""
        if self.timeouts[0] >= MAX_TIMEOUTS:
            return None
        try:
            if self.scope == "line" or self.scope == "block":
                return self.pattern.fullmatch(folded, timeout=MATCH_TIMEOUT)
            return self.pattern.search(folded, timeout=MATCH_TIMEOUT)
        except TimeoutError:
            self.timeouts[0] += 1
            _ALL_TIMEOUTS[0] += 1
            return None

    def continues(self, folded: str) -> bool:
        if self.timeouts[0] >= MAX_TIMEOUTS:
            return False
        try:
            return self.continue_pattern.search(folded, timeout=MATCH_TIMEOUT) is not None
        except TimeoutError:
            self.timeouts[0] += 1
            _ALL_TIMEOUTS[0] += 1
            return False


@dataclass(frozen=True)
class RuleIndex:
    """Rules of one kind, found by keyword: one regex scan of a line names the rules to try."""

    rules: tuple[Rule, ...] = ()
    keyword_pattern: Any = None
    by_keyword: dict[str, tuple[int, ...]] = field(default_factory=dict)
    always: tuple[int, ...] = ()  # rules without keywords: tried on every line

    @cached_property
    def reach(self) -> dict[str, int]:
        """Spelling -> the longest line one of the rules it names may be tried on (``max_len``)."""
        return {spelling: max(self.rules[i].max_len for i in indices)
                for spelling, indices in self.by_keyword.items() if indices}

    def candidates(self, line: str) -> list[Rule]:
        """Rules worth trying on ``line`` (raw or folded: a keyword of theirs occurs in it).

        Keywords are searched in every spelling (Traditional, full-width), so the
        line need not be folded first: most lines hold no keyword and are never folded.
        """
        if self.keyword_pattern is None:
            return [self.rules[i] for i in self.always]
        hits = self.keyword_pattern.findall(line)
        if not hits:
            return [self.rules[i] for i in self.always]
        found: set[int] = set(self.always)
        for hit in hits:
            found.update(self.by_keyword[hit])
        return [self.rules[i] for i in sorted(found)]


@dataclass(frozen=True)
class RuleSet:
    rules: tuple[Rule, ...]
    line: RuleIndex = RuleIndex()    # line and block rules, on short lines
    suffix: RuleIndex = RuleIndex()  # on every line's end
    prefix: RuleIndex = RuleIndex()  # on every line's start
    last: RuleIndex = RuleIndex()    # on the last body paragraph only

    # Every keyword spelling of the line, suffix and prefix rules: one scan of a whole
    # text, and the spellings of one character (©, 摄), found by str.find beside it.
    keyword_pattern: Any = None
    single_chars: str = ""
    # The hits of that scan within the first EDGE_WINDOW characters of a line are
    # found on the line's first ``scan_width`` characters alone (0: the scan must see
    # whole lines, as a keyword of white space or a rule without keywords needs).
    scan_width: int = 0
    # A character of each spelling of each prefix rule's keyword (its last): a
    # hit that names a prefix rule holds one of them, so a start window without
    # any has no such hit (the only hits of a paragraph's start window that count).
    prefix_marks: str = ""

    @property
    def timeouts(self) -> int:
        """Matches abandoned for time so far in this process (a document with one is flagged)."""
        return sum(rule.timeouts[0] for rule in self.rules)

    @property
    def switched_off(self) -> bool:
        """Whether a rule timed out so often in this process that it is no longer tried."""
        return any(rule.timeouts[0] >= MAX_TIMEOUTS for rule in self.rules)

    @cached_property  # asked once a document
    def longest(self) -> int:
        return max((r.max_len for r in self.line.rules), default=0)

    def keyword_hits(self, text: str, spans: Iterable[tuple[int, int]] = ()) -> list[tuple[int, str]]:
        """(position, spelling) of every keyword in ``text``: longest first, without overlaps,
        as ``trie_pattern`` of all the spellings finds them.

        With ``spans``, ``(start, end)`` in order, only ``text[start:end]`` of each
        is scanned, as if it were a text of its own.
        """
        pattern = self.keyword_pattern
        hits: list[tuple[int, str]] = []
        spans = list(spans) or [(0, len(text))]
        if pattern is not None:
            for start, end in spans:
                hits += [(m.start(), m.group()) for m in pattern.finditer(text, start, end)]
        singles: list[int] = []
        if self.single_chars:
            # One find a character over all the spans, then those in a span kept
            # (the characters are rare; a find a span costs more than the gaps).
            low, high = spans[0][0], spans[-1][1]
            for char in self.single_chars:
                position = text.find(char, low, high)
                while position >= 0:
                    singles.append(position)
                    position = text.find(char, position + 1, high)
            if singles and len(spans) > 1:
                starts = [start for start, _ in spans]
                singles = [p for p in singles if p < spans[bisect_right(starts, p) - 1][1]]
        if not singles:
            return hits
        return _with_singles(hits, sorted(singles), text)


def _with_singles(hits: list[tuple[int, str]], singles: list[int], text: str) -> list[tuple[int, str]]:
    """Add the one-character keywords at ``singles`` that no longer keyword covers.

    A scan of all the spellings takes a single character only where no longer
    word starts, and it only ever covers that character: the longer words it
    finds are the ones found without it.
    """
    ends = [position + len(spelling) for position, spelling in hits]
    starts = [position for position, _ in hits]
    out = list(hits)
    for position in singles:
        i = bisect_right(starts, position) - 1
        if i < 0 or ends[i] <= position:
            out.append((position, text[position]))
    out.sort()
    return out


def _compile(pattern: str, where: str) -> Any:
    _reject_catastrophic(pattern, where)
    try:
        return regex.compile(pattern, regex.V0)
    except regex.error as err:
        raise ConfigError(f"invalid pattern: {err}", where) from None


def _reject_catastrophic(pattern: str, where: str) -> None:
    """Refuse nested unbounded repeats such as ``(a+)+`` or ``(a|aa)*x*``."""
    try:
        import re._parser as sre_parse  # type: ignore[import-not-found]
    except ImportError:  # pragma: no cover - older Pythons
        import sre_parse  # type: ignore[no-redef]
    try:
        tree = sre_parse.parse(pattern)
    except (re.error, OverflowError, RecursionError):
        return  # syntax only ``regex`` knows: the match timeout still applies

    repeats = {sre_parse.MAX_REPEAT, sre_parse.MIN_REPEAT}
    unbounded = sre_parse.MAXREPEAT

    def walk(items, inside_unbounded: bool) -> None:
        for op, arg in items:
            if op in repeats:
                low, high, sub = arg
                if high == unbounded and inside_unbounded:
                    raise ConfigError("pattern nests unbounded repeats (like (a+)+) and could hang", where)
                walk(sub, inside_unbounded or high == unbounded or high > 1000)
            elif op is sre_parse.SUBPATTERN:
                walk(arg[-1], inside_unbounded)
            elif op is sre_parse.BRANCH:
                for branch in arg[1]:
                    walk(branch, inside_unbounded)
            elif op in (sre_parse.ASSERT, sre_parse.ASSERT_NOT):
                walk(arg[1], inside_unbounded)

    walk(tree, False)


def _str_list(value: Any, label: str, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ConfigError(f"{label} must be a list of non-empty strings", where)
    return tuple(value)


def parse_rules(data: dict[str, Any], where: str) -> list[Rule]:
    concern = data.get("concern", "custom")
    if concern not in CONCERNS:
        raise ConfigError(f"unknown concern {concern!r} (known: {', '.join(CONCERNS)})", where)
    unknown = set(data) - {"concern", "rule", "comment"}
    if unknown:
        raise ConfigError(f"unknown key(s) {', '.join(sorted(unknown))} (expected concern, comment, [[rule]])", where)
    entries = data.get("rule", [])
    if not isinstance(entries, list):
        raise ConfigError("'rule' must be an array of tables ([[rule]])", where)
    rules = []
    allowed = {"id", "comment", "example", "pattern", "scope", "keywords", "continue", "stop_at_blank",
               "where", "max_len"}
    for n, entry in enumerate(entries, start=1):
        label = f"{where} (rule {entry.get('id', n) if isinstance(entry, dict) else n})"
        if not isinstance(entry, dict):
            raise ConfigError("each [[rule]] must be a table", label)
        extra = set(entry) - allowed
        if extra:
            raise ConfigError(f"unknown key(s) {', '.join(sorted(extra))} (known: {', '.join(sorted(allowed))})",
                              label)
        for key in ("id", "comment", "example", "pattern"):
            if not isinstance(entry.get(key), str) or not entry[key]:
                raise ConfigError(f"rule needs a non-empty string {key!r}", label)
        scope = entry.get("scope", "line")
        if scope not in SCOPES:
            raise ConfigError(f"scope must be one of {', '.join(SCOPES)}", label)
        pattern_text = entry["pattern"]
        if scope == "suffix":
            pattern_text = f"(?:{pattern_text})\\s*$"
        elif scope == "prefix":
            pattern_text = f"^\\s*(?:{pattern_text})"
        pattern = _compile(pattern_text, label)
        for name in pattern.groupindex:
            if name not in META_GROUPS:
                raise ConfigError(f"named group {name!r}: only {', '.join(META_GROUPS)} fill metadata", label)
        continue_pattern = None
        if scope == "block":
            if not isinstance(entry.get("continue"), str):
                raise ConfigError("a block rule needs a 'continue' pattern", label)
            continue_pattern = _compile(entry["continue"], label)
        keywords = _str_list(entry.get("keywords", []), "keywords", label)
        where_value = entry.get("where", "any")
        if where_value not in ("any", "last"):
            raise ConfigError("where must be 'any' or 'last'", label)
        max_len = entry.get("max_len", DEFAULT_MAX_LEN)
        if not isinstance(max_len, int) or max_len < 1:
            raise ConfigError("max_len must be a positive integer", label)
        stop = entry.get("stop_at_blank", False)
        if not isinstance(stop, bool):
            raise ConfigError("stop_at_blank must be true or false", label)
        rule = Rule(id=entry["id"], comment=entry["comment"], example=entry["example"], pattern=pattern,
                    code=CONCERNS[concern], scope=scope, keywords=tuple(fold(k).lower() for k in keywords),
                    continue_pattern=continue_pattern, stop_at_blank=stop, where=where_value,
                    max_len=max_len, source=where)
        _check_example(rule, label)
        rules.append(rule)
    return rules


def _check_example(rule: Rule, where: str) -> None:
    example = fold(rule.example.strip())
    if rule.keywords and not any(k in example.lower() for k in rule.keywords):
        raise ConfigError(f"example {rule.example!r} contains none of the rule's keywords", where)
    if rule.match(example) is None:
        raise ConfigError(f"pattern does not match its own example {rule.example!r}", where)
    _check_speed(rule, example, where)


def _check_speed(rule: Rule, example: str, where: str) -> None:
    """Reject a pattern that backtracks catastrophically on text like its own example.

    The shape check above catches nested repeats (``(a+)+``) but not every
    exponential pattern: ``(a|aa)*$`` passes it and then spends its whole time
    limit on each of a document's lines. Text made of the example repeated,
    then a character that makes the match fail, is what sets such patterns off.
    """
    longest = rule.max_len if rule.scope in ("line", "block") else EDGE_WINDOW
    for probe in (example * 12, (example[-1:] or "a") * 60):
        probe = probe[:longest - 1] + "\x00"
        try:
            if rule.scope in ("line", "block"):
                rule.pattern.fullmatch(probe, timeout=MATCH_TIMEOUT)
            else:
                rule.pattern.search(probe, timeout=MATCH_TIMEOUT)
            if rule.continue_pattern is not None:
                rule.continue_pattern.search(probe, timeout=MATCH_TIMEOUT)
        except TimeoutError:
            raise ConfigError(f"pattern backtracks catastrophically (over {MATCH_TIMEOUT}s on "
                              f"{len(probe)} characters like its example) and could hang a run", where) from None


def load_rule_file(path: str | Path) -> list[Rule]:
    where = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(f"cannot read rule file: {err}", where) from None
    return parse_text(text, where)


def parse_text(text: str, where: str) -> list[Rule]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"invalid TOML: {err}", where) from None
    return parse_rules(data, where)


@cache
def builtin_rules() -> tuple[Rule, ...]:
    rules: list[Rule] = []
    folder = resources.files("cleaner.rules")
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".toml"):
            continue
        where = f"rules/{entry.name}"
        try:
            data = tomllib.loads(entry.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as err:
            raise ConfigError(f"invalid TOML: {err}", where) from None
        # rules/ also holds other passes' data (punctuation.toml): boilerplate files name a concern.
        if "concern" in data:
            rules.extend(parse_rules(data, where))
    return tuple(rules)


def build_ruleset(rules: Iterable[Rule]) -> RuleSet:
    rules = tuple(rules)
    seen: dict[str, str] = {}
    for rule in rules:
        if rule.id in seen:
            raise ConfigError(f"duplicate rule id {rule.id!r} (also in {seen[rule.id]})", rule.source)
        seen[rule.id] = rule.source
    line = _index([r for r in rules if r.scope in ("line", "block") and r.where == "any"])
    suffix = _index([r for r in rules if r.scope == "suffix" and r.where == "any"])
    prefix = _index([r for r in rules if r.scope == "prefix" and r.where == "any"])
    words = set(line.by_keyword) | set(suffix.by_keyword) | set(prefix.by_keyword)
    prefix_marks = "".join(sorted({spelling[-1] for spelling in prefix.by_keyword}))  # before _cover adds longer words
    for index in (line, suffix, prefix):
        _cover(index, words)
    # One character words would make the scan stop on every character that
    # starts a keyword; str.find finds them much faster (see keyword_hits).
    longer = [w for w in words if len(w) > 1]
    singles = "".join(sorted(w for w in words if len(w) == 1))
    return RuleSet(rules, line, suffix, prefix, _index([r for r in rules if r.where == "last"]),
                   re.compile(scan_pattern(longer)) if longer else None, singles,
                   _scan_width(words, line, suffix, prefix), prefix_marks)


# What str.splitlines breaks a line at, and what the boilerplate pass strips off a line.
LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
LINE_EDGE = HSPACE + LINE_BREAKS


def _scan_width(words: set[str], *indices: RuleIndex) -> int:
    """How much of a line the keyword scan must see to find its hits in the line's first EDGE_WINDOW characters.

    The scan takes, from each position on, the longest word there, so its hits
    on one line depend on that line only when no word holds a line break, and
    on the line without its edges when no word starts or ends in white space.
    A hit starting before EDGE_WINDOW is then decided by the characters up to
    EDGE_WINDOW plus the longest word.
    """
    if not words or any(index.always for index in indices):
        return 0
    for word in words:
        if word[0] in LINE_EDGE or word[-1] in LINE_EDGE or any(ch in LINE_BREAKS for ch in word):
            return 0
    return EDGE_WINDOW + max(map(len, words)) - 1


def _cover(index: RuleIndex, words: set[str]) -> None:
    """Let every word of the shared scan name this index's rules for the keywords inside it.

    The scan finds the longest word at a position (责编: of one rule hides 责编 of
    another), so a hit stands for every keyword it contains.
    """
    table = index.by_keyword
    for word in words:
        found: set[int] = set()
        for i in range(len(word)):
            for j in range(i + 1, len(word) + 1):
                found.update(table.get(word[i:j], ()))
        if found:
            table[word] = tuple(sorted(found))


def _index(rules: list[Rule]) -> RuleIndex:
    by_keyword: dict[str, set[int]] = {}
    always = []
    for i, rule in enumerate(rules):
        if not rule.keywords:
            always.append(i)
        for keyword in rule.keywords:
            by_keyword.setdefault(keyword, set()).add(i)
    # findall does not overlap: a hit on 责编 hides the 编 inside it, so each keyword
    # also stands for the rules of every keyword it contains.
    for keyword in list(by_keyword):
        for other, indices in list(by_keyword.items()):
            if other != keyword and other in keyword:
                by_keyword[keyword] |= indices
    by_spelling: dict[str, tuple[int, ...]] = {}
    for keyword, indices in by_keyword.items():
        for spelling in spellings(keyword):
            # Letter case is spelt out too: re.IGNORECASE would make the scan ten times slower.
            for cased in {spelling, spelling.upper(), spelling.capitalize(), spelling.title()}:
                by_spelling[cased] = tuple(sorted(set(by_spelling.get(cased, ())) | indices))
    keyword_pattern = re.compile(trie_pattern(by_spelling)) if by_spelling else None
    return RuleIndex(tuple(rules), keyword_pattern, by_spelling, tuple(always))


def trie_pattern(words: Iterable[str]) -> str:
    """An alternation of ``words`` as a prefix tree: ``上(?:一(?:篇|页)|篇)``.

    Python's re tries a flat alternation branch by branch at every position; as a
    tree, one branch per first character, the scan is about ten times faster.
    Longer words win (each end of a word is an optional continuation).
    """
    trie: dict = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict) -> str:
        branches = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 and "" not in node else "(?:" + "|".join(branches) + ")"
        return body + "?" if "" in node else body

    return build(trie)


def scan_pattern(words: Iterable[str], groups: int = 3) -> str:
    """A pattern finding the same words as ``trie_pattern(words)``, fast on long texts.

    ``re`` skips to the characters that can start a word with a quick set test,
    but at each such character (one in ten of a Chinese text: 不, 中, 上 start
    keywords) a prefix tree's top alternation is tried branch by branch, all of
    them, which makes the scan cost as much as the rest of the pass. Here the
    first character is only tested against the set and the second against the
    set of second characters (few pairs pass); the tree then goes on from the
    second character, and a look-behind at each word end checks the word as a
    whole. Same matches, same longest-word rule: the deepest word end that
    checks out wins, as in ``trie_pattern``.

    The first characters are split into ``groups`` (by code point), each with
    its own tree behind a look-behind test of the first character: a pair that
    passes the set tests but starts no word (关系: 关注 and 联系) then walks the
    branches of one smaller tree, not of one tree for all words. Three groups
    cost the fewest instructions on the benchmark corpus.
    """
    words = sorted(set(words))

    def char_class(chars: Iterable[str]) -> str:
        chars = sorted(set(chars))
        return re.escape(chars[0]) if len(chars) == 1 else "[" + "".join(re.escape(c) for c in chars) + "]"

    def build(node: dict) -> str:
        branches = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if node.get(""):
            # The words ending here all have the same length: one fixed-width look-behind.
            branches.append("(?<=" + "|".join(re.escape(w) for w in sorted(node[""])) + ")")
        return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"

    def tree(group: list[str]) -> str:
        tails: dict = {}
        for word in group:
            node = tails
            for ch in word[1:]:
                node = node.setdefault(ch, {})
            node.setdefault("", []).append(word)
        return f"(?={char_class(c for c in tails if c)}){build(tails)}"

    after_first = []
    longer = [w for w in words if len(w) > 1]
    if longer:
        firsts = sorted({w[0] for w in longer})
        groups = max(1, min(groups, len(firsts)))
        parts = [firsts[i * len(firsts) // groups:(i + 1) * len(firsts) // groups] for i in range(groups)]
        if len(parts) == 1:
            after_first.append(tree(longer))
        else:
            trees = [f"(?<={char_class(part)})" + tree([w for w in longer if w[0] in set(part)]) for part in parts]
            after_first.append(f"(?={char_class(w[1] for w in longer)})(?:" + "|".join(trees) + ")")
    singles = [w for w in words if len(w) == 1]
    if singles:
        after_first.append(f"(?<={char_class(singles)})")
    body = after_first[0] if len(after_first) == 1 else "(?:" + "|".join(after_first) + ")"
    return char_class(w[0] for w in words) + body


@cache
def ruleset_for(extra_files: tuple[str, ...] = (), builtin: bool = True) -> RuleSet:
    """The built-in rules plus the user's files (cached per process: rules are immutable)."""
    rules = list(builtin_rules()) if builtin else []
    for path in extra_files:
        rules.extend(load_rule_file(path))
    return build_ruleset(rules)
