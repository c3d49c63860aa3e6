"""Items can be put in an order: no cycles; ``after`` only where data flow does not already say it."""

from __future__ import annotations

from collections.abc import Iterable

from configurator.diagnostics import Diagnostic, localized
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


def check_combined(context: RuleContext) -> Iterable[Diagnostic]:
    """合并办理: an item handled together with a host item of the same department; one level only."""
    bundle = context.bundle
    for item in bundle.items:
        if item.combined_with is None:
            continue
        path = item.path + ("combined_with",)
        host = bundle.item(item.combined_with)
        if host is None:
            yield context.at("E304", path, ref=item.combined_with)
        elif host.id == item.id:
            yield context.at("E515", path, problem=localized(f"事项“{item.id}”不能与自己合并办理",
                                                             f"item \"{item.id}\" cannot be combined with itself"))
        elif host.combined_with is not None:
            yield context.at("E515", path, problem=localized(
                f"“{host.id}”本身与“{host.combined_with}”合并办理；请直接写 combined_with: {host.combined_with}",
                f"\"{host.id}\" is itself combined with \"{host.combined_with}\"; write combined_with: "
                f"{host.combined_with}"))
        elif host.department != item.department:
            yield context.at("E515", path, problem=localized(
                f"事项“{item.id}”（{item.department}）与“{host.id}”（{host.department}）不是同一部门，不能合并办理",
                f"item \"{item.id}\" ({item.department}) and \"{host.id}\" ({host.department}) belong to different "
                "departments and cannot be handled as one"))


RULES = [check_cycles, check_redundant_after, check_combined]
