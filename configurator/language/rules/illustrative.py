"""An ``illustrative:`` marker lists keys of the mapping that holds it, and nothing else: a marker
naming a key that is not there would count a value nobody wrote, or hide a typo that leaves the
real value unmarked (E309)."""

from __future__ import annotations

from collections.abc import Iterable

from configurator.diagnostics import Diagnostic, listing
from configurator.language.conditions import suggest
from configurator.language.rules.context import RuleContext


def check_illustrative_keys(context: RuleContext) -> Iterable[Diagnostic]:
    for mark in context.bundle.illustrative:
        keys = sorted(mark.present)
        for index, key in enumerate(mark.keys):
            if key in mark.present:
                continue
            params = {"key": key, "keys": listing(keys)}
            hint = suggest(key, keys)
            if hint:
                params["suggestion"] = hint
            yield context.at("E309", mark.path + ("illustrative", index), **params)


RULES = [check_illustrative_keys]
