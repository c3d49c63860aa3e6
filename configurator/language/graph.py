"""The order of items: derived from the data flow, plus explicit ``after`` with a reason.

An item that uses a material produced by another item runs after it (the birth certificate
before the household registration). That edge is derived, never typed twice. ``after``
adds an ordering that has no data-flow reason, and must say why.
"""

from __future__ import annotations

import collections
from dataclasses import dataclass

from configurator.model import Bundle, Path


@dataclass(frozen=True)
class Dependency:
    before: str  # item id
    after: str  # item id
    material: str | None  # bundle material id, for a data-flow dependency
    path: Path  # where the dependency is stated (the material reference or the after entry)

    @property
    def is_data_flow(self) -> bool:
        return self.material is not None


def dependencies(bundle: Bundle) -> list[Dependency]:
    """Every ordering between items of the bundle, data flow first, in file order."""
    item_ids = {item.id for item in bundle.items}
    producers = {
        material.id: [producer for producer in material.produced_by if producer in item_ids]
        for material in bundle.materials
        if material.source == "produced"
    }
    found: list[Dependency] = []
    for item in bundle.items:
        for index, material_id in enumerate(item.materials):
            for producer in producers.get(material_id, ()):
                found.append(Dependency(producer, item.id, material_id, item.path + ("materials", index)))
    for item in bundle.items:
        for entry in item.after:
            if entry.item in item_ids:
                found.append(Dependency(entry.item, item.id, None, entry.path))
    return found


def find_cycles(item_ids: list[str], edges: list[Dependency]) -> list[list[str]]:
    """Each elementary cycle found by depth-first search, as [a, b, ..., a], once per cycle."""
    successors: dict[str, list[str]] = {item_id: [] for item_id in item_ids}
    for edge in edges:
        successors.setdefault(edge.before, []).append(edge.after)
    state: dict[str, int] = {}  # 1 = on the current path, 2 = finished
    stack: list[str] = []
    cycles: list[list[str]] = []
    seen: set[frozenset[str]] = set()

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for successor in successors.get(node, ()):
            if state.get(successor) == 1:
                cycle = stack[stack.index(successor):] + [successor]
                key = frozenset(cycle)
                if key not in seen:
                    seen.add(key)
                    cycles.append(cycle)
            elif successor not in state:
                visit(successor)
        stack.pop()
        state[node] = 2

    for item_id in item_ids:
        if item_id not in state:
            visit(item_id)
    return cycles


def topological_order(item_ids: list[str], edges: list[Dependency]) -> list[str]:
    """Items in an order that respects every dependency (file order among equals)."""
    if not edges:
        return list(item_ids)
    remaining = {item_id: 0 for item_id in item_ids}
    for edge in edges:
        if edge.after in remaining and edge.before in remaining:
            remaining[edge.after] += 1
    # each item's outgoing edges, in edge order: linear in items + edges (plans are computed
    # thousands of times per bundle)
    outgoing: dict[str, list[str]] = {}
    for edge in edges:
        if edge.after in remaining:
            outgoing.setdefault(edge.before, []).append(edge.after)
    order: list[str] = []
    ready = collections.deque(item_id for item_id in item_ids if remaining[item_id] == 0)
    while ready:
        current = ready.popleft()
        order.append(current)
        for after in outgoing.get(current, ()):
            remaining[after] -= 1
            if remaining[after] == 0:
                ready.append(after)
    return order
