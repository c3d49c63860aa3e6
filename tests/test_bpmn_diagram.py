"""The BPMN diagram written as text is exactly what ElementTree wrote for it, and is shared between
the two dialects only for an equal layout."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from configurator.planning.compiled import Compiled
from configurator.writers import bpmn  # noqa: F401  (registers the bpmndi, dc and di prefixes)
from configurator.writers.bpmn_diagram import BPMNDI, COLUMN, DC, DI, ROW, SIZES, Flows, Nodes, diagram_text
from configurator.writers.camunda8 import write_process_camunda8
from tests.compile_helpers import SHIPPED_IDS, compiled


def _fresh(bundle_id: str = SHIPPED_IDS[0]) -> Compiled:
    """A new Compiled object (nothing shared yet) for a shipped bundle."""
    return Compiled(compiled(bundle_id).bundle, compiled(bundle_id).catalogues)


def _reference(nodes: Nodes, flows: Flows, lanes: list[str]) -> str:
    """The ElementTree rendering the writers used before (writers/bpmn.py's former ``_diagram``),
    as the last child of a root, indented and serialised by ElementTree itself."""
    root = ET.Element(f"{{{BPMNDI}}}root")
    ET.SubElement(root, "process")
    diagram = ET.SubElement(root, f"{{{BPMNDI}}}BPMNDiagram", {"id": "diagram"})
    plane = ET.SubElement(diagram, f"{{{BPMNDI}}}BPMNPlane", {"id": "plane", "bpmnElement": "collaboration"})
    lane_rows = {lane: 1 + max((row for _, node_lane, _, row in nodes.values() if node_lane == lane), default=0)
                 for lane in lanes}
    lane_top, top = {}, 40
    for lane in lanes:
        lane_top[lane] = top
        top += lane_rows[lane] * ROW + 40
    width = 80 + (1 + max(column for _, _, column, _ in nodes.values())) * COLUMN + 60
    centers: dict[str, tuple[float, float, int, int]] = {}

    def shape(element_id: str, x: float, y: float, w: int, h: int, **extra: str) -> None:
        element = ET.SubElement(plane, f"{{{BPMNDI}}}BPMNShape", {"id": f"{element_id}_di", "bpmnElement": element_id,
                                                                   **extra})
        ET.SubElement(element, f"{{{DC}}}Bounds", {"x": f"{x:g}", "y": f"{y:g}", "width": str(w), "height": str(h)})

    shape("pool", 10, 20, width + 40, top, isHorizontal="true")
    for index, lane in enumerate(lanes):
        shape(f"lane_{index}", 40, lane_top[lane], width + 10, lane_rows[lane] * ROW + 40, isHorizontal="true")
    for node_id, (kind, lane, column, row) in nodes.items():
        w, h = SIZES[kind]
        cx, cy = float(120 + column * COLUMN), float(lane_top[lane] + 45 + row * ROW)
        if kind == "event" and node_id.startswith("late_"):
            cy += SIZES["task"][1] / 2
        centers[node_id] = (cx, cy, w, h)
        extra = {"isMarkerVisible": "true"} if node_id.startswith(("applies_", "done_", "eligible")) else {}
        shape(node_id, cx - w / 2, cy - h / 2, w, h, **extra)
    for flow_id, source, target in flows:
        sx, sy, sw, _ = centers[source]
        tx, ty, tw, _ = centers[target]
        edge = ET.SubElement(plane, f"{{{BPMNDI}}}BPMNEdge", {"id": f"{flow_id}_di", "bpmnElement": flow_id})
        points = [(sx + sw / 2, sy), (tx - tw / 2, ty)]
        if abs(sy - ty) > 1:
            middle = (sx + sw / 2 + tx - tw / 2) / 2
            points = [(sx + sw / 2, sy), (middle, sy), (middle, ty), (tx - tw / 2, ty)]
        for x, y in points:
            ET.SubElement(edge, f"{{{DI}}}waypoint", {"x": f"{x:g}", "y": f"{y:g}"})
    ET.indent(root)
    text = ET.tostring(root, encoding="unicode")
    assert DI and text.count("<bpmndi:BPMNDiagram") == 1
    return text[text.index("<bpmndi:BPMNDiagram"):text.rindex("</bpmndi:BPMNDiagram>") + len("</bpmndi:BPMNDiagram>")]


_prefixes = st.sampled_from(["task_", "late_", "applies_", "done_", "eligible", "join_", "x&<\"'_"])


@st.composite
def layouts(draw: st.DrawFn) -> tuple[Nodes, Flows, list[str]]:
    lanes = draw(st.lists(st.sampled_from(["lead", "tax", "civil & <affairs>", "police"]), min_size=1, max_size=4,
                          unique=True))
    count = draw(st.integers(1, 12))
    nodes: Nodes = {}
    for index in range(count):
        node_id = draw(_prefixes) + str(index)
        nodes[node_id] = (draw(st.sampled_from(sorted(SIZES))), draw(st.sampled_from(lanes)),
                          draw(st.integers(0, 30)), draw(st.integers(0, 5)))
    ids = list(nodes)
    flows = [(f"flow_{n + 1}", draw(st.sampled_from(ids)), draw(st.sampled_from(ids)))
             for n in range(draw(st.integers(0, 15)))]
    return nodes, flows, lanes


@settings(max_examples=150, deadline=None)
@given(layouts())
def test_diagram_text_is_what_elementtree_wrote(layout: tuple[Nodes, Flows, list[str]]) -> None:
    nodes, flows, lanes = layout
    assert diagram_text(_fresh(), nodes, flows, lanes) == _reference(nodes, flows, lanes)


def test_the_diagram_is_shared_only_for_an_equal_layout() -> None:
    fresh = _fresh()
    nodes: Nodes = {"start": ("event", "lead", 0, 0), "task_a": ("task", "lead", 1, 0)}
    flows: Flows = [("flow_1", "start", "task_a")]
    first = diagram_text(fresh, nodes, flows, ["lead"])
    assert diagram_text(fresh, dict(nodes), list(flows), ["lead"]) is first
    moved = {**nodes, "task_a": ("task", "lead", 2, 0)}
    assert diagram_text(fresh, moved, flows, ["lead"]) == _reference(moved, flows, ["lead"]) != first
    # a writer changing its builder afterwards does not change what was kept
    nodes["task_a"] = ("task", "lead", 5, 0)
    assert diagram_text(fresh, {"start": ("event", "lead", 0, 0), "task_a": ("task", "lead", 2, 0)}, flows,
                        ["lead"]) == _reference(moved, flows, ["lead"])


@pytest.mark.parametrize("bundle_id", SHIPPED_IDS)
def test_both_dialects_in_one_compile_match_separate_compiles(bundle_id: str) -> None:
    """The Zeebe file written after process.bpmn (diagram reused) equals one written alone."""
    together, alone = _fresh(bundle_id), _fresh(bundle_id)
    bpmn.write_process_bpmn(together)
    assert "writers.bpmn_diagram" in together.shared
    assert write_process_camunda8(together) == write_process_camunda8(alone)
