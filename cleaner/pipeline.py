"""The pipeline: runs the configured passes over documents.

A ``Pipeline`` holds only its configuration; the pass objects (an OpenCC
converter among them, which cannot be pickled) are built lazily in whichever
process uses them and dropped when pickled, so one pipeline object can be
shipped to multiprocessing, ``datasets.map`` or Ray workers.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from operator import attrgetter
from pathlib import Path
from typing import Any

from cleaner.config import Config, config_from_mapping, load_config
from cleaner.document import Document
from cleaner.errors import InputError
from cleaner.passes import Pass, PassResult, pass_class
from cleaner.passes.base import count_codes

_code_of = attrgetter("code")
_SURROGATE = re.compile("[\ud800-\udfff]")
# Passes that turn the input into the body text; what the others remove is
# what the large-removal guard measures.
_INPUT_PASSES = ("decode", "html")
_SPACES = (" ", "\n", "\t", "\r", "\u3000", "\xa0")
# ``run`` cleans records in batches of this many (or of this much text), a
# pass at a time (see ``Pipeline.clean_documents``): a hundred news articles
# are enough to keep a pass's tables warm, few enough to keep memory small.
BATCH_DOCUMENTS = 128
BATCH_CHARACTERS = 1 << 20


@dataclass(slots=True)
class Step:
    """What one pass did to one document (kept when tracing, for explain/check)."""

    name: str
    before: str
    result: PassResult


class Pipeline:
    def __init__(self, config: Config | Mapping[str, Any] | str | Path | None = None):
        if config is None:
            config = Config()
        elif isinstance(config, (str, Path)):
            config = load_config(config)
        elif not isinstance(config, Config):
            config = config_from_mapping(config)
        self.config: Config = config
        self._passes: list[Pass] | None = None
        self._scan_passes: list[Pass] | None = None
        self._input_end = -1  # index of the last pass that turns the input into the body text
        self._kinds: list[dict[str, str]] = []  # per pass: finding code -> the fixes key it counts

    # -- pickling: ship the configuration, rebuild the passes on the other side
    def __getstate__(self) -> dict[str, Any]:
        return {"config": self.config}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.config = state["config"]
        self._passes = None
        self._scan_passes = None
        self._input_end = -1
        self._kinds = []

    def __repr__(self) -> str:
        return f"Pipeline(passes={list(self.config.enabled)!r})"

    @property
    def passes(self) -> list[Pass]:
        if self._passes is None:
            passes = [self._build(name) for name in self.config.enabled]
            self._input_end = max((i for i, p in enumerate(passes) if p.name in _INPUT_PASSES), default=-1)
            self._kinds = [{c.code: p.kind_of(c.code) for c in p.codes} for p in passes]
            self._passes = passes
        return self._passes

    @property
    def scan_passes(self) -> list[Pass]:
        """The passes whose output the first scan counts (see ``line_hashes``):
        the input passes before ``boilerplate``, built alone if the others are
        not built yet -- they are cheap, the others hold most of the start-up."""
        if self._scan_passes is None:
            names = []
            for name in self.config.enabled:
                if name == "boilerplate":
                    break
                if name in _INPUT_PASSES:
                    names.append(name)
            built = {p.name: p for p in self._passes or ()}
            self._scan_passes = [built.get(name) or self._build(name) for name in names]
        return self._scan_passes

    def _build(self, name: str) -> Pass:
        cls = pass_class(name)
        instance = cls(self.config.options_for(name))
        # Passes that read rule files or batch statistics get the whole config.
        configure = getattr(instance, "configure", None)
        if configure is not None:
            configure(self.config)
        return instance

    # -- batch statistics: lines that recur across the documents of a run
    def observe(self, records: Iterable[Mapping[str, Any] | str]) -> Pipeline:
        """Learn which lines recur across ``records`` (dicts or texts) and remove them later.

        A first scan for the boilerplate pass's ``batch_min_docs`` rule: every record
        runs through the input passes (decode, html; see ``line_hashes``), and the
        distinct lines of each are counted as hashes. The frequent ones then travel with the configuration
        (so a pickled pipeline carries them to workers). On a sharded engine, each
        shard that observes its own records gets a per-shard statistic; observe once
        on the driver for a corpus-wide one.
        """
        counter = new_line_counter(self.config)
        if counter is None:
            return self
        for record in records:
            doc = Document(id="text", text=record) if isinstance(record, str) else \
                document_from_record(record, self.config.text_key)
            counter.add(self.line_hashes(doc))
        self.config = self.config.replace(line_stats=counter.frequent())
        self._passes = self._scan_passes = None
        return self

    def line_hashes(self, doc: Document) -> set[int]:
        """The hashes of ``doc``'s lines as the input passes (decode, html) give them.

        The repairs between those and ``boilerplate`` (mojibake) are not run
        for the count: they cost more than the whole first scan otherwise
        would, and they fix damage inside a document, not the lines that
        recur across documents: a site's footer or navigation is either read
        the same way in every document or decoded wrongly as a whole, which
        the decode pass sees. A line a repair does change is counted as it was
        read.
        """
        from cleaner.boilerplate.repeated import document_line_hashes

        text = doc.text
        for p in self.scan_passes:
            text = p.apply(text, doc).text
        if doc.data is not None:
            text = strict_utf8(doc)
        return document_line_hashes(text, self.config.options_for("boilerplate").batch_min_chars)

    # -- the library forms: text, record, batch, stream
    def clean_text(self, text: str) -> str:
        return self.clean_document(Document(id="text", text=text)).text

    def clean(self, record: Mapping[str, Any]) -> dict[str, Any]:
        return self.clean_document(document_from_record(record, self.config.text_key)).to_record()

    def clean_batch(self, records: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
        """``clean`` of each record, the batch cleaned a pass at a time (see
        ``clean_documents``): the form for ``datasets.map(batched=True)``,
        Ray's ``map_batches`` and the like. The first record that cannot be
        cleaned raises, as ``clean`` would."""
        docs = [document_from_record(record, self.config.text_key) for record in records]
        for error in self.clean_documents(docs):
            if error is not None:
                raise error
        return [doc.to_record() for doc in docs]

    def run(self, records: Iterable[Mapping[str, Any]]) -> Iterator[dict[str, Any]]:
        """``clean`` of each record, in order, streamed: cleaned in batches of
        up to ``BATCH_DOCUMENTS`` records (or ``BATCH_CHARACTERS`` of text) a
        pass at a time; a record that cannot be cleaned raises where it is."""
        docs: list[Document] = []
        size = 0
        try:
            for record in records:
                doc = document_from_record(record, self.config.text_key)
                docs.append(doc)
                size += len(doc.text)
                if len(docs) >= BATCH_DOCUMENTS or size >= BATCH_CHARACTERS:
                    yield from self._run_batch(docs)
                    docs, size = [], 0
        except InputError:
            yield from self._run_batch(docs)  # the records before the bad one
            raise
        yield from self._run_batch(docs)

    def _run_batch(self, docs: list[Document]) -> Iterator[dict[str, Any]]:
        for doc, error in zip(docs, self.clean_documents(docs)):
            if error is not None:
                raise error
            yield doc.to_record()

    def clean_document(self, doc: Document, trace: list[Step] | None = None) -> Document:
        text, body, title = self._start(doc)
        passes = self.passes
        body_from = self._input_end
        for i, p in enumerate(passes):
            before = text
            result = self._apply(i, p, text, doc)
            if trace is not None:
                trace.append(Step(p.name, before, result))
            text = result.text
            if i == body_from:
                body, title = text, doc.title
        self._finish(doc, text, body, title)
        return doc

    def clean_documents(self, docs: Sequence[Document],
                        on_document: Callable[[int], None] | None = None) -> list[Exception | None]:
        """``clean_document`` of each of ``docs``, a pass at a time over all of
        them rather than all the passes over one document at a time: a pass's
        code and tables then stay in the processor's caches while it goes
        through the batch (on batches of a hundred news articles, a tenth less
        time in all). What cleaning a document raises ends that document only,
        and is returned in its place; None for a document cleaned.
        ``on_document(j)`` is called before a pass works on ``docs[j]``.
        """
        errors: list[Exception | None] = [None] * len(docs)
        texts: list[str] = []
        bodies: list[str | None] = []
        titles: list[str | None] = []
        for doc in docs:
            text, body, title = self._start(doc)
            texts.append(text)
            bodies.append(body)
            titles.append(title)
        body_from = self._input_end
        apply = self._apply
        for i, p in enumerate(self.passes):
            for j, doc in enumerate(docs):
                if errors[j] is not None:
                    continue
                if on_document is not None:
                    on_document(j)
                try:
                    texts[j] = apply(i, p, texts[j], doc).text
                except Exception as err:  # that document's, as clean_document would raise it
                    errors[j] = err
                    continue
                if i == body_from:
                    bodies[j], titles[j] = texts[j], doc.title
        for j, doc in enumerate(docs):
            if errors[j] is None:
                if on_document is not None:
                    on_document(j)
                try:
                    self._finish(doc, texts[j], bodies[j], titles[j])
                except Exception as err:
                    errors[j] = err
        return errors

    def _start(self, doc: Document) -> tuple[str, str | None, str | None]:
        """A document's text, and its body and title as far as known before the passes."""
        if self.config.keep_removed and doc.removed is None:
            doc.removed = []
        text = doc.text
        # The body text (after the input passes), measured at the end if need be.
        body = text if self._input_end < 0 and doc.data is None else None
        return text, body, doc.title

    def _apply(self, i: int, p: Pass, text: str, doc: Document) -> PassResult:
        """Pass number ``i`` on ``doc``'s ``text``, its findings counted in ``doc.fixes``."""
        result = p.apply(text, doc)
        fixes = doc.fixes
        codes = result.codes
        if codes is None and result.changes:
            codes = count_codes(result.changes, _code_of)
        if codes:
            kinds = self._kinds[i]
            for code, n in codes.items():
                kind = kinds.get(code) or p.kind_of(code)
                fixes[kind] = fixes.get(kind, 0) + n
        if result.counts:
            for kind, n in result.counts.items():
                fixes[kind] = fixes.get(kind, 0) + n
        return result

    def _finish(self, doc: Document, text: str, body: str | None, title: str | None) -> None:
        if doc.data is not None:  # decoding switched off: bytes must be UTF-8
            text = strict_utf8(doc)
        doc.text = text
        if body:
            self._guard_removal(doc, body, title)

    def _guard_removal(self, doc: Document, body_text: str, title_before: str | None) -> None:
        """Flag a document that lost more of its body than the configured share.

        A title taken out of the body is moved, not lost.
        """
        kept = _body_size(doc.text)
        if doc.title and doc.title != title_before:
            kept += _body_size(doc.title)
        share = self.config.large_removal_share
        # The body is at most as long as its text: when even that much could
        # not have lost the share, its white space need not be counted.
        if share <= 1 and len(body_text) - kept <= share * len(body_text):
            return
        body = _body_size(body_text)
        if body and body - kept > share * body:
            doc.flag("large_removal")


