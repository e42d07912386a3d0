"""The command line: a thin layer over cleaner.batch and cleaner.pipeline."""

from __future__ import annotations

import contextlib
import os
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from cleaner import interrupt
from cleaner.errors import CleanerError, ConfigError

app = typer.Typer(
    name="cleaner",
    help="Clean and normalize Chinese web and news documents into JSONL.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


class OnError(str, Enum):
    report = "report"  # go on, exit 1 at the end
    skip = "skip"      # go on, exit 0
    fail = "fail"      # stop at the first bad input


class Engine(str, Enum):
    local = "local"  # this machine's processes (--workers)
    ray = "ray"      # Ray Data: a local Ray, or a cluster with --ray-address


class InputFormat(str, Enum):
    auto = "auto"
    text = "text"
    html = "html"
    jsonl = "jsonl"


def _die(message: str, code: int) -> None:
    typer.echo(f"cleaner: {message}", err=True)
    raise typer.Exit(code)


def resolve_config(config: Path | None, inputs: list[str], *, build: bool = True, **overrides):
    """The configuration for a run: --config, else the file found above the inputs.

    With ``build``, the passes are built too (see below); a caller that
    builds them later must report a ConfigError of theirs as this would.
    """
    from cleaner.config import load_config

    first = next((i for i in inputs if i != "-"), None)
    start = Path(first) if first else Path.cwd()
    if first and not start.exists():
        start = Path.cwd()
    cfg = load_config(config, search_from=None if config else start)
    changes = {k: v for k, v in overrides.items() if v is not None}
    if "rules" in changes:
        changes["rules"] = cfg.rules + tuple(changes["rules"])
    cfg = cfg.replace(**changes) if changes else cfg
    # Build the passes once here: a broken or dangerous rule file is then one
    # configuration error (exit 2) before anything runs, not one error per
    # document. The passes' tables are cached, so the run reuses this work.
    if build:
        from cleaner.pipeline import Pipeline

        Pipeline(cfg).passes
    return cfg


@app.command()
def clean(
    inputs: Annotated[list[str], typer.Argument(help="Files, folders, globs, or - for standard input.")],
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Output JSONL file; - or none for standard output.")] = None,
    workers: Annotated[int | None, typer.Option("--workers", "-j", min=1, help="Worker processes (default 1; with --engine ray, Ray actors, default one per CPU).")] = None,
    text_key: Annotated[str | None, typer.Option("--text-key", help="JSONL field holding the text (default: text).")] = None,
    config: Annotated[Path | None, typer.Option("--config", help="Configuration file (default: found above the inputs).")] = None,
    on_error: Annotated[OnError, typer.Option("--on-error", help="report: go on and exit 1; skip: go on and exit 0; fail: stop.")] = OnError.report,
    keep_removed: Annotated[bool | None, typer.Option("--keep-removed/--no-keep-removed", help="Add removed lines and the rule that removed each.")] = None,
    rules: Annotated[list[Path] | None, typer.Option("--rules", help="Extra boilerplate rule file (repeatable).")] = None,
    input_format: Annotated[InputFormat, typer.Option("--input-format", help="Format of standard input.")] = InputFormat.auto,
    progress: Annotated[bool | None, typer.Option("--progress/--no-progress", help="Progress bar (default: on a terminal).")] = None,
    engine: Annotated[Engine, typer.Option("--engine", help="local, or ray: Ray Data reads JSONL files and writes OUTPUT as a folder of JSONL shards (pip install 'cleaner[ray]').")] = Engine.local,
    ray_address: Annotated[str | None, typer.Option("--ray-address", help="Ray cluster to run on (default: start a local Ray).")] = None,
    shard_mb: Annotated[float, typer.Option("--shard-mb", min=0.001, help="Size of each output shard (ray engine).")] = 64.0,
) -> None:
    """Clean documents and write one JSON object per document."""
    from cleaner.batch import (
        RANGE_BYTES,
        SCAN_CHUNK_BYTES,
        Summary,
        clean_chunks,
        wants_line_stats,
    )
    from cleaner.io.atomic import atomic_writer
    from cleaner.io.sources import read_items

    if output is not None and str(output) == "-":
        output = None  # the usual spelling of standard output, never a file named "-"
    # With workers and a first scan, the passes are built while the scan runs (clean_chunks).
    try:
        cfg = resolve_config(config, inputs, text_key=text_key, keep_removed=keep_removed,
                             rules=[str(r) for r in rules] if rules else None, build=False)
        scan_builds = engine is Engine.local and (workers or 1) > 1 and wants_line_stats(cfg)
        if not scan_builds:
            from cleaner.pipeline import Pipeline

            Pipeline(cfg).passes
    except ConfigError as err:
        _die(str(err), 2)
    if engine is Engine.ray:
        _clean_on_ray(inputs, output, cfg, workers, ray_address, int(shard_mb * 1e6), on_error)
        return
    workers = workers or 1
    stdin = None
    scan = None
    if wants_line_stats(cfg):
        # A first scan learns the lines that recur across the run (boilerplate.batch_min_docs);
        # standard input can be read once only, so it is kept for the second scan.
        scan_stdin = None
        if "-" in inputs:
            import io

            kept = sys.stdin.buffer.read()
            scan_stdin, stdin = io.BytesIO(kept), io.BytesIO(kept)
        # (Workers read a JSONL file's lines themselves, from byte ranges.)
        scan = read_items(inputs, stdin_format=input_format.value, stdin=scan_stdin,
                          jsonl_cells=SCAN_CHUNK_BYTES if workers > 1 else 0)
    # (Workers read a JSONL file's records themselves, from byte ranges.)
    items = read_items(inputs, stdin_format=input_format.value, stdin=stdin,
                       jsonl_ranges=RANGE_BYTES if workers > 1 else 0, numbered=True)
    summary = Summary()
    show_progress = sys.stderr.isatty() if progress is None else progress
    failed = None

    def write_all(handle) -> None:
        nonlocal failed
        bar = _Progress() if show_progress else None
        try:
            for cleaned in clean_chunks(items, cfg, workers, scan=scan):
                interrupt.raise_if_received()
                output, written = cleaned.output, 0
                for offset, outcome in cleaned.failed:
                    handle.write(output[written:offset])
                    written = offset
                    typer.echo(f"cleaner: {outcome.error}", err=True)
                    if on_error is OnError.fail:
                        failed = outcome.error
                        raise _Stop
                handle.write(output[written:] if written else output)
                summary.merge(cleaned.summary)
                if bar:
                    bar.update(summary)
        finally:
            if bar:
                bar.close()

    try:
        if output is None:
            sys.stdout.flush()
            write_all(sys.stdout.buffer)
            sys.stdout.buffer.flush()
        else:
            # Records are ~10 KB, more than the default buffer: unbuffered, each
            # would be a system call of its own.
            with atomic_writer(output, "wb", buffering=1 << 20) as handle:
                write_all(handle)
    except _Stop:
        typer.echo("cleaner: stopped at the first error (--on-error fail); no output written", err=True)
        raise typer.Exit(1)
    except ConfigError as err:
        _die(str(err), 2)
    except CleanerError as err:
        _die(str(err), 1)
    except OSError as err:
        _die(f"cannot write {output or 'standard output'}: {err.strerror or err}", 1)
    _print_summary(summary)
    if summary.errors and on_error is OnError.report:
        raise typer.Exit(1)


class _Stop(Exception):
    pass


def _clean_on_ray(inputs: list[str], output: Path | None, cfg, workers: int | None, address: str | None,
                  shard_bytes: int, on_error: OnError) -> None:
    from cleaner.io.sources import expand_inputs

    if output is None:
        _die("--engine ray writes a folder of JSONL shards: give it with -o OUT_DIR", 2)
    if output.exists() and not output.is_dir():
        _die(f"--engine ray writes a folder of JSONL shards, and {output} is a file", 2)
    paths = []
    for path in expand_inputs(inputs):
        if path == "-" or path.suffix.lower() != ".jsonl":
            _die(f"--engine ray reads JSONL files; {'standard input' if path == '-' else path} is not one", 2)
        if not path.is_file():
            _die(f"{path}: no such file", 1)
        paths.append(str(path))
    try:
        from cleaner.engines.ray import clean_jsonl

        summary = clean_jsonl(paths, output, cfg, address=address, concurrency=workers, shard_bytes=shard_bytes)
    except ConfigError as err:
        _die(str(err), 2)
    except CleanerError as err:
        _die(str(err), 1)
    for message in summary.messages:
        typer.echo(f"cleaner: {message}", err=True)
    if summary.errors and on_error is OnError.fail:
        for shard in output.glob("part-*.jsonl"):
            shard.unlink()
        typer.echo("cleaner: errors with --on-error fail; no output written", err=True)
        raise typer.Exit(1)
    _print_summary(summary)
    if summary.errors and on_error is OnError.report:
        raise typer.Exit(1)


class _Progress:
    """Documents and MB/s on stderr; only used on a terminal."""

    def __init__(self):
        from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        self._progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                                  transient=True, console=_stderr_console())
        self._task = self._progress.add_task("cleaning")
        self._progress.start()
        import time

        self._start = time.monotonic()
        self._time = time.monotonic

    def update(self, summary) -> None:
        elapsed = max(self._time() - self._start, 1e-6)
        self._progress.update(self._task, description=(
            f"{summary.documents} documents, {summary.errors} errors, "
            f"{summary.bytes_in / 1e6 / elapsed:.1f} MB/s"))

    def close(self) -> None:
        self._progress.stop()


