"""The diagram (BPMN DI) of process.bpmn and process.camunda8.bpmn, written as text once per compile.

The diagram depends only on the layout (nodes with lane, column and row; flows; lanes), which is the
same for every dialect. Building it as ElementTree elements, indenting and serialising them was
about half of each BPMN writer's time for a big bundle, twice per compile. Here it is written
directly as the text ``ET.indent`` + ``ET.tostring`` gave (the diagram is the root's last child, at
depth 1), and the text is kept on the ``Compiled`` object with the layout it was drawn from: the
second dialect reuses it only when its layout is equal. tests/test_bpmn_diagram.py compares it with
the ElementTree rendering.
"""

from __future__ import annotations

from collections.abc import Sequence

from configurator.planning.compiled import Compiled
from configurator.writers.xmltext import escape_attribute as _attr

BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"
NAMESPACES = (BPMNDI, DC, DI)  # prefixes bpmndi, dc, di (registered by writers/bpmn.py)

SIZES = {"task": (100, 60), "gateway": (50, 50), "event": (36, 36)}
COLUMN, ROW = 130, 90

Nodes = dict[str, tuple[str, str, int, int]]  # id → (kind, lane, column, row)
Flows = list[tuple[str, str, str]]  # (id, source, target)
_MEMO = "writers.bpmn_diagram"


def diagram_text(compiled: Compiled, nodes: Nodes, flows: Flows, lanes: list[str]) -> str:
    """The ``bpmndi:BPMNDiagram`` element as indented text, without leading indentation or tail;
    drawn once per compile for a given layout."""
    layout = (nodes, flows, lanes)
    found = compiled.shared.get(_MEMO)
    if isinstance(found, tuple) and found[0] == layout:
        return str(found[1])
    text = _draw(nodes, flows, lanes)
    # copies: the caller's builder is not changed afterwards, but the memo must not depend on it
    compiled.shared[_MEMO] = ((dict(nodes), list(flows), list(lanes)), text)
    return text


def _draw(nodes: Nodes, flows: Flows, lanes: list[str]) -> str:
    lines = ['<bpmndi:BPMNDiagram id="diagram">',
             '    <bpmndi:BPMNPlane id="plane" bpmnElement="collaboration">']
    add = lines.append
    lane_rows = dict.fromkeys(lanes, 1)
    for _, node_lane, _, row in nodes.values():
        if node_lane in lane_rows and row + 1 > lane_rows[node_lane]:
            lane_rows[node_lane] = row + 1
    lane_top, top = {}, 40
    for lane in lanes:
        lane_top[lane] = top
        top += lane_rows[lane] * ROW + 40
    width = 80 + (1 + max(column for _, _, column, _ in nodes.values())) * COLUMN + 60
    centers: dict[str, tuple[float, float, int]] = {}
    formatted: dict[float, str] = {}  # coordinates recur (columns, rows): each formatted once

    def g(value: float) -> str:
        text = formatted.get(value)
        if text is None:
            text = formatted[value] = f"{value:g}"
        return text

    def shape(element_id: str, x: float, y: float, w: int, h: int, extra: str = "") -> None:
        element_id = _attr(element_id)
        add(f'      <bpmndi:BPMNShape id="{element_id}_di" bpmnElement="{element_id}"{extra}>')
        add(f'        <dc:Bounds x="{g(x)}" y="{g(y)}" width="{w}" height="{h}" />')
        add("      </bpmndi:BPMNShape>")

    horizontal = ' isHorizontal="true"'
    shape("pool", 10, 20, width + 40, top, horizontal)
    for index, lane in enumerate(lanes):
        shape(f"lane_{index}", 40, lane_top[lane], width + 10, lane_rows[lane] * ROW + 40, horizontal)
    task_half_height = SIZES["task"][1] / 2
    for node_id, (kind, lane, column, row) in nodes.items():
        w, h = SIZES[kind]
        cx, cy = float(120 + column * COLUMN), float(lane_top[lane] + 45 + row * ROW)
        if kind == "event" and node_id.startswith("late_"):  # on the lower edge of its task
            cy += task_half_height
        centers[node_id] = (cx, cy, w)
        extra = ' isMarkerVisible="true"' if node_id.startswith(("applies_", "done_", "eligible")) else ""
        shape(node_id, cx - w / 2, cy - h / 2, w, h, extra)
    for flow_id, source, target in flows:
        sx, sy, sw = centers[source]
        tx, ty, tw = centers[target]
        flow_id = _attr(flow_id)
        add(f'      <bpmndi:BPMNEdge id="{flow_id}_di" bpmnElement="{flow_id}">')
        points: Sequence[tuple[float, float]] = [(sx + sw / 2, sy), (tx - tw / 2, ty)]
        if abs(sy - ty) > 1:
            middle = (sx + sw / 2 + tx - tw / 2) / 2
            points = [(sx + sw / 2, sy), (middle, sy), (middle, ty), (tx - tw / 2, ty)]
        for x, y in points:
            add(f'        <di:waypoint x="{g(x)}" y="{g(y)}" />')
        add("      </bpmndi:BPMNEdge>")
    add("    </bpmndi:BPMNPlane>")
    add("  </bpmndi:BPMNDiagram>")
    return "\n".join(lines)


__all__ = ["COLUMN", "NAMESPACES", "ROW", "SIZES", "diagram_text"]
