"""When a case's items run: each item's start and end day, and what the figures and routing
need of that without a whole schedule.

Items handled together (``combined_with``, both applicable) are one unit. A case's days are the
end of its longest chain of units; an item's depth is how many items wait for each other before
it. Items linked by a dependency or handled together form a chain of the bundle (``Chains``):
chains never meet, so a case's days and depths are put together from its chains', each computed
once per state of the chain (copies of one bundle share most of them).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from configurator.language import graph
from configurator.model import Item


@dataclass(frozen=True)
class Task:
    """One applicable item, scheduled: it starts when its dependencies have finished."""

    item: Item
    after: tuple[str, ...]  # ids of applicable items it waits for
    start_day: int
    end_day: int


def units(items: Sequence[Item]) -> dict[str, str]:
    """Item id → the unit it is handled in: the item it is ``combined_with`` when that one
    applies too, else itself."""
    present = {item.id for item in items}
    return {item.id: item.combined_with if item.combined_with in present else item.id for item in items}


def last_day(items: Sequence[Item], edges: Sequence[graph.Dependency]) -> int:
    """The last end day of ``schedule(items, edges)``, without the schedule: the figures need only
    the days of hundreds of cases, and a schedule names every task in order (the longest chain of
    units, each unit as long as its longest member, found in any order that respects the edges)."""
    unit = units(items)
    length: dict[str, int] = {}
    for item in items:
        own = unit[item.id]
        length[own] = max(length.get(own, 0), item.promised_days)
    waiting = dict.fromkeys(length, 0)
    successors: dict[str, list[str]] = {}
    for edge in edges:
        before, after = unit[edge.before], unit[edge.after]
        if before != after:
            waiting[after] += 1
            successors.setdefault(before, []).append(after)
    start = dict.fromkeys(length, 0)
    ready = [unit_id for unit_id, count in waiting.items() if not count]
    last = done = 0
    while ready:
        current = ready.pop()
        done += 1
        end = start[current] + length[current]
        last = max(last, end)
        for after in successors.get(current, ()):
            if end > start[after]:
                start[after] = end
            waiting[after] -= 1
            if not waiting[after]:
                ready.append(after)
    if done < len(length):  # a cycle (the check rejects them): the schedule's own reading of it
        return max((task.end_day for task in schedule(list(items), list(edges))), default=0)
    return last


def schedule(items: list[Item], edges: list[graph.Dependency]) -> tuple[Task, ...]:
    """Earliest start and end of each item, in dependency order (working days from intake).

    Items handled together (``combined_with``, both applicable) are one unit: it waits for
    what any member waits for and lasts as long as its longest member."""
    if not edges and all(item.combined_with is None for item in items):
        # nothing waits and nothing is combined (the common case): every item starts at once
        return tuple([Task(item, (), 0, item.promised_days) for item in items])
    by_id = {item.id: item for item in items}
    unit = units(items)
    members: dict[str, list[str]] = {}
    for item in items:
        members.setdefault(unit[item.id], []).append(item.id)
    waits: dict[str, list[str]] = {item.id: [] for item in items}
    unit_edges = []
    for edge in edges:
        if unit[edge.before] == unit[edge.after]:
            continue  # handled together: no wait between them
        if edge.before not in waits[edge.after]:
            waits[edge.after].append(edge.before)
        unit_edges.append(dataclasses.replace(edge, before=unit[edge.before], after=unit[edge.after]))
    ends: dict[str, int] = {}
    tasks: list[Task] = []
    # without edges the order is file order; a lone item needs no max over its members
    for unit_id in graph.topological_order(list(members), unit_edges) if unit_edges else list(members):
        group = members[unit_id]
        if len(group) == 1:
            item = by_id[group[0]]
            before_ids = waits[item.id]
            start = max([ends[before] for before in before_ids]) if before_ids else 0
            ends[item.id] = end = start + item.promised_days
            tasks.append(Task(item, tuple(before_ids), start, end))
            continue
        start = max((ends[before] for member in members[unit_id] for before in waits[member]), default=0)
        end = start + max(by_id[member].promised_days for member in members[unit_id])
        for member in members[unit_id]:
            ends[member] = end
            tasks.append(Task(by_id[member], tuple(waits[member]), start, end))
    return tuple(tasks)


class Chains:
    """The bundle's items in chains: items linked by a dependency or handled together
    (``combined_with``) are in one chain, and an item linked to none is alone. A case's days are
    the longest of its alone items' promises and its chains' own days, and a chain with the same
    items present (and the same promises) has the same days in every case: computed once per
    planner, not once per case (copies of a bundle share most of their chains' states)."""

    def __init__(self, items: Sequence[Item], edges: Sequence[graph.Dependency]) -> None:
        root = {item.id: item.id for item in items}

        def find(item_id: str) -> str:
            while root[item_id] != item_id:
                root[item_id] = item_id = root[root[item_id]]
            return item_id

        links = [(edge.before, edge.after) for edge in edges]
        links += [(item.id, item.combined_with) for item in items if item.combined_with in root]
        for one, other in links:
            root[find(one)] = find(other)
        linked = {find(one) for one, _ in links}
        self._chain_of = {item.id: find(item.id) for item in items if find(item.id) in linked}
        self._edges = edges
        self._days: dict[tuple[Any, ...], int] = {}
        self._depths: dict[tuple[str, ...], dict[int, list[str]]] = {}

    def days(self, items: Sequence[Item]) -> int:
        """``last_day`` of a case's items (or some of them) and the dependencies between them."""
        longest = 0
        chains: dict[str, list[Item]] = {}
        chain_of = self._chain_of
        for item in items:
            chain = chain_of.get(item.id)
            if chain is None:  # linked to nothing: starts at once
                if item.promised_days > longest:
                    longest = item.promised_days
            else:
                chains.setdefault(chain, []).append(item)
        remembered = self._days
        for members in chains.values():
            key = tuple([(m.id, m.promised_days, m.combined_with) for m in members])
            days = remembered.get(key)
            if days is None:
                present = {m.id for m in members}
                days = remembered[key] = last_day(members, [e for e in self._edges
                                                            if e.after in present and e.before in present])
            if days > longest:
                longest = days
        return longest

    def depths(self, items: Sequence[Item]) -> dict[int, list[str]]:
        """A case's item ids by dependency depth (how many items wait for each other before it,
        at most), each chain's found once per state of the chain. Ids of one depth come in no
        particular order."""
        at_depth: dict[int, list[str]] = {}
        chains: dict[str, list[str]] = {}
        chain_of = self._chain_of
        for item in items:
            chain = chain_of.get(item.id)
            if chain is None:
                at_depth.setdefault(0, []).append(item.id)
            else:
                chains.setdefault(chain, []).append(item.id)
        remembered = self._depths
        for members in chains.values():
            key = tuple(members)
            found = remembered.get(key)
            if found is None:
                present = set(members)
                found = remembered[key] = _depths(members, [e for e in self._edges
                                                            if e.after in present and e.before in present])
            for depth, ids in found.items():
                at_depth.setdefault(depth, []).extend(ids)
        return at_depth


def _depths(item_ids: list[str], edges: Sequence[graph.Dependency]) -> dict[int, list[str]]:
    """The items by depth along ``edges`` (between them), in one pass in any order the edges allow
    (an item in a cycle, which the check rejects, has no depth)."""
    waiting = dict.fromkeys(item_ids, 0)
    successors: dict[str, list[str]] = {}
    for edge in edges:
        waiting[edge.after] += 1
        successors.setdefault(edge.before, []).append(edge.after)
    level = dict.fromkeys(item_ids, 0)
    ready = [item_id for item_id, count in waiting.items() if not count]
    at_depth: dict[int, list[str]] = {}
    while ready:
        current = ready.pop()
        depth = level[current]
        at_depth.setdefault(depth, []).append(current)
        for after in successors.get(current, ()):
            if depth >= level[after]:
                level[after] = depth + 1
            waiting[after] -= 1
            if not waiting[after]:
                ready.append(after)
    return at_depth