def _stderr_console():
    from rich.console import Console

    return Console(stderr=True)


def _print_summary(summary) -> None:
    lines = [f"cleaner: {summary.documents} documents cleaned, {summary.errors} skipped"
             f" ({summary.bytes_in / 1e6:.2f} MB in)"]
    if summary.fixes:
        from cleaner.passes import all_codes

        pass_of = {code.kind: name for name, code in all_codes().values()}
        by_pass: dict[str, list[str]] = {}
        for kind, n in sorted(summary.fixes.items()):
            by_pass.setdefault(pass_of.get(kind, "other"), []).append(f"{kind} {n}")
        for name, counts in by_pass.items():
            lines.append(f"  {name:<12} " + ", ".join(counts))
    if summary.flags:
        lines.append("  flags: " + ", ".join(f"{k} {v}" for k, v in sorted(summary.flags.items())))
    typer.echo("\n".join(lines), err=True)


@app.command()
def passes(
    config: Annotated[Path | None, typer.Option("--config", help="Configuration file.")] = None,
) -> None:
    """List the passes in the order they run, with their options and defaults."""
    from cleaner.passes import pass_class

    try:
        cfg = resolve_config(config, [])
    except ConfigError as err:
        _die(str(err), 2)
    names = list(cfg.order) + [n for n in cfg.disabled if n not in cfg.order]
    for position, name in enumerate(names, start=1):
        cls = pass_class(name)
        state = "on " if name not in cfg.disabled else "off"
        typer.echo(f"{position}. {name:<12} [{state}] {cls.summary}")
        options = cfg.options_for(name)
        for key, default in cls.option_defaults().items():
            value = getattr(options, key)
            note = "" if value == default else f"   (default {default!r})"
            typer.echo(f"     {key} = {value!r}{note}")


