"""``cleaner check``: the pipeline as a linter over data files, and ``--fix``.

A file is checked by cleaning it with a trace (``Pipeline.clean_document(doc,
trace=...)``): every change every pass made becomes a finding, its span carried
back through the earlier passes' changes (``cleaner.positions``) to the line
and column of the file as the user sees it.

What ``--fix`` writes is the file in its own format, not a cleaner record:

- a ``.txt`` file stays text: the cleaned text, UTF-8, with a final line break
  if it had one;
- a ``.jsonl`` file stays JSONL: only the text field of a changed record is
  replaced, every other line and field keeps its bytes;
- an HTML file is checked but never rewritten: it is a source whose cleaned
  form is text (``cleaner clean``); its findings say "not fixable in place".

Changes that turn a file into a record rather than clean it (``Code.structural``:
markup stripped, a title or date line moved into ``title``/``meta``) are not
findings and are not applied: the file keeps its title line, so nothing is
lost, and checking the fixed file finds nothing (the same header is parsed
out again). Everything here is a library; ``cleaner.cli`` only prints.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from cleaner.document import Document
from cleaner.errors import CleanerError, InputError
from cleaner.io.sources import TEXT_SUFFIXES, expand_inputs, sniff_format
from cleaner.passes import all_codes
from cleaner.passes.base import Change, Code, apply_changes
from cleaner.pipeline import Pipeline, Step, document_from_record
from cleaner.positions import FileView, LineIndex, OffsetMap, align, map_back

FAMILIES = {
    "E": "encoding",
    "M": "mojibake",
    "B": "boilerplate",
    "W": "whitespace and layout",
    "S": "script",
    "P": "punctuation and width",
}

# Passes whose every change is structural (they turn markup into text).
STRUCTURAL_PASSES = frozenset({"html"})


# -- selection ---------------------------------------------------------------

@dataclass(frozen=True)
class Selection:
    """``--select``/``--ignore``: prefixes of codes (``M``, ``W10``, ``S101``), like ruff."""

    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()

    def __contains__(self, code: str) -> bool:
        if self.select and not code.startswith(self.select):
            return False
        return not (self.ignore and code.startswith(self.ignore))

    @classmethod
    def parse(cls, select: Iterable[str] = (), ignore: Iterable[str] = ()) -> Selection:
        """Accept repeated options and comma lists; unknown prefixes are an error."""
        known = all_codes()

        def split(values: Iterable[str]) -> tuple[str, ...]:
            out = []
            for value in values:
                for part in value.split(","):
                    part = part.strip().upper()
                    if not part:
                        continue
                    if part == "ALL":
                        part = ""
                    elif not any(code.startswith(part) for code in known) and part not in FAMILIES:
                        raise ValueError(f"unknown code or family {part!r} (see `cleaner rules`)")
                    out.append(part)
            return tuple(out)

        return cls(split(select), split(ignore))


# -- findings ----------------------------------------------------------------

@dataclass(slots=True)
class Located:
    """One change of one pass, placed in the file as the user sees it."""

    pass_name: str
    change: Change
    start: int  # offsets in the original text
    end: int
    line: int
    col: int
    structural: bool = False
    fixable: bool = True

    @property
    def code(self) -> str:
        return self.change.code


@dataclass(slots=True)
class Finding:
    path: str
    line: int
    col: int
    code: str
    message: str
    fixable: bool = True

    def render(self) -> str:
        note = "" if self.fixable else " (not fixable in place)"
        return f"{self.path}:{self.line}:{self.col}: {self.code} {self.message}{note}"

    def sort_key(self) -> tuple:
        return (self.path, self.line, self.col, self.code)


@dataclass
class FileReport:
    path: str
    findings: list[Finding] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    original: bytes = b""
    fixed: bytes | None = None  # what --fix writes; None when unchanged

    @property
    def dirty(self) -> bool:
        return self.fixed is not None


@dataclass
class Analysis:
    """A document traced through the pipeline, every change located."""

    original: str
    steps: list[Step]
    located: list[list[Located]]  # per step
    file_text: str  # the original with the fixable, selected changes applied
    doc: Document


def message_for(change: Change, code: Code | None) -> str:
    summary = code.summary if code else change.code
    if not change.before:
        what = f"insert {_quote(change.after)}"
    elif not change.after:
        what = f"remove {_quote(change.before)}"
    else:
        what = f"{_quote(change.before)} -> {_quote(change.after)}"
    detail = f" [{change.detail}]" if change.detail else ""
    return f"{summary}: {what}{detail}"


def _quote(s: str, limit: int = 40) -> str:
    if len(s) > limit:
        s = s[: limit - 1] + "…"
    return json.dumps(s, ensure_ascii=False)


def is_structural(pass_name: str, code: Code | None) -> bool:
    if pass_name in STRUCTURAL_PASSES:
        return True
    if code is None:
        return False
    return code.structural


# -- analysing one document --------------------------------------------------

def analyse(pipeline: Pipeline, doc: Document, selection: Selection = Selection(),
            keep_final_newline: bool = False) -> Analysis:
    """Clean ``doc`` with a trace and locate every change in the original text.

    The original is the text the user sees: the decoded file (the decode pass's
    output) or the record's text. ``keep_final_newline``: a text file's last
    line break is part of the file format, not of the document, so removing it
    is neither a finding nor a fix.
    """
    trace: list[Step] = []
    had_bytes = doc.data is not None
    original = doc.text
    pipeline.clean_document(doc, trace)
    steps = trace
    if had_bytes:
        # Passes before and including decoding see no text yet; the original is
        # what decoding produced (the first pass that turned bytes into text).
        original, steps = "", []
        for i, step in enumerate(trace):
            if step.before:
                original, steps = step.before, trace[i:]
                break
            if step.result.text:
                original, steps = step.result.text, trace[i + 1:]
                break
    codes = all_codes()
    lines = LineIndex(original)
    view = FileView(original)
    maps: list[OffsetMap] = []
    final_newline = len(original) - 1 if keep_final_newline and original.endswith("\n") else None
    located_per_step: list[list[Located]] = []
    for step in steps:
        changes = _changes_of(step)
        located: list[Located] = []
        flags: list[bool] = []
        for change in changes:
            start, end = map_back(maps, change.start, change.end)
            code = codes.get(change.code, (None, None))[1]
            structural = is_structural(step.name, code)
            if final_newline is not None and start >= final_newline and not change.after:
                structural = True  # the file's own last line break
            line, col = lines.line_col(start)
            located.append(Located(step.name, change, start, end, line, col, structural))
            flags.append(structural or change.code not in selection)
        view.apply(changes, flags, step.result.text)
        maps.append(OffsetMap(changes))
        located_per_step.append(located)
    if view.unfixable:
        unfixable = {id(c) for c in view.unfixable}
        for located in located_per_step:
            for loc in located:
                if id(loc.change) in unfixable:
                    loc.fixable = False
    file_text = view.file_text()
    if final_newline is not None and file_text and not file_text.endswith("\n"):
        file_text += "\n"
    return Analysis(original, steps, located_per_step, file_text, doc)


def _changes_of(step: Step) -> list[Change]:
    """The step's changes, or changes recovered by diffing when a pass gave none."""
    result = step.result
    if result.changes and apply_changes(step.before, result.changes) == result.text:
        return result.changes
    if result.text == step.before:
        return []
    from cleaner.passes import pass_class

    codes = pass_class(step.name).codes if step.name else ()
    code = next((c.code for c in codes if c.kind in result.counts), codes[0].code if codes else "X000")
    return [Change(code, start, end, step.before[start:end], replacement)
            for start, end, replacement in align(step.before, result.text)]


