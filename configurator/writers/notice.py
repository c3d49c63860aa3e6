"""notice.md / notice.html: the one-time notice (一次告知) of everything to prepare.

Without answers it covers every situation, saying for each item and material when it
applies, and telling a case-dependent value (time limit, 容缺, stage length, visits) under each
of its conditions, so no citizen reads another case's value. With answers it is tailored: only
what applies to that case, with that case's values. Either way it says "all in parallel" only when
nothing waits, and otherwise which item waits for which. Every label comes from
writers/phrases.py, so with lang=en the notice is English throughout.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from configurator.language import graph
from configurator.language.describe import describe
from configurator.model import BundleMaterial, Condition, Item, SpecialStage
from configurator.planning.compiled import Compiled
from configurator.planning.plan import make_plan
from configurator.writers.document import Document
from configurator.writers.notice_parts import by_case, days_text, order_lines, stage_days_text, varies, visits_text
from configurator.writers.order import question_order
from configurator.writers.phrases import answer_text, fallback_window, material_form, material_source, plural, say


def _when(compiled: Compiled, condition: Condition | None) -> str:
    return say(compiled.lang, "all_cases") if condition is None else describe(condition.written, compiled.bundle,
                                                                              compiled.lang)


def notice_document(compiled: Compiled, answers: Mapping[str, Any] | None = None) -> Document:
    bundle, lang = compiled.bundle, compiled.lang
    tailored = answers is not None
    plan = make_plan(bundle, answers or {}) if tailored else None
    doc = Document(say(lang, "notice.title", name=compiled.text(bundle.name)))
    if bundle.summary:
        doc.paragraph(compiled.text(bundle.summary))
    lead = compiled.department_name(bundle.lead_department)
    cooperating = say(lang, "list_sep").join(compiled.department_name(d) for d in bundle.cooperating_departments)
    doc.paragraph(say(lang, "notice.lead", lead=lead)
                  + (say(lang, "notice.cooperating", names=cooperating) if cooperating else "")
                  + say(lang, "notice.end"))

    if plan is not None and not plan.eligible:
        doc.heading(say(lang, "notice.ineligible"))
        doc.bullets([compiled.text(rule.message) for rule in plan.failed_rules])
        _fallback(compiled, doc)
        return doc

    if bundle.eligibility and plan is None:
        doc.heading(say(lang, "notice.conditions"))
        doc.bullets([say(lang, "notice.condition", rule=describe(r.require.written, bundle, lang),
                         message=compiled.text(r.message)) for r in bundle.eligibility])

    if plan is not None:
        doc.heading(say(lang, "notice.answers"))
        labels = {s.id: s for s in bundle.situations}
        order = [s.id for s in question_order(bundle) if s.id in plan.answers]
        doc.bullets([f"{compiled.text(labels[k].label)}{say(lang, 'list_sep') if lang == 'en' else '：'}"
                     f"{answer_text(compiled, k, plan.answers[k])}" for k in order])
    elif bundle.situations:
        doc.heading(say(lang, "notice.questions"))
        doc.bullets([compiled.text(s.label) + (f"（{_when(compiled, s.when)}）" if s.when and lang != "en"
                                               else f" ({_when(compiled, s.when)})" if s.when else "")
                     for s in question_order(bundle)])

    items: list[Item] = list(plan.items) if plan else list(bundle.items)
    doc.heading(say(lang, "notice.items_for_you" if plan else "notice.items"))
    headers = [say(lang, "notice.item"), say(lang, "notice.department"), say(lang, "notice.promised")]
    headers += [] if plan else [say(lang, "notice.when")]
    # without answers a case-dependent value is told under each condition; a plan's items carry the case's values
    doc.table(headers, [[compiled.text(i.name), compiled.department_name(i.department),
                         by_case(compiled, () if plan else i.varies, "promised_days", i.promised_days,
                                 lambda days: days_text(compiled, days))]
                        + ([] if plan else [_when(compiled, i.when)]) for i in items])

    materials = list(plan.materials) if plan else [m for m in bundle.materials if compiled.users(m.id, "materials")]
    to_bring = [m for m in materials if m.source == "applicant"]
    doc.heading(say(lang, "notice.materials"))
    if to_bring:
        doc.table([say(lang, "notice.material"), say(lang, "notice.form_count"), say(lang, "notice.requirement")]
                  + ([] if plan else [say(lang, "notice.material_when")]),
                  [[compiled.material_name(m), material_form(m, lang),
                    by_case(compiled, () if plan else m.varies, "requirement", m.requirement,
                            lambda requirement: say(lang, "requirement." + requirement))]
                   + ([] if plan else [_material_when(compiled, m)]) for m in to_bring])
    else:
        doc.paragraph(say(lang, "notice.nothing_to_bring"))
    not_needed = [m for m in materials if m.source != "applicant"]
    if not_needed:
        doc.heading(say(lang, "notice.not_needed"))
        separator = ": " if lang == "en" else "："
        doc.bullets([f"{compiled.material_name(m)}{separator}{material_source(compiled, m)}" for m in not_needed])

    fields = [f for f in (plan.fields if plan else bundle.fields) if compiled.on_form(f)]  # a situation's answer is not asked again
    doc.heading(say(lang, "notice.fields"))
    doc.bullets([compiled.text(compiled.fields[f.id].label) + _field_when(compiled, f) for f in fields]
                if plan is None else [compiled.text(compiled.fields[f.id].label) for f in fields])

    _time(compiled, doc, items, plan.edges if plan else graph.dependencies(bundle), plan.days if plan else None)
    if bundle.visits is not None:
        doc.paragraph(say(lang, "online_only") if bundle.visits == 0
                      else say(lang, "visits", visits=bundle.visits, plural=plural(bundle.visits)))
    if bundle.delivery:
        doc.heading(say(lang, "notice.delivery"))
        ways = say(lang, "list_sep").join(say(lang, "delivery." + d) for d in bundle.delivery)
        doc.paragraph(say(lang, "notice.delivery_any", ways=ways))
    _fallback(compiled, doc)
    return doc


def _time(compiled: Compiled, doc: Document, items: list[Item], edges: Sequence[graph.Dependency],
          days: int | None) -> None:
    """How long it takes, the special stages, which items wait for which, and the visits of each
    item whose visits depend on the case. ``days``: the case's (None: the notice for every case)."""
    lang, general = compiled.lang, days is None
    order = order_lines(compiled, items, edges, every_case=general)
    doc.heading(say(lang, "notice.time"))
    # "各部门并联办理" only when it is true: otherwise the order is told item by item below
    if days is not None:
        doc.paragraph(say(lang, "notice.days_case_ordered" if order else "notice.days_case", days=days))
    else:
        longest = compiled.case_search.longest()  # of every case, also those a long list leaves out
        doc.paragraph(say(lang, "notice.days_max_ordered" if order else "notice.days_max", days=longest))
    doc.bullets([_stage_line(compiled, i, s, general) for i in items for s in i.special_stages])
    if order:
        doc.paragraph(say(lang, "notice.order"))
        doc.bullets(order)
    # a plan's items carry the case's values and keep their declared cases (only the values are told)
    varying = [i for i in items if varies(i.varies, "visits")]
    if varying:
        doc.paragraph(say(lang, "notice.item_visits" if general else "notice.item_visits_case"))
        doc.bullets([say(lang, "item_visits", item=compiled.text(i.name),
                         visits=by_case(compiled, i.varies if general else (), "visits", i.visits,
                                        lambda v: visits_text(compiled, v))) for i in varying])


