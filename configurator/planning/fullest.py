"""The fullest case among every combination of independent groups, without ranking them all.

The fullest case has the most items, then the most materials, then the most days
(figures.fullest), and among equals it is the first the exhaustive walk meets. Groups whose items
share no material, wait for none of each other's items, are not handled together and do not set
each other's time limits ("components") add their items and materials and take the longest of
their days, so each component is searched alone (branch and bound on its items and materials) and
the best of each is put together. Only days need care: the bundle's days are the longest of the
components', so a component not setting them may take any of its best cases whose days are no
longer, and the first such combination in the walk's order is chosen.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from configurator.model import Bundle
from configurator.planning.independent import Groups, Node, Visit
from configurator.planning.plan import ItemEntry, Planner


def fullest(groups: Groups, bundle: Bundle, planner: Planner, budget: int) -> tuple[tuple[int, ...] | None, bool]:
    """The first combination of parts of the highest rank, and whether every component was searched
    within ``budget`` combinations."""
    if not groups.count:
        return None, True
    if len(groups.varying) < 2:  # the parts of one group: rank each
        def rank(chosen: tuple[int, ...]) -> tuple[int, int, int]:
            items, materials, _ = planner.decide(groups.truth(chosen))
            return len(items), len(materials), planner.plan_of({}, (), items, materials, ()).days
        return max(groups.one_by_one(), key=rank), True
    slot_group = {slot: group for group, parts in enumerate(groups.parts) for slot, _ in parts[0].truths}
    components, fixed_items = _components(groups, bundle, planner, slot_group)
    domains = groups.domains

    keys: dict[tuple[int, ...], tuple[int, ...]] = {}

    def order(chosen: tuple[int, ...]) -> tuple[int, ...]:  # the walk's order: answers' indexes, file order
        if chosen not in keys:
            answers = groups.answers(bundle, chosen)
            keys[chosen] = tuple(domains[s.id].index(answers[s.id]) if s.id in answers else -1
                                 for s in bundle.situations)
        return keys[chosen]

    start = tuple(0 for _ in groups.parts)
    items, _, _ = planner.decide(groups.truth(start))
    fixed_days = longest = planner.plan_of({}, (), [i for i in items if i.id in fixed_items], [], ()).days
    best: list[dict[int, tuple[int, ...]]] = []  # per component: days → its first best combination
    done = True
    start_truth = groups.truth(start)
    for component in components:
        by_days, finished = _search(groups, planner, start, start_truth, component, budget)
        done = done and finished
        best.append(by_days)
        longest = max(longest, *by_days)
    # a component not setting the days may take any of its best (none is longer than the longest)
    free = [min(by_days.values(), key=order) for by_days in best]

    def together(setter: int | None) -> tuple[int, ...]:
        """Each component's first best combination, ``setter``'s the first with the longest days."""
        combined = list(start)
        for index, component in enumerate(components):
            chosen = best[index][longest] if index == setter else free[index]
            for group in component.groups:
                combined[group] = chosen[group]
        return tuple(combined)

    setters = [index for index, by_days in enumerate(best) if longest in by_days]
    # the fixed items set the days already: every component free; else one of those reaching them must
    candidates = [together(None)] if fixed_days == longest else [together(index) for index in setters]
    return min(candidates, key=order), done


@dataclass
class _Component:
    groups: set[int]  # its groups of several parts
    items: set[str]
    materials: set[str]
    fixed_items: int = 0  # its items outside those groups (a bound: some may never apply)
    fixed_materials: int = 0  # the bits of their materials
    fixed_days: int = 0  # their longest time limits, summed or the longest (as the schedule adds them)


def _search(groups: Groups, planner: Planner, start: tuple[int, ...], start_truth: tuple[bool, ...],
            component: _Component, budget: int) -> tuple[dict[int, tuple[int, ...]], bool]:
    """One component's best items and materials: per days, the first combination reaching them."""
    member_groups = component.groups
    # only the component's groups leave the start: the rest of the truth and every other item stay
    truth = list(start_truth)  # the component's groups' slots set anew at every leaf
    entries = planner.among(component.items)
    best_rank = (-1, -1)
    by_days: dict[int, tuple[int, ...]] = {}
    ranked = 0
    roots = _roots(groups, start, member_groups)

    def beaten(nodes: list[Node]) -> bool:
        materials = component.fixed_materials
        for group in member_groups:
            materials |= nodes[group].materials
        items = component.fixed_items + sum(nodes[group].items for group in member_groups)
        return (items, materials.bit_count()) < best_rank

    def leaf(chosen: list[int]) -> bool:
        nonlocal ranked, best_rank, by_days
        ranked += 1
        # the component's materials are used by its items only (_item_nodes joins every user)
        own, materials = planner.part_of_case(groups.set_beside(truth, chosen, member_groups), entries)
        rank = (len(own), materials)
        if rank >= best_rank:
            days = planner.days_of(own)
            if rank > best_rank:
                best_rank, by_days = rank, {}
            by_days.setdefault(days, tuple(chosen))
        return ranked > budget

    Visit(roots, leaf, beaten).run()
    return by_days, ranked <= budget