def findings_of(analysis: Analysis, path: str, selection: Selection, line: int | None = None) -> list[Finding]:
    """Reportable findings: selected, non-structural changes. ``line`` fixes the line (JSONL)."""
    codes = all_codes()
    out = []
    for located in analysis.located:
        for loc in located:
            if loc.structural or loc.code not in selection:
                continue
            code = codes.get(loc.code, (None, None))[1]
            out.append(Finding(path, line if line is not None else loc.line,
                               loc.start + 1 if line is not None else loc.col,
                               loc.code, message_for(loc.change, code), loc.fixable))
    return out


def _file_finding(path: str, code: str, message: str, selection: Selection) -> list[Finding]:
    return [Finding(path, 1, 1, code, message)] if code in selection else []


# -- checking files ----------------------------------------------------------

def file_format(path: Path, data: bytes) -> str:
    fmt = TEXT_SUFFIXES.get(path.suffix.lower(), "text")
    if fmt == "text" and sniff_format(data) == "html":
        fmt = "html"
    return fmt


def file_document(pipeline: Pipeline, source: str, stem: str, fmt: str, data: bytes) -> Document:
    """A whole-file document as ``clean`` builds it (bytes, decoded by the decode pass)."""
    doc = Document(id=stem, text="", source=source, format=fmt, data=data)
    if "decode" not in pipeline.config.enabled:
        try:
            doc.text, doc.data = data.decode("utf-8"), None
        except UnicodeDecodeError as err:
            raise InputError(source, f"not UTF-8 at byte {err.start} (decode pass is off)") from None
    return doc


