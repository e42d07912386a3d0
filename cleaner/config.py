"""Configuration: which passes run, in what order, with which options.

Found the way ruff finds its settings: walking up from the inputs, the first
``cleaner.toml`` (or ``.cleaner.toml``), or ``pyproject.toml`` with a
``[tool.cleaner]`` table, wins; ``--config FILE`` overrides the search.

    passes = ["decode", "layout"]      # order; omitted passes keep their default slot
    text_key = "text"                   # JSONL field holding the text
    keep_removed = false                # add removed lines (with rule ids) to records
    rules = ["my-outlet.toml"]          # extra boilerplate rule files

    [layout]                            # options of one pass
    enabled = true
    heading_max = 25
"""

from __future__ import annotations

import dataclasses
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cleaner.errors import ConfigError
from cleaner.passes import DEFAULT_ORDER, REGISTRY, options_class, pass_class

CONFIG_FILES = ("cleaner.toml", ".cleaner.toml")
SETTINGS = {"passes", "text_key", "keep_removed", "rules", "large_removal_share"}


@dataclass(frozen=True)
class Config:
    order: tuple[str, ...] = DEFAULT_ORDER
    disabled: frozenset[str] = frozenset()
    # pass name -> its Options instance; missing names use the defaults.
    options: Mapping[str, Any] = field(default_factory=dict)
    text_key: str = "text"
    keep_removed: bool = False
    # A document that loses more than this share of its body (non-space
    # characters after decoding and HTML extraction) is flagged "large_removal":
    # cleaning is meant to remove furniture, not articles.
    large_removal_share: float = 0.5
    rules: tuple[str, ...] = ()
    path: str | None = None  # where it was read from, for messages
    # Lines frequent across the documents of a run (cleaner.boilerplate.repeated.LineStats),
    # learnt by a first scan (batch.learn_line_stats / Pipeline.observe); not read from TOML.
    line_stats: Any = None

    @property
    def enabled(self) -> tuple[str, ...]:
        return tuple(name for name in self.order if name not in self.disabled)

    def options_for(self, name: str) -> Any:
        opts = self.options.get(name)
        return opts if opts is not None else options_class(name)()

    def replace(self, **changes: Any) -> Config:
        return dataclasses.replace(self, **changes)


def find_config(start: Path) -> Path | None:
    """The closest configuration file at or above ``start``."""
    start = start.resolve()
    directory = start if start.is_dir() else start.parent
    for folder in (directory, *directory.parents):
        for name in CONFIG_FILES:
            candidate = folder / name
            if candidate.is_file():
                return candidate
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file() and re.search(r"^\[tool\.cleaner[\].]", _read(pyproject), re.MULTILINE):
            return pyproject
    return None


