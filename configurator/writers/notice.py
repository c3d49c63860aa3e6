"""notice.md / notice.html: the one-time notice (一次告知) of everything to prepare.

Without answers it covers every situation, saying for each item and material when it
applies. With answers it is tailored: only what applies to that case.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from configurator.language.describe import describe
from configurator.model import BundleMaterial, Condition, Item
from configurator.planning.compiled import Compiled
from configurator.planning.plan import make_plan
from configurator.writers.document import Document
from configurator.writers.phrases import DELIVERY, REQUIREMENT, answer_text, material_form, material_source


def _when(compiled: Compiled, condition: Condition | None) -> str:
    return "所有情形" if condition is None else describe(condition.written, compiled.bundle, compiled.lang)


def _days(days: int) -> str:
    return "即办" if days == 0 else f"{days} 个工作日"


def notice_document(compiled: Compiled, answers: Mapping[str, Any] | None = None) -> Document:
    bundle = compiled.bundle
    tailored = answers is not None
    plan = make_plan(bundle, answers or {}) if tailored else None
    doc = Document(f"{compiled.text(bundle.name)} · 一次告知")
    if bundle.summary:
        doc.paragraph(compiled.text(bundle.summary))
    lead = compiled.department_name(bundle.lead_department)
    cooperating = "、".join(compiled.department_name(d) for d in bundle.cooperating_departments)
    doc.paragraph(f"牵头部门：{lead}" + (f"；配合部门：{cooperating}" if cooperating else "") + "。")

    if plan is not None and not plan.eligible:
        doc.heading("您的情况不在本一件事的办理范围内")
        doc.bullets([compiled.text(rule.message) for rule in plan.failed_rules])
        _fallback(compiled, doc)
        return doc

    if bundle.eligibility and plan is None:
        doc.heading("办理条件")
        doc.bullets([f"{describe(r.require.written, bundle, compiled.lang)}（否则：{compiled.text(r.message)}）"
                     for r in bundle.eligibility])

    if plan is not None:
        doc.heading("您的回答")
        labels = {s.id: s for s in bundle.situations}
        doc.bullets([f"{compiled.text(labels[k].label)}：{answer_text(compiled, k, v)}" for k, v in plan.answers.items()])

    items: list[Item] = list(plan.items) if plan else list(bundle.items)
    doc.heading("将为您办理的事项" if plan else "联办事项")
    headers = ["事项", "办理部门", "承诺时限"] + ([] if plan else ["何时办理"])
    doc.table(headers, [[compiled.text(i.name), compiled.department_name(i.department), _days(i.promised_days)]
                        + ([] if plan else [_when(compiled, i.when)]) for i in items])

    materials = list(plan.materials) if plan else [m for m in bundle.materials if compiled.users(m.id, "materials")]
    to_bring = [m for m in materials if m.source == "applicant"]
    doc.heading("需要准备的材料")
    if to_bring:
        doc.table(["材料", "形式和份数", "要求"] + ([] if plan else ["何时需要"]),
                  [[compiled.material_name(m), material_form(m), REQUIREMENT[m.requirement]]
                   + ([] if plan else [_material_when(compiled, m)]) for m in to_bring])
    else:
        doc.paragraph("无需提交任何纸质或电子材料。")
    not_needed = [m for m in materials if m.source != "applicant"]
    if not_needed:
        doc.heading("无需提交的材料")
        doc.bullets([f"{compiled.material_name(m)}：{material_source(compiled, m)}" for m in not_needed])

    fields = list(plan.fields) if plan else [f for f in bundle.fields if compiled.users(f.id, "fields")]
    doc.heading("需要填写的信息（一表申请，每项只填一次）")
    doc.bullets([compiled.text(compiled.fields[f.id].label) + _field_when(compiled, f) for f in fields]
                if plan is None else [compiled.text(compiled.fields[f.id].label) for f in fields])

    doc.heading("办理时间和跑动次数")
    if plan is not None:
        doc.paragraph(f"各部门并联办理，预计 {plan.days} 个工作日内办结（自受理之日起，不含公示等特殊环节）。")
    else:
        longest = max((case.plan.days for case in compiled.scenarios[0]), default=0)
        doc.paragraph(f"各部门并联办理，视情形不同，最长 {longest} 个工作日内办结（自受理之日起，不含公示等特殊环节）。")
    stages = [(i, s) for i in items for s in i.special_stages]
    if stages:
        doc.bullets([f"{compiled.text(i.name)}：{compiled.text(s.name) or s.kind} {s.days} 个"
                     f"{'工作日' if s.day_kind == 'working' else '自然日'}，不计入承诺时限" for i, s in stages])
    if bundle.visits is not None:
        doc.paragraph("全程网上办理，无需到现场。" if bundle.visits == 0 else f"最多到现场 {bundle.visits} 次。")
    if bundle.delivery:
        doc.heading("结果送达")
        doc.paragraph("、".join(DELIVERY[d] for d in bundle.delivery) + "，可任选。")
    _fallback(compiled, doc)
    return doc


def _fallback(compiled: Compiled, doc: Document) -> None:
    bundle = compiled.bundle
    doc.heading("遇到问题怎么办")
    window = compiled.text(bundle.fallback.window) or compiled.department_name(bundle.fallback.department)
    doc.paragraph(f"{window}：{compiled.text(bundle.fallback.message)}")
    if bundle.consultation and bundle.consultation.phone:
        note = compiled.text(bundle.consultation.note)
        doc.paragraph(f"咨询电话：{bundle.consultation.phone}" + (f"（{note}）" if note else ""))


def _field_when(compiled: Compiled, field: Any) -> str:
    users = compiled.users(field.id, "fields")
    if field.when is not None:
        return f"（{_when(compiled, field.when)}时填写）"
    if all(item.when is not None for item in users):
        return "（办理" + "或".join(f"“{compiled.text(i.name)}”" for i in users) + "时填写）"
    return ""


def _material_when(compiled: Compiled, material: BundleMaterial) -> str:
    users = compiled.users(material.id, "materials")
    if material.when is not None:
        return _when(compiled, material.when)
    if all(item.when is not None for item in users):
        return "办理" + "或".join(f"“{compiled.text(i.name)}”" for i in users) + "时"
    return "所有情形"


def write_notice_md(compiled: Compiled) -> str:
    return notice_document(compiled).markdown()


def write_notice_html(compiled: Compiled) -> str:
    return notice_document(compiled).html(compiled.lang)
