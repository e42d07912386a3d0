"""``cleaner rules``, ``cleaner check --explain CODE`` and ``cleaner explain FILE``.

The codes are the passes' own (``Pass.codes``), so a new pass documents itself
here without any change to this module. ``explain FILE`` shows, pass by pass,
every change with its code, its place in the file and a little context, the
way ftfy's ``fix_and_explain`` lists its steps: this is how a user learns why a
line disappeared.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from cleaner.check import (
    FAMILIES,
    Analysis,
    analyse,
    file_document,
    file_format,
    read_bytes,
)
from cleaner.errors import InputError
from cleaner.passes import all_codes, pass_class
from cleaner.pipeline import Pipeline, document_from_record

CONTEXT = 12  # characters of unchanged text shown on each side of a change

# ANSI styles for a terminal; plain text uses wdiff's [-removed-]{+added+}.
_RED = "\x1b[31;9m"
_GREEN = "\x1b[32;1m"
_DIM = "\x1b[2m"
_BOLD = "\x1b[1m"
_RESET = "\x1b[0m"


# -- codes -------------------------------------------------------------------

def rules_text(prefix: str = "") -> str:
    """Every code, grouped by family, with its pass, kind, meaning and example."""
    codes = all_codes()
    lines: list[str] = []
    for letter, family in FAMILIES.items():
        members = sorted(c for c in codes if c.startswith(letter) and c.startswith(prefix.upper()))
        if not members:
            continue
        lines.append(f"{letter}  {family}")
        for code in members:
            pass_name, info = codes[code]
            lines.append(f"  {code}  {info.summary}  [{pass_name}: {info.kind}]")
            if info.example:
                lines.append(f"        e.g. {info.example}")
    others = sorted(c for c in codes if c[0] not in FAMILIES and c.startswith(prefix.upper()))
    for code in others:
        pass_name, info = codes[code]
        lines.append(f"  {code}  {info.summary}  [{pass_name}: {info.kind}]")
    return "\n".join(lines)


def rules_json() -> list[dict[str, Any]]:
    return [{"code": code, "family": FAMILIES.get(code[0], "other"), "pass": pass_name,
             "kind": info.kind, "summary": info.summary, "example": info.example,
             "structural": info.structural}
            for code, (pass_name, info) in sorted(all_codes().items())]


def explain_code(code: str) -> str:
    """What one code means; raises KeyError for an unknown code."""
    code = code.upper()
    pass_name, info = all_codes()[code]
    cls = pass_class(pass_name)
    lines = [
        f"{code}: {info.summary}",
        "",
        f"Family:  {code[0]} ({FAMILIES.get(code[0], 'other')})",
        f"Pass:    {pass_name} ({cls.summary})",
        f"Counted: fixes[{info.kind!r}] in each cleaned record",
    ]
    if info.example:
        lines += ["", f"Example: {info.example}"]
    if info.structural:
        lines += ["", "Structural: the text moves into a record field when cleaning; `check` does not",
                  "report it and `check --fix` keeps it in the file."]
    lines += ["", f"Switch the pass off with `[{pass_name}] enabled = false` in cleaner.toml, or skip",
              f"this code with `cleaner check --ignore {code}`."]
    return "\n".join(lines)


# -- one document, pass by pass ----------------------------------------------

def explain_file(path: Path, pipeline: Pipeline, record_line: int | None = None) -> Analysis:
    """Trace one document: a text or HTML file, or one record of a JSONL file."""
    data = read_bytes(path)
    fmt = file_format(path, data)
    if fmt != "jsonl":
        doc = file_document(pipeline, str(path), path.stem, fmt, data)
        return analyse(pipeline, doc, keep_final_newline=True)
    lines = data.removeprefix(b"\xef\xbb\xbf").split(b"\n")
    numbers = [record_line] if record_line else [n for n, raw in enumerate(lines, 1) if raw.strip()]
    if not numbers or numbers[0] > len(lines) or not lines[numbers[0] - 1].strip():
        raise InputError(str(path), "no record there", record_line)
    number = numbers[0]
    try:
        record = json.loads(lines[number - 1])
    except ValueError as err:
        raise InputError(str(path), f"malformed JSON: {err}", number) from None
    doc = document_from_record(record, pipeline.config.text_key, source=str(path), line=number)
    return analyse(pipeline, doc)


def explain_data(analysis: Analysis) -> dict[str, Any]:
    codes = all_codes()
    doc = analysis.doc
    passes = []
    for step, located in zip(analysis.steps, analysis.located):
        passes.append({
            "pass": step.name,
            "counts": _counts(step, located),
            "changes": [{
                "code": loc.code,
                "kind": codes[loc.code][1].kind if loc.code in codes else loc.code,
                "line": loc.line, "col": loc.col, "start": loc.start, "end": loc.end,
                "before": loc.change.before, "after": loc.change.after,
                "detail": loc.change.detail, "structural": loc.structural,
            } for loc in located],
        })
    return {"source": doc.source, "id": doc.id, "title": doc.title,
            "meta": {k: v for k, v in doc.meta.items() if v is not None},
            "script": doc.script, "script_in": doc.script_in, "encoding_in": doc.encoding_in,
            "fixes": dict(sorted(doc.fixes.items())), "flags": list(doc.flags), "passes": passes}


def explain_text(analysis: Analysis, color: bool = False) -> str:
    codes = all_codes()
    doc = analysis.doc
    style = _Style(color)
    out = [style.bold(f"{doc.source or doc.id}") + f"  (encoding {doc.encoding_in or 'n/a'})"]
    for step, located in zip(analysis.steps, analysis.located):
        counts = _counts(step, located)
        summary = ", ".join(f"{k} {v}" for k, v in counts.items()) or "no change"
        out.append("")
        out.append(style.bold(f"== {step.name}") + f": {summary}")
        for loc in located:
            kind = codes[loc.code][1].kind if loc.code in codes else ""
            note = "  (moved to a field; kept by check --fix)" if loc.structural else ""
            detail = f" [{loc.change.detail}]" if loc.change.detail else ""
            out.append(f"  {loc.line}:{loc.col}  {loc.code} {kind}{detail}{note}")
            out.append("      " + _inline(step.before, loc.change, style))
    out.append("")
    fields = {"title": doc.title, "meta": doc.meta or None, "script": doc.script,
              "script_in": doc.script_in, "flags": doc.flags or None}
    for key, value in fields.items():
        if value:
            out.append(f"{key}: {json.dumps(value, ensure_ascii=False)}")
    return "\n".join(out).rstrip() + "\n"


def _counts(step, located) -> dict[str, int]:
    from cleaner.passes import pass_class as _cls

    counts: Counter = Counter()
    try:
        kind_of = _cls(step.name).kind_of
    except KeyError:
        kind_of = str
    counts.update(kind_of(loc.code) for loc in located)
    counts.update(step.result.counts)
    return dict(sorted(counts.items()))


def _inline(text: str, change, style: _Style) -> str:
    left = text[max(0, change.start - CONTEXT):change.start]
    right = text[change.end:change.end + CONTEXT]
    return (style.dim(_visible(left)) + style.removed(_visible(change.before))
            + style.added(_visible(change.after)) + style.dim(_visible(right)))


def _visible(s: str) -> str:
    return s.replace("\r", "\\r").replace("\n", "⏎").replace("\t", "→").replace("\u3000", "\u25a1")


class _Style:
    def __init__(self, color: bool):
        self.color = color

    def _wrap(self, code: str, s: str) -> str:
        return f"{code}{s}{_RESET}" if self.color and s else s

    def bold(self, s: str) -> str:
        return self._wrap(_BOLD, s)

    def dim(self, s: str) -> str:
        return self._wrap(_DIM, s)

    def removed(self, s: str) -> str:
        if not s:
            return ""
        return self._wrap(_RED, s) if self.color else f"[-{s}-]"

    def added(self, s: str) -> str:
        if not s:
            return ""
        return self._wrap(_GREEN, s) if self.color else f"{{+{s}+}}"