def read_bytes(path: Path) -> bytes:
    try:
        if path.is_dir():
            raise IsADirectoryError
        return path.read_bytes()
    except OSError as err:
        from cleaner.io.sources import _os_message

        raise InputError(str(path), _os_message(err)) from None


class Checker:
    """Checks and fixes files with one pipeline; holds no per-file state."""

    def __init__(self, pipeline: Pipeline, selection: Selection = Selection()):
        self.pipeline = pipeline
        self.selection = selection

    def check_paths(self, inputs: Sequence[str]) -> Iterator[FileReport]:
        for path in expand_inputs(list(inputs)):
            if path == "-":
                yield FileReport("-", errors=["-: check reads files, not standard input"])
                continue
            yield self.check_file(Path(path))

    def check_file(self, path: Path) -> FileReport:
        source = str(path)
        try:
            data = read_bytes(path)
        except InputError as err:
            return FileReport(source, errors=[str(err)])
        fmt = file_format(path, data)
        try:
            if fmt == "jsonl":
                return self._check_jsonl(source, data)
            return self._check_document(source, path.stem, fmt, data)
        except CleanerError as err:
            return FileReport(source, errors=[str(err)], original=data)

    def _check_document(self, source: str, stem: str, fmt: str, data: bytes) -> FileReport:
        report = FileReport(source, original=data)
        doc = file_document(self.pipeline, source, stem, fmt, data)
        analysis = analyse(self.pipeline, doc, self.selection, keep_final_newline=True)
        findings = findings_of(analysis, source, self.selection)
        findings += self._encoding_findings(source, data, analysis)
        if fmt == "html":
            # HTML is a source: its cleaned form is text (``cleaner clean``), and
            # edits written back into markup would half-apply at best.
            for finding in findings:
                finding.fixable = False
            report.findings = findings
            return report
        fixed = analysis.file_text.encode("utf-8")
        if fixed != data:
            if not findings:  # a byte-level difference nothing above explains
                findings = [Finding(source, 1, 1, "E104", "file bytes are not the UTF-8 of its text")]
            report.fixed = fixed
        report.findings = findings
        return report

    def _encoding_findings(self, source: str, data: bytes, analysis: Analysis) -> list[Finding]:
        doc = analysis.doc
        out: list[Finding] = []
        if data.startswith(b"\xef\xbb\xbf") or doc.fixes.get("bom"):
            out += _file_finding(source, "E103", "byte order mark removed", self.selection)
        encoding = doc.encoding_in or "utf-8"
        if encoding not in ("utf-8", "utf-8-sig"):
            out += _file_finding(source, "E104", f"file is {encoding}, not UTF-8", self.selection)
        if doc.fixes.get("decode_replaced"):
            out += _file_finding(source, "E101", f"{doc.fixes['decode_replaced']} undecodable bytes "
                                 "replaced with U+FFFD", self.selection)
        if doc.fixes.get("mixed_encoding"):
            out += _file_finding(source, "E102", f"{doc.fixes['mixed_encoding']} lines in another "
                                 "encoding than the rest of the file", self.selection)
        return out

    def _check_jsonl(self, source: str, data: bytes) -> FileReport:
        report = FileReport(source, original=data)
        text_key = self.pipeline.config.text_key
        out: list[bytes] = []
        changed = False
        bom = data.startswith(b"\xef\xbb\xbf")
        body = data[3:] if bom else data
        if bom:
            report.findings += _file_finding(source, "E103", "byte order mark removed", self.selection)
        changed = bom and "E103" in self.selection
        prefix = data[:3] if bom and not changed else b""
        for number, raw in enumerate(body.splitlines(keepends=True), start=1):
            content = raw.rstrip(b"\r\n")
            ending = raw[len(content):]
            new = raw
            if content.strip():
                new = self._check_record(report, source, number, content, text_key, ending)
            if new is not raw:
                changed = True
            out.append(new)
        if changed:
            fixed = prefix + b"".join(out)
            if fixed != data:
                report.fixed = fixed
        return report

    def _check_record(self, report: FileReport, source: str, number: int, content: bytes,
                      text_key: str, ending: bytes) -> bytes:
        raw = content + ending
        try:
            record = json.loads(content)
        except UnicodeDecodeError as err:
            report.errors.append(f"{source}:{number}: line is not UTF-8 (byte {err.start})")
            return raw
        except ValueError as err:
            report.errors.append(f"{source}:{number}: malformed JSON: {err}")
            return raw
        try:
            doc = document_from_record(record, text_key, source=source, line=number)
            analysis = analyse(self.pipeline, doc, self.selection)
        except CleanerError as err:
            report.errors.append(str(err))
            return raw
        findings = findings_of(analysis, source, self.selection, line=number)
        if analysis.file_text == record[text_key]:
            report.findings += findings
            return raw
        if not findings:
            findings = [Finding(source, number, 1, "E101", "lone surrogates replaced with U+FFFD")]
        report.findings += findings
        fixed_record = dict(record)
        fixed_record[text_key] = analysis.file_text
        return json.dumps(fixed_record, ensure_ascii=False).encode("utf-8") + ending


