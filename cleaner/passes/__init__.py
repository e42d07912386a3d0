"""The passes, in their default order.

Decoding and mojibake repair come first (later passes need the real characters),
then structure (boilerplate before line joining, so captions and credits are not
glued onto paragraphs), then script and punctuation on the final text.
"""

from __future__ import annotations

import importlib
from functools import cache

from cleaner.passes.base import Change, Code, Pass, PassResult

# name -> "module:Class". The order of this table is the default pass order.
REGISTRY: dict[str, str] = {
    "decode": "cleaner.passes.decode:Decode",
    "html": "cleaner.passes.html:Html",
    "mojibake": "cleaner.passes.mojibake:Mojibake",
    "boilerplate": "cleaner.passes.boilerplate:Boilerplate",
    "layout": "cleaner.passes.layout:Layout",
    "script": "cleaner.passes.script:Script",
    "punctuation": "cleaner.passes.punctuation:Punctuation",
}

DEFAULT_ORDER: tuple[str, ...] = tuple(REGISTRY)

# name -> "module:Class" of the options of a pass that a run reads before it
# builds the passes (the others are the pass's ``Options``).
OPTIONS: dict[str, str] = {
    "boilerplate": "cleaner.boilerplate.options:BoilerplateOptions",
}


@cache
def pass_class(name: str) -> type[Pass]:
    """Import a pass lazily: ``cleaner --help`` must not pay for OpenCC or bs4."""
    module_name, _, class_name = REGISTRY[name].partition(":")
    return getattr(importlib.import_module(module_name), class_name)


@cache
def options_class(name: str) -> type:
    """The options of a pass, without importing the pass where they live apart."""
    if name in OPTIONS:
        module_name, _, class_name = OPTIONS[name].partition(":")
        return getattr(importlib.import_module(module_name), class_name)
    return pass_class(name).Options


def all_codes() -> dict[str, tuple[str, Code]]:
    """Every finding code -> (pass name, Code)."""
    codes: dict[str, tuple[str, Code]] = {}
    for name in REGISTRY:
        for code in pass_class(name).codes:
            codes[code.code] = (name, code)
    return codes


__all__ = ["DEFAULT_ORDER", "OPTIONS", "REGISTRY", "Change", "Code", "Pass", "PassResult", "all_codes", "options_class",
           "pass_class"]