# -- check, explain, rules (cleaner/check.py, cleaner/explain.py) -------------------------

class ExplainFormat(str, Enum):
    text = "text"
    json = "json"


@app.command()
def check(
    paths: Annotated[list[str] | None, typer.Argument(help="Files, folders or globs (.txt, .html, .jsonl).")] = None,
    fix: Annotated[bool, typer.Option("--fix", help="Rewrite dirty files in place (atomically, in their own format).")] = False,
    diff: Annotated[bool, typer.Option("--diff", help="Print a unified diff of what --fix would write; change nothing.")] = False,
    select: Annotated[list[str] | None, typer.Option("--select", help="Only these codes or families (prefixes, comma-separated).")] = None,
    ignore: Annotated[list[str] | None, typer.Option("--ignore", help="Skip these codes or families.")] = None,
    statistics: Annotated[bool, typer.Option("--statistics", help="Count findings per code instead of listing them.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only the paths of files with findings.")] = False,
    explain: Annotated[str | None, typer.Option("--explain", help="Explain a code (e.g. M101) and exit.")] = None,
    text_key: Annotated[str | None, typer.Option("--text-key", help="JSONL field holding the text (default: text).")] = None,
    config: Annotated[Path | None, typer.Option("--config", help="Configuration file (default: found above the paths).")] = None,
) -> None:
    """Report what cleaning would change, as path:line:col: CODE message; exit 1 if anything would."""
    from cleaner import check as checking
    from cleaner.explain import explain_code
    from cleaner.pipeline import Pipeline

    if explain is not None:
        try:
            typer.echo(explain_code(explain))
        except KeyError:
            _die(f"unknown code {explain!r} (see `cleaner rules`)", 2)
        return
    if not paths:
        _die("check needs at least one path (or --explain CODE)", 2)
    if fix and diff:
        _die("--fix and --diff exclude each other", 2)
    try:
        cfg = resolve_config(config, paths, text_key=text_key)
        selection = checking.Selection.parse(select or (), ignore or ())
    except ConfigError as err:
        _die(str(err), 2)
    except ValueError as err:
        _die(str(err), 2)
    checker = checking.Checker(Pipeline(cfg), selection)
    reports = list(checker.check_paths(paths))
    failed = False
    for report in reports:
        for error in report.errors:
            typer.echo(f"cleaner: {error}", err=True)
            failed = True
    findings = checking.sorted_findings(reports)
    dirty = [r for r in reports if r.dirty]
    if diff:
        for report in sorted(dirty, key=lambda r: r.path):
            typer.echo(checking.unified_diff(report), nl=False)
        typer.echo(f"Would fix {len(findings)} findings in {len(dirty)} files.", err=True)
        raise typer.Exit(1 if dirty or failed else 0)
    if fix:
        fixed_files = 0
        for report in dirty:
            try:
                fixed_files += checking.write_fix(report)
            except (CleanerError, OSError) as err:
                typer.echo(f"cleaner: {report.path}: not fixed: {err}", err=True)
                failed = True
        remaining = [f for f in findings if not f.fixable]
        for finding in remaining:
            typer.echo(finding.render())
        if not quiet:
            fixed = len(findings) - len(remaining)
            typer.echo(f"Fixed {fixed} findings in {fixed_files} file{'s' * (fixed_files != 1)}, {len(remaining)} remaining.")
        raise typer.Exit(1 if remaining or failed else 0)
    if quiet:
        for path in sorted({f.path for f in findings}):
            typer.echo(path)
    elif statistics:
        codes = checking.all_codes()
        for code, n in checking.count_by_code(findings).items():
            summary = codes[code][1].summary if code in codes else ""
            typer.echo(f"{n:>7}  {code}  {summary}")
        typer.echo(checking.summary_line(findings, len(reports), len({f.path for f in findings})))
    else:
        for finding in findings:
            typer.echo(finding.render())
        typer.echo(checking.summary_line(findings, len(reports), len({f.path for f in findings})))
    raise typer.Exit(1 if findings or failed else 0)