# -- fixing, diffing, summarising --------------------------------------------

def write_fix(report: FileReport) -> bool:
    """Atomically replace the file with its fixed content; True when written.

    The file is re-read first: if it changed since it was checked, it is left
    alone rather than overwritten with a fix of older content.
    """
    if report.fixed is None:
        return False
    from cleaner.io.atomic import atomic_writer

    path = Path(report.path)
    if path.read_bytes() != report.original:
        raise InputError(report.path, "changed while being checked; not fixed")
    with atomic_writer(path, "wb") as handle:
        handle.write(report.fixed)
    return True


def unified_diff(report: FileReport) -> str:
    if report.fixed is None:
        return ""
    before = report.original.decode("utf-8", errors="replace").splitlines(keepends=True)
    after = report.fixed.decode("utf-8").splitlines(keepends=True)
    lines = difflib.unified_diff(before, after, f"{report.path}\t(original)", f"{report.path}\t(fixed)")
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"
                   for line in lines)


def sorted_findings(reports: Iterable[FileReport]) -> list[Finding]:
    """All findings by path and position; two edits at one place print once."""
    unique = {(f.path, f.line, f.col, f.code, f.message): f for r in reports for f in r.findings}
    return sorted(unique.values(), key=Finding.sort_key)


def count_by_family(findings: Iterable[Finding]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for f in findings:
        counts[f.code[0]] = counts.get(f.code[0], 0) + 1
    return dict(sorted(counts.items()))


def count_by_code(findings: Iterable[Finding]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for f in findings:
        counts[f.code] = counts.get(f.code, 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def summary_line(findings: Sequence[Finding], files: int, dirty_files: int) -> str:
    if not findings:
        return f"All clean: {files} file{'s' * (files != 1)} checked."
    families = ", ".join(f"{fam} {n}" for fam, n in count_by_family(findings).items())
    return (f"Found {len(findings)} finding{'s' * (len(findings) != 1)} in {dirty_files} "
            f"file{'s' * (dirty_files != 1)} ({families}).")


def family_name(letter: str) -> str:
    return FAMILIES.get(letter, "other")


__all__ = [
    "FAMILIES",
    "Analysis",
    "Checker",
    "FileReport",
    "Finding",
    "Located",
    "Selection",
    "analyse",
    "count_by_code",
    "count_by_family",
    "findings_of",
    "sorted_findings",
    "summary_line",
    "unified_diff",
    "write_fix",
]