def _body_size(text: str) -> int:
    """Characters that are not white space (a few C-level counts, no copy).

    Only the spaces the text holds are counted: a test for one that is absent
    costs a fifth of a count (a memchr), and a cleaned text holds two or three
    of the six.
    """
    return len(text) - sum([text.count(space) for space in _SPACES if space in text])


def new_line_counter(config: Config):
    """A counter for the first scan, or None when no batch statistic is wanted."""
    if "boilerplate" not in config.enabled:
        return None
    options = config.options_for("boilerplate")
    if options.batch_min_docs <= 0:
        return None
    from cleaner.boilerplate.repeated import LineCounter

    return LineCounter(options.batch_min_docs, options.batch_max_entries)


def strict_utf8(doc: Document) -> str:
    try:
        text = doc.data.decode("utf-8")  # type: ignore[union-attr]
    except UnicodeDecodeError as err:
        raise InputError(doc.source or doc.id, f"not UTF-8 at byte {err.start} (decode pass is off)") from None
    doc.data = None
    doc.encoding_in = "utf-8"
    return text


def document_from_record(record: Mapping[str, Any], text_key: str = "text", *,
                         source: str | None = None, line: int | None = None,
                         surrogates: bool = True) -> Document:
    """A Document from a JSONL-style record; other fields are kept in ``extra``.

    ``surrogates=False`` says the text cannot hold lone surrogates (orjson
    parsed it: it rejects them), which spares a scan of the text.
    """
    where = source or "<record>"
    if type(record) is not dict and not isinstance(record, Mapping):
        raise InputError(where, f"record is a JSON {type(record).__name__}, not an object", line)
    if text_key not in record:
        raise InputError(where, f"record has no {text_key!r} field", line)
    text = record[text_key]
    if not isinstance(text, str):
        raise InputError(where, f"{text_key!r} is {type(text).__name__}, not a string", line)
    flags = []
    if surrogates and _has_surrogate(text):
        # Lone surrogates (JSON "\ud800") cannot be written as UTF-8.
        text = _SURROGATE.sub("\ufffd", text)
        flags.append("lone_surrogate")
    rid = record.get("id")
    if rid is None:
        stem = Path(source).stem if source else "record"
        rid = f"{stem}_{line}" if line is not None else stem
    extra = dict(record)  # a C-level copy, then the keys the record's fields take
    del extra[text_key]
    extra.pop("id", None)
    doc = Document(id=str(rid), text=text, source=record.get("source", source),
                   extra=extra, text_key=text_key, flags=flags)
    extra.pop("source", None)
    # A record's own title and metadata (its source's, or a previous clean's)
    # are kept: otherwise the first body line would be taken for the title and
    # the record's title overwritten, and cleaning a cleaned record would eat a
    # line each time.
    if isinstance(record.get("title"), str):
        doc.title = extra.pop("title")
    if isinstance(record.get("meta"), Mapping):
        doc.meta = dict(extra.pop("meta"))
    return doc


def _has_surrogate(text: str) -> bool:
    # Encoding fails exactly on them: to UTF-16, a copy of two bytes a
    # character, at half the cost of UTF-8 and a fourth of a regex search.
    if text.isascii():  # a flag of the string: no scan
        return False
    try:
        text.encode("utf-16-le")
    except UnicodeEncodeError:
        return _SURROGATE.search(text) is not None
    return False


@cache
def default_pipeline() -> Pipeline:
    return Pipeline()


def clean_text(text: str) -> str:
    """Clean one text with the default configuration."""
    return default_pipeline().clean_text(text)