@app.command("explain")
def explain_command(
    file: Annotated[Path, typer.Argument(help="One .txt/.html file, or a .jsonl file (see --line).")],
    output_format: Annotated[ExplainFormat, typer.Option("--format", help="text (coloured on a terminal) or json.")] = ExplainFormat.text,
    line: Annotated[int | None, typer.Option("--line", min=1, help="JSONL: the record on this line (default: the first).")] = None,
    color: Annotated[bool | None, typer.Option("--color/--no-color", help="Colour (default: on a terminal).")] = None,
    text_key: Annotated[str | None, typer.Option("--text-key", help="JSONL field holding the text.")] = None,
    config: Annotated[Path | None, typer.Option("--config", help="Configuration file.")] = None,
) -> None:
    """Show, pass by pass, what cleaning changes in one document and why."""
    import json

    from cleaner import explain as explaining
    from cleaner.pipeline import Pipeline

    try:
        cfg = resolve_config(config, [str(file)], text_key=text_key)
        analysis = explaining.explain_file(file, Pipeline(cfg), line)
    except ConfigError as err:
        _die(str(err), 2)
    except CleanerError as err:
        _die(str(err), 1)
    if output_format is ExplainFormat.json:
        typer.echo(json.dumps(explaining.explain_data(analysis), ensure_ascii=False, indent=1))
    else:
        use_color = sys.stdout.isatty() and not os.environ.get("NO_COLOR") if color is None else color
        typer.echo(explaining.explain_text(analysis, color=use_color), nl=False, color=use_color)


@app.command()
def rules(
    prefix: Annotated[str | None, typer.Argument(help="Only codes starting with this (e.g. M or W10).")] = None,
    output_format: Annotated[ExplainFormat, typer.Option("--format", help="text or json.")] = ExplainFormat.text,
) -> None:
    """List every finding code by family, with what it means and an example."""
    import json

    from cleaner import explain as explaining

    if output_format is ExplainFormat.json:
        typer.echo(json.dumps(explaining.rules_json(), ensure_ascii=False, indent=1))
        return
    text = explaining.rules_text(prefix or "")
    if not text:
        _die(f"no code starts with {prefix!r}", 2)
    typer.echo(text)

# -- end of check, explain, rules ----------------------------------------------------------


def _exit_interrupted(err: interrupt.Interrupted) -> None:
    with contextlib.suppress(Exception):
        sys.stdout.flush()
    sys.stderr.write(f"cleaner: {err.message}\n")
    sys.stderr.flush()
    # The batch has stopped its workers; a normal exit lets multiprocessing
    # release its semaphores (os._exit would leave the resource tracker to
    # complain about them on stderr).
    sys.exit(err.exit_code)


def main() -> None:
    interrupt.install()
    try:
        app()
    except interrupt.Interrupted as err:
        _exit_interrupted(err)
    except Exception as err:  # a bug: one line for the user, the traceback on request
        if interrupt.received is not None:
            # Not a bug: the signal cut something short (an import in the warm-up
            # thread, a third-party call) and this error is how that surfaced.
            _exit_interrupted(interrupt.Interrupted(interrupt.received))
        if os.environ.get("CLEANER_DEBUG"):
            raise
        sys.stderr.write(f"cleaner: internal error: {type(err).__name__}: {err} (set CLEANER_DEBUG=1 for details)\n")
        sys.exit(3)
