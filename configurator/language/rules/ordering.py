"""Items can be put in an order: no cycles; ``after`` only where data flow does not already say it."""

from __future__ import annotations

from collections.abc import Iterable

from configurator.diagnostics import Diagnostic
from configurator.language.graph import dependencies, find_cycles
from configurator.language.rules.context import RuleContext


def check_cycles(context: RuleContext) -> Iterable[Diagnostic]:
    bundle = context.bundle
    item_ids = [item.id for item in bundle.items]
    if len(set(item_ids)) != len(item_ids):
        return  # with two items of one id the order is ambiguous; the duplicate is reported
    edges = dependencies(bundle)
    for cycle in find_cycles(item_ids, edges):
        # Locate at the statement that closes the cycle, so the fix is one line.
        closing = next(e for e in edges if e.before == cycle[-2] and e.after == cycle[-1])
        yield context.at("E501", closing.path, cycle=" → ".join(cycle))


def check_redundant_after(context: RuleContext) -> Iterable[Diagnostic]:
    edges = dependencies(context.bundle)
    data_flow = {(e.before, e.after): e.material for e in edges if e.is_data_flow}
    for edge in edges:
        if not edge.is_data_flow and (edge.before, edge.after) in data_flow:
            yield context.at("W508", edge.path, item=edge.after, after=edge.before,
                             material=data_flow[(edge.before, edge.after)])


RULES = [check_cycles, check_redundant_after]