def _stage_line(compiled: Compiled, item: Item, stage: SpecialStage, general: bool) -> str:
    lang, name = compiled.lang, compiled.text(stage.name) or stage.kind
    if general and varies(stage.varies, "days"):
        def told(days: int) -> str:
            return stage_days_text(compiled, days, stage.day_kind)

        return say(lang, "notice.stage_cases", item=compiled.text(item.name), stage=name,
                   cases=by_case(compiled, stage.varies, "days", stage.days, told))
    return say(lang, "notice.stage", item=compiled.text(item.name), stage=name, days=stage.days,
               unit=say(lang, "working_days" if stage.day_kind == "working" else "calendar_days"))


def _fallback(compiled: Compiled, doc: Document) -> None:
    bundle, lang = compiled.bundle, compiled.lang
    doc.heading(say(lang, "notice.help"))
    doc.paragraph(compiled.text(bundle.fallback.message))
    doc.facts(fallback_window(compiled))
    if bundle.consultation and bundle.consultation.phone:
        note = compiled.text(bundle.consultation.note)
        doc.paragraph(say(lang, "consultation", phone=bundle.consultation.phone)
                      + (say(lang, "consultation_note", note=note) if note else ""))


def _users_named(compiled: Compiled, users: list[Item]) -> str:
    return say(compiled.lang, "or").join(say(compiled.lang, "quoted", name=compiled.text(i.name)) for i in users)


def _field_when(compiled: Compiled, field: Any) -> str:
    users = compiled.users(field.id, "fields")
    if field.when is not None:
        return say(compiled.lang, "fill_when", when=_when(compiled, field.when))
    if all(item.when is not None for item in users):
        return say(compiled.lang, "fill_when_doing", names=_users_named(compiled, users))
    return ""


def _material_when(compiled: Compiled, material: BundleMaterial) -> str:
    users = compiled.users(material.id, "materials")
    if material.when is not None:
        return _when(compiled, material.when)
    if all(item.when is not None for item in users):
        return say(compiled.lang, "when_doing", names=_users_named(compiled, users))
    return say(compiled.lang, "all_cases")


def general_notice(compiled: Compiled) -> Document:
    """The notice for every case (no answers), built once per compile for notice.md, notice.html
    and the regional pages; each caller gets its own copy of the block list to add to."""
    found = compiled.shared.get("writers.notice")
    if not isinstance(found, Document):
        found = compiled.shared["writers.notice"] = notice_document(compiled)
    return Document(found.title, list(found.blocks))


def write_notice_md(compiled: Compiled) -> str:
    return general_notice(compiled).markdown()


def write_notice_html(compiled: Compiled) -> str:
    return general_notice(compiled).html(compiled.lang)
