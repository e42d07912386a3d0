"""One way to make an OpenCC converter, whichever ``opencc`` is installed.

Two distributions install the same module name ``opencc`` and overwrite each
other:

- the official binding (PyPI ``opencc``, BYVoid's C++ library) names a
  configuration by its file, ``t2s.json`` (1.4 also takes ``t2s``), and passes
  OpenCC's conformance suite;
- ``opencc-python-reimplemented`` (pure Python, older dictionaries) takes the
  bare name ``t2s`` and appends ``.json`` itself, so ``t2s.json`` fails; it
  ships fewer configurations (no ``tw2t``, ``hk2t``, ``*p`` for Hong Kong).

Converters are made on demand, never at import time: the official one wraps a
C++ object that cannot be pickled, so each worker process makes its own.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from types import ModuleType

OFFICIAL = "official"
REIMPLEMENTED = "reimplemented"

Converter = Callable[[str], str]


class ConfigUnavailable(LookupError):
    """The installed ``opencc`` has no such configuration."""


def opencc_module() -> ModuleType:
    try:
        return importlib.import_module("opencc")
    except ImportError as err:  # pragma: no cover - a dependency of the package
        raise ImportError("the script pass needs OpenCC: pip install opencc") from err


def flavour(module: ModuleType | None = None) -> str:
    """Which distribution ``module`` (default: the installed ``opencc``) is."""
    module = module or opencc_module()
    # The official binding exposes its C++ extension (``clib``/``opencc_clib``)
    # and, since 1.1.7, the list CONFIGS; the reimplementation is the pure
    # Python submodule ``opencc.opencc`` reading a ``config`` folder.
    if any(hasattr(module, name) for name in ("clib", "opencc_clib", "CONFIGS")):
        return OFFICIAL
    inner = getattr(module, "opencc", None)
    if inner is not None and hasattr(inner, "CONFIG_DIR"):
        return REIMPLEMENTED
    raise ImportError(f"unrecognised opencc module at {getattr(module, '__file__', module)!r}")


def config_names(config: str, kind: str) -> tuple[str, ...]:
    """The spellings of ``config`` to try with a binding of ``kind``, best first.

    ``config`` may be given either way (``t2s`` or ``t2s.json``). The official
    binding wants the file name (older releases take nothing else); the
    reimplementation adds ``.json`` itself. The other spelling comes second, for
    releases that changed their mind.
    """
    stem = config.removesuffix(".json")
    if not stem or os.sep in stem or "/" in stem:
        raise ValueError(f"not an OpenCC configuration name: {config!r}")
    if kind == OFFICIAL:
        return (f"{stem}.json", stem)
    if kind == REIMPLEMENTED:
        return (stem, f"{stem}.json")
    raise ValueError(f"unknown OpenCC binding kind {kind!r}")


def available_configs(module: ModuleType | None = None) -> frozenset[str] | None:
    """Configuration stems the installed binding ships; None when it cannot tell."""
    module = module or opencc_module()
    kind = flavour(module)
    if kind == OFFICIAL:
        configs = getattr(module, "CONFIGS", None)
        return frozenset(c.removesuffix(".json") for c in configs) if configs else None
    folder = os.path.join(os.path.dirname(module.opencc.__file__), module.opencc.CONFIG_DIR)
    try:
        return frozenset(f.removesuffix(".json") for f in os.listdir(folder) if f.endswith(".json"))
    except OSError:
        return None


def make_converter(config: str, module: ModuleType | None = None) -> Converter:
    """A ``str -> str`` function converting with OpenCC configuration ``config``.

    Raises ConfigUnavailable when the installed binding has no such
    configuration (the reimplementation lacks several).
    """
    module = module or opencc_module()
    kind = flavour(module)
    stem = config.removesuffix(".json")
    known = available_configs(module)
    if known is not None and stem not in known:
        raise ConfigUnavailable(f"OpenCC configuration {stem!r} is not in the installed {kind} binding")
    errors = []
    for name in config_names(config, kind):
        try:
            converter = module.OpenCC(name)
        except Exception as err:  # each binding signals a bad name its own way
            errors.append(err)
            continue
        return converter.convert
    raise ConfigUnavailable(f"OpenCC ({kind}) cannot load {stem!r}: {errors[0]}") from errors[0]
