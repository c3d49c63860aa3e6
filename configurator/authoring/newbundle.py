"""New bundles: from blank, from a template, or as a copy of another bundle, written as a person
writes YAML (schema key order, a blank line between sections, short lists inline); and what a new
item brings with it (``item_companions``). No Flask."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from configurator.authoring.steplimits import longest_promise
from configurator.authoring.textedits import (
    AppendEntry,
    DeleteKey,
    Edit,
    MoveEntry,
    SetValue,
    apply_edits,
    render_block_value,
    render_flow,
    render_scalar,
)
from configurator.language.loader import load_yaml

HEADER = "# yaml-language-server: $schema=../schemas/bundle.schema.json\n"
# Top-level keys after which a blank line reads well (the sections of the file).
_SECTION_START = {"situations", "eligibility", "fallback", "fields", "materials", "items", "steps"}


@dataclass(frozen=True)
class Template:
    id: str
    zh: str
    en: str
    service_object: str
    note_zh: str
    note_en: str


TEMPLATES = {
    "natural_person": Template("natural_person", "面向个人的一件事", "A bundle for individuals", "natural_person",
                               "申请、受理、各部门办理、送达四段流程；结果邮寄或电子证照",
                               "apply, intake, handling, delivery; results by post or e-licence"),
    "legal_person": Template("legal_person", "面向企业的一件事", "A bundle for businesses", "legal_person",
                             "同上，另带统一社会信用代码、企业名称两个字段",
                             "the same, with the unified social credit code and company name fields"),
}


@dataclass(frozen=True)
class Start:
    """What the creation form asks: enough for a bundle that passes the check from its first save."""

    bundle_id: str
    name: str
    name_en: str
    service_object: str
    lead_department: str
    item_id: str
    item_name: str
    item_department: str
    promised_days: int
    fallback_message: str


def render_document(data: dict[str, Any]) -> str:
    lines = [HEADER]
    for key, value in data.items():
        if key in _SECTION_START:
            lines.append("\n")
        if isinstance(value, list) and not value:
            lines.append(f"{key}: []\n")
        elif isinstance(value, list) and all(isinstance(v, dict) for v in value):
            lines.append(f"{key}:{render_block_value(value, 0)}")
        elif isinstance(value, dict) and key != "name":
            lines.append(f"{key}:\n" + "".join(f"  {render_scalar(k)}:{render_block_value(v, 2)}" for k, v in value.items()))
        else:
            lines.append(f"{key}: {render_flow(value)}\n")
    return "".join(lines)


def blank(start: Start, template: str | None = None) -> str:
    """A new bundle: its identity, one item, the four-step procedure and the fallback."""
    name: Any = {"zh-CN": start.name, "en": start.name_en} if start.name_en else start.name
    item = {"id": start.item_id, "name": start.item_name, "department": start.item_department,
            "time_limit": {"promised": start.promised_days}, "visits": 1, "steps": 4}
    data: dict[str, Any] = {"id": start.bundle_id, "name": name, "version": 1, "service_object": start.service_object,
                            "lead_department": start.lead_department}
    if start.item_department != start.lead_department:
        data["cooperating_departments"] = [start.item_department]
    if template:
        data["delivery"] = ["post", "e_licence"]
    data["situations"] = []
    data["fallback"] = {"department": start.lead_department, "message": start.fallback_message}
    fields = [{"id": "uscc"}, {"id": "enterprise_name"}] if template == "legal_person" else []
    data["fields"] = fields
    if fields:
        item["fields"] = [f["id"] for f in fields]
    data["materials"] = []
    data["items"] = [item]
    days = max(start.promised_days, 1)
    data["steps"] = [
        {"id": "apply", "name": "一表申请", "kind": "application", "owner": "applicant", "time_limit": 0},
        {"id": "intake", "name": "综合窗口一窗受理", "kind": "intake", "owner": start.lead_department, "time_limit": 1},
        {"id": f"{start.item_id}_handling", "name": f"办理{start.item_name}", "kind": "handling",
         "owner": start.item_department, "time_limit": days, "items": [start.item_id]},
        {"id": "deliver", "name": "结果统一送达", "kind": "delivery", "owner": start.lead_department, "time_limit": 1},
    ]
    return render_document(data)


def copy(text: str, bundle_id: str, name: str) -> str:
    """Another bundle's file with a new id and name; comments and layout stay. Translations of the
    old name are dropped: they would name the other bundle."""
    data = load_yaml(text.encode("utf-8"), "copy").data
    edits: list[Edit] = [SetValue(("id",), bundle_id)]
    if isinstance(data, dict) and isinstance(data.get("name"), dict):
        edits.append(SetValue(("name", "zh-CN"), name))
        edits += [DeleteKey(("name", lang)) for lang in data["name"] if lang != "zh-CN"]
    else:
        edits.append(SetValue(("name",), name))
    if isinstance(data, dict) and isinstance(data.get("code"), str):
        edits.append(DeleteKey(("code",)))  # a bundle code names one bundle
    return apply_edits(text, edits)


def handling_step(item: dict[str, Any], step_ids: set[str]) -> dict[str, Any]:
    """The handling step a new item gets: owned by its department, as long as its promise."""
    base = f"{item['id']}_handling"
    step_id, number = base, 2
    while step_id in step_ids:
        step_id, number = f"{base}_{number}", number + 1
    name = item.get("name")
    label = name.get("zh-CN") if isinstance(name, dict) else name
    promised = longest_promise(item)  # the longest, when the promise depends on the case (else E512)
    return {"id": step_id, "name": f"办理{label}", "kind": "handling", "owner": item.get("department"),
            "time_limit": max(promised or 1, 1), "items": [item["id"]]}


def item_companions(data: dict[str, Any], item: dict[str, Any], with_step: bool) -> list[Edit]:
    """What a person adds with a new item: its department among the cooperating ones, and (when asked)
    a handling step owned by that department, placed before the delivery step."""
    edits: list[Edit] = []
    department = item.get("department")
    cooperating = list(data.get("cooperating_departments") or [])
    if department and department != data.get("lead_department") and department not in cooperating:
        edits.append(SetValue(("cooperating_departments",), cooperating + [department],
                              ("visits", "delivery", "consultation", "situations")))
    steps = [s for s in data.get("steps") or [] if isinstance(s, dict)]
    if with_step and item.get("id") and department:
        edits.append(AppendEntry(("steps",), handling_step(item, {str(s.get("id")) for s in steps})))
        if steps and steps[-1].get("kind") == "delivery":
            edits.append(MoveEntry(("steps", len(steps)), -1))
    return edits
