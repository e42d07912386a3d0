"""The document record that flows through the passes and out as one JSONL line."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Keys cleaner owns in an output record, in output order. Other keys of a JSONL
# input record are kept and written after these.
RECORD_KEYS = (
    "id", "source", "title", "text", "meta", "script", "script_in",
    "encoding_in", "fixes", "flags",
)


@dataclass(slots=True)
class Document:
    id: str
    text: str
    source: str | None = None
    title: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    script: str | None = None
    script_in: str | None = None
    encoding_in: str | None = None
    fixes: dict[str, int] = field(default_factory=dict)
    flags: list[str] = field(default_factory=list)
    # "text" or "html": how the decode and html passes read the input.
    format: str = "text"
    # Raw input bytes before decoding; None once decoded (or for str input).
    data: bytes | None = None
    # Fields of a JSONL input record other than the text; written back unchanged.
    extra: dict[str, Any] = field(default_factory=dict)
    # Key the cleaned text is written under (JSONL input keeps its own key).
    text_key: str = "text"
    # Lines removed by boilerplate rules with the rule id, when asked for.
    removed: list[dict[str, Any]] | None = None

    def count(self, kind: str, n: int = 1) -> None:
        self.fixes[kind] = self.fixes.get(kind, 0) + n

    def flag(self, flag: str) -> None:
        if flag not in self.flags:
            self.flags.append(flag)

    def to_record(self) -> dict[str, Any]:
        record: dict[str, Any] = {
            "id": self.id,
            "source": self.source,
            "title": self.title,
            self.text_key: self.text,
            "meta": {k: v for k, v in self.meta.items() if v is not None} if self.meta else {},
            "script": self.script,
            "script_in": self.script_in,
            "encoding_in": self.encoding_in,
            "fixes": dict(sorted(self.fixes.items())),
            "flags": list(self.flags),
        }
        if self.removed is not None:
            record["removed"] = self.removed
        for key, value in self.extra.items():
            record.setdefault(key, value)
        return record
