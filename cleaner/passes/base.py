"""The pass interface.

A pass is a small class around a pure core: it takes the text (and the document,
for context such as the detected script) and returns the new text plus the list
of changes it made, the way ftfy's ``fix_and_explain`` returns text and steps.
Every change names a stable code (see ``Code``) so ``clean`` can count fixes,
``explain`` can show them and ``check`` can report them as findings.
"""

from __future__ import annotations

import dataclasses
from collections import _count_elements  # type: ignore[attr-defined]  # Counter's C loop
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from cleaner.document import Document


@dataclass(frozen=True, slots=True)
class Code:
    """A stable finding code: one family letter and three digits, like ruff's."""

    code: str
    kind: str  # the key counted in a record's ``fixes``
    summary: str
    example: str = ""
    # The change turns a file into a record rather than cleaning it (markup
    # stripped from HTML, a header line moved into ``title``/``meta``):
    # ``check`` does not report it and ``check --fix`` keeps that text in the file.
    structural: bool = False


# Not frozen: a frozen dataclass sets each field through object.__setattr__,
# which makes building one four times slower, and a document can have
# thousands of changes. Treat it as immutable all the same (it stays hashable).
@dataclass(slots=True, unsafe_hash=True)
class Change:
    """One edit: ``text[start:end]`` of the pass's input (``before``) became ``after``."""

    code: str
    start: int
    end: int
    before: str
    after: str
    detail: str = ""  # rule id or a short note for explain/check


class PassResult:
    """What a pass made of a text: the new text, its changes and other counts.

    ``changes`` may be given as a function that builds the list when it is
    first read, with ``codes``, the number of changes by finding code: the
    pipeline counts ``fixes`` from ``codes`` and reads the changes only when
    something wants them (explain, check, a trace), so a pass with thousands
    of edits in a document need not make thousands of objects on the default
    path. Without ``codes`` the pipeline counts the changes.
    """

    __slots__ = ("_changes", "codes", "counts", "text")

    def __init__(self, text: str, changes: list[Change] | Callable[[], list[Change]] | None = None,
                 counts: dict[str, int] | None = None, codes: dict[str, int] | None = None):
        self.text = text
        self._changes = [] if changes is None else changes
        # Counts that are not one-change-per-edit (e.g. characters converted by OpenCC).
        self.counts = {} if counts is None else counts
        self.codes = codes

    @classmethod
    def deferred(cls, text: str, edits: list, code_of: Callable[[Any], str],
                 build: Callable[[list], list[Change]]) -> PassResult:
        """``text`` with its changes kept as the pass's own cheap ``edits``:
        their codes counted now, the changes built by ``build(edits)`` when read."""
        return cls(text, partial(build, edits), codes=count_codes(edits, code_of))

    @property
    def changes(self) -> list[Change]:
        changes = self._changes
        if callable(changes):
            changes = self._changes = changes()
        return changes

    @changes.setter
    def changes(self, changes: list[Change]) -> None:
        self._changes = changes

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, PassResult):
            return NotImplemented
        return (self.text, self.changes, self.counts) == (other.text, other.changes, other.counts)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"PassResult(text={self.text!r}, changes={self.changes!r}, counts={self.counts!r})"


@dataclass(frozen=True)
class NoOptions:
    pass


class Pass:
    """Base class. Subclasses set ``name``, ``summary``, ``Options`` and ``codes``."""

    name: ClassVar[str]
    summary: ClassVar[str]
    Options: ClassVar[type] = NoOptions
    codes: ClassVar[tuple[Code, ...]] = ()

    def __init__(self, options: Any = None):
        self.options = options if options is not None else self.Options()

    def apply(self, text: str, doc: Document) -> PassResult:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.options!r})"

    @classmethod
    def kind_of(cls, code: str) -> str:
        """The ``fixes`` key counted for a change with this code."""
        kinds = cls.__dict__.get("_kinds")
        if kinds is None:
            kinds = {c.code: c.kind for c in cls.codes}
            cls._kinds = kinds
        return kinds.get(code, code)

    @classmethod
    def option_defaults(cls) -> dict[str, Any]:
        return {f.name: _default_of(f) for f in dataclasses.fields(cls.Options)}


def _default_of(f: dataclasses.Field) -> Any:
    if f.default is not dataclasses.MISSING:
        return f.default
    if f.default_factory is not dataclasses.MISSING:  # type: ignore[misc]
        return f.default_factory()  # type: ignore[misc]
    return None


def count_codes(items: Iterable, code_of: Callable[[Any], str]) -> dict[str, int]:
    """How many of ``items`` have each finding code, counted in C (a document
    can have thousands of changes)."""
    codes: dict[str, int] = {}
    _count_elements(codes, map(code_of, items))
    return codes


def apply_changes(text: str, changes: Iterable[Change]) -> str:
    """Build the output of non-overlapping ``changes`` (sorted by start) on ``text``."""
    out: list[str] = []
    pos = 0
    for change in changes:
        if change.start < pos:
            raise ValueError(f"overlapping changes at {change.start}: {change!r}")
        out.append(text[pos:change.start])
        out.append(change.after)
        pos = change.end
    out.append(text[pos:])
    return "".join(out)