def load_config(path: str | Path | None = None, *, search_from: str | Path | None = None) -> Config:
    """Read ``path`` or the file found above ``search_from``; defaults when none."""
    if path is None and search_from is not None:
        path = find_config(Path(search_from))
    if path is None:
        return Config()
    path = Path(path)
    text = _read(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        line = re.search(r"line (\d+)", str(err))
        number = int(line.group(1)) if line else text.count("\n") + 1  # "at end of document"
        raise ConfigError(f"invalid TOML: {err}", str(path), number) from None
    if path.name == "pyproject.toml":
        data = data.get("tool", {}).get("cleaner", {})
    return config_from_mapping(data, str(path), text)


def config_from_mapping(data: Mapping[str, Any], path: str | None = None, source_text: str = "") -> Config:
    """Validate a configuration given as a mapping (parsed TOML or a dict)."""

    def fail(message: str, key: str, section: str | None = None) -> ConfigError:
        return ConfigError(message, path, _line_of(source_text, key, section))

    for key in data:
        if key not in SETTINGS and key not in REGISTRY:
            known = ", ".join(sorted(SETTINGS | set(REGISTRY)))
            raise fail(f"unknown key or pass {key!r} (known: {known})", key)

    order = list(DEFAULT_ORDER)
    if "passes" in data:
        wanted = data["passes"]
        if not isinstance(wanted, list) or not all(isinstance(p, str) for p in wanted):
            raise fail("'passes' must be a list of pass names", "passes")
        for name in wanted:
            if name not in REGISTRY:
                raise fail(f"unknown pass {name!r} in 'passes' (known: {', '.join(REGISTRY)})", "passes")
        # Listed passes run in the listed order; the others are switched off.
        order = list(dict.fromkeys(wanted))
    disabled = {name for name in DEFAULT_ORDER if name not in order}

    options: dict[str, Any] = {}
    for name in REGISTRY:
        section = data.get(name)
        if section is None:
            continue
        if not isinstance(section, Mapping):
            raise fail(f"[{name}] must be a table of options", name)
        section = dict(section)
        enabled = section.pop("enabled", True)
        if not isinstance(enabled, bool):
            raise fail(f"{name}.enabled must be true or false", "enabled", name)
        if not enabled:
            disabled.add(name)
        elif name not in order:
            order.append(name)
        options[name] = _build_options(name, section, fail)

    settings = {k: data[k] for k in ("text_key", "keep_removed", "large_removal_share") if k in data}
    share = settings.get("large_removal_share", 0.5)
    if isinstance(share, bool) or not isinstance(share, (int, float)) or not 0 <= share <= 1:
        raise fail("'large_removal_share' must be a number from 0 to 1", "large_removal_share")
    if "large_removal_share" in settings:
        settings["large_removal_share"] = float(share)
    if "text_key" in settings and not isinstance(settings["text_key"], str):
        raise fail("'text_key' must be a string", "text_key")
    if "keep_removed" in settings and not isinstance(settings["keep_removed"], bool):
        raise fail("'keep_removed' must be true or false", "keep_removed")
    rules = data.get("rules", [])
    if not isinstance(rules, list) or not all(isinstance(r, str) for r in rules):
        raise fail("'rules' must be a list of file paths", "rules")
    if path is not None:  # rule paths are relative to the configuration file
        rules = [str(Path(path).parent / r) for r in rules]
    return Config(order=tuple(order), disabled=frozenset(disabled), options=options,
                  rules=tuple(rules), path=path, **settings)


def _build_options(name: str, section: dict[str, Any], fail) -> Any:
    cls = pass_class(name).Options
    fields = {f.name: f for f in dataclasses.fields(cls)}
    defaults = pass_class(name).option_defaults()
    values = {}
    for key, value in section.items():
        if key not in fields:
            known = ", ".join(["enabled", *fields]) or "enabled"
            raise fail(f"unknown option {name}.{key} (known: {known})", key, name)
        values[key] = _coerce(value, defaults[key], f"{name}.{key}", lambda m, k: fail(m, k, name), key)
    try:
        return cls(**values)
    except (TypeError, ValueError) as err:
        # Options validate themselves and name the field first ("target must be ...").
        key = next((k for k in values if str(err).startswith(k)), None)
        raise fail(f"invalid options for {name}: {err}", key or name, name if key else None) from None


def _coerce(value: Any, default: Any, label: str, fail, key: str) -> Any:
    if isinstance(default, bool):
        if isinstance(value, bool):
            return value
    elif isinstance(default, tuple):
        if isinstance(value, list):
            return tuple(value)
    elif isinstance(default, float):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
    elif default is None or isinstance(value, type(default)) and not isinstance(value, bool):
        return value
    kind = type(default).__name__.replace("tuple", "list")
    raise fail(f"{label} must be a {kind}, got {value!r}", key)


def _line_of(text: str, key: str, section: str | None = None) -> int | None:
    """Line of ``key`` (as a key or a [table]) in the TOML source, for messages.

    With ``section``, the key is looked for in that table first (``[layout]``
    or ``[tool.cleaner.layout]``), so ``enabled`` points at the right one.
    """
    start, end = 0, len(text)
    if section is not None:
        header = re.compile(rf"^\s*\[(?:tool\.cleaner\.)?{re.escape(section)}\]\s*$", re.MULTILINE).search(text)
        if header:
            start = header.end()
            following = re.compile(r"^\s*\[", re.MULTILINE).search(text, start)
            end = following.start() if following else len(text)
    pattern = re.compile(rf"^\s*(\[[^\]]*\b{re.escape(key)}\]|{re.escape(key)}\s*=)", re.MULTILINE)
    m = pattern.search(text, start, end) or pattern.search(text)
    return text.count("\n", 0, m.start()) + 1 if m else None


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(f"cannot read configuration: {err}", str(path)) from None