def _roots(groups: Groups, start: tuple[int, ...], members: set[int]) -> list[Node]:
    """The tries a component's search visits: its own groups', every other group held at its part
    in ``start`` (the first: leaves made once per bundle, not once per component, which copies of
    a bundle have nearly as many of as groups)."""
    assert not any(start)
    roots = list(groups.at_first_parts)
    for group in members:
        roots[group] = groups.roots[group]
    return roots


class _Nodes:
    """Union-find over numbered nodes: a group of questions, or an item no group decides."""

    def __init__(self, count: int) -> None:
        self.parent = list(range(count))

    def root(self, node: int) -> int:
        parent = self.parent
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    def join(self, first: int, second: int) -> None:
        self.parent[self.root(second)] = self.root(first)


def _item_nodes(groups: Groups, bundle: Bundle, planner: Planner,
                slot_group: dict[int, int]) -> tuple[_Nodes, dict[str, int]]:
    """Each item's node (its group, or a node of its own), joined with every group and item it
    shares a time limit, a material, an order or combined handling with."""
    count = len(groups.parts)
    nodes = _Nodes(count + len(bundle.items))
    item_node: dict[str, int] = {}
    for index, item in enumerate(bundle.items):
        slot = planner.slot_of(item.when)
        item_node[item.id] = slot_group[slot] if slot in slot_group else count + index
        for v in item.varies:  # a time limit set by another group's answers
            if v.attribute == "promised_days":
                for case in v.cases:
                    case_slot = planner.slot_of(case.when)
                    if case_slot in slot_group:
                        nodes.join(item_node[item.id], slot_group[case_slot])
    users: dict[str, list[int]] = {}
    for item in bundle.items:
        for material_id in item.materials:
            users.setdefault(material_id, []).append(item_node[item.id])
    for material in bundle.materials:
        linked = users.get(material.id, [])
        slot = planner.slot_of(material.when)
        if slot in slot_group:
            linked = [*linked, slot_group[slot]]
        for node in linked[1:]:
            nodes.join(linked[0], node)
    for edge in planner.edges:
        nodes.join(item_node[edge.before], item_node[edge.after])
    for item in bundle.items:
        if item.combined_with in item_node:
            nodes.join(item_node[item.id], item_node[item.combined_with])
    return nodes, item_node


def _components(groups: Groups, bundle: Bundle, planner: Planner,
                slot_group: dict[int, int]) -> tuple[list[_Component], set[str]]:
    """Per component with a group of several parts: its groups, items and materials; and the items
    of the components without one (the same in every case)."""
    nodes, item_node = _item_nodes(groups, bundle, planner, slot_group)
    root = nodes.root
    found: dict[int, _Component] = {}
    for group in groups.varying:
        found.setdefault(root(group), _Component(set(), set(), set())).groups.add(group)
    bits: dict[str, int] = {}
    for position, material in enumerate(bundle.materials):
        bits[material.id] = bits.get(material.id, 0) | 1 << position
    fixed: set[str] = set()
    for item in bundle.items:
        component = found.get(root(item_node[item.id]))
        if component is None:
            fixed.add(item.id)
            continue
        component.items.add(item.id)
        component.materials.update(item.materials)
        if item_node[item.id] not in component.groups:
            component.fixed_items += 1
            for material_id in item.materials:
                component.fixed_materials |= bits.get(material_id, 0)
            days = max([item.promised_days, *(case.value for v in item.varies if v.attribute == "promised_days"
                                              for case in v.cases)])
            component.fixed_days = component.fixed_days + days if groups.days_add else max(component.fixed_days, days)
    return list(found.values()), fixed


def longest(groups: Groups, bundle: Bundle, planner: Planner, budget: int) -> tuple[int, bool]:
    """The most working days of any case (the notice's "at most"): the longest of each component's,
    each found by branch and bound on its days; and whether every component was searched within
    ``budget`` combinations."""
    if not groups.count:
        return 0, True

    def days(chosen: Sequence[int], only: set[str] | None = None) -> int:
        items, _, _ = planner.decide(groups.truth(chosen))
        return planner.plan_of({}, (), [i for i in items if only is None or i.id in only], [], ()).days

    if len(groups.varying) < 2:
        return max(days(chosen) for chosen in groups.one_by_one()), True
    slot_group = {slot: group for group, parts in enumerate(groups.parts) for slot, _ in parts[0].truths}
    components, fixed_items = _components(groups, bundle, planner, slot_group)
    start = tuple(0 for _ in groups.parts)
    most = days(start, fixed_items)
    done = True
    truth = list(groups.truth(start))  # each component's groups' slots set anew at each of its leaves
    for component in components:
        ranked = 0
        roots = _roots(groups, start, component.groups)
        entries = planner.among(component.items)

        def beaten(nodes: list[Node], component: _Component = component) -> bool:
            own = [nodes[group].days for group in component.groups]
            bound = (component.fixed_days + sum(own) if groups.days_add
                     else max([component.fixed_days, *own]))
            return bound <= most

        def leaf(chosen: list[int], component: _Component = component, entries: list[ItemEntry] = entries) -> bool:
            nonlocal ranked, most
            ranked += 1
            own, _ = planner.part_of_case(groups.set_beside(truth, chosen, component.groups), entries)
            most = max(most, planner.days_of(own))
            return ranked > budget

        Visit(roots, leaf, beaten).run()
        groups.set_beside(truth, start, component.groups)  # back to the start for the next component
        done = done and ranked <= budget
    return most, done
