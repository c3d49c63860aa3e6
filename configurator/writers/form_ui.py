"""form.ui.json: layout hints in react-jsonschema-form's uiSchema conventions.

Questions come first: ``ui:order`` puts the questions that decide eligibility before all
others and each question after those its ``when`` reads (writers/order.py); fields and uploads
follow the bundle file. ``ui:widget`` picks radio buttons for yes/no and one-choice questions,
checkboxes for several choices, a textarea or a date picker, and ``upload`` (a file widget the
RJSF integration in portal/rjsf registers) for documents. Help texts are the schema's
``description`` and are not repeated as ``ui:help`` (RJSF would show both). A conditional
question, field or upload carries ``ui:options.when``: the JsonLogic rule (over the situation
answers) under which a portal shows it. The root's ``ui:options`` carries the eligibility rules
(JsonLogic with their messages) and the fallback window, so a portal can tell an ineligible case
at once where to go instead of asking anything more.
"""

from __future__ import annotations

from typing import Any

from configurator.jsontext import dump_json
from configurator.model import Condition, Item
from configurator.planning.compiled import Compiled
from configurator.writers.field_rules import routing_entries
from configurator.writers.order import question_order
from configurator.writers.phrases import fallback_window, say

_FIELD_WIDGETS = {"textarea": "textarea", "choice": "radio", "multi_choice": "checkboxes", "boolean": "radio",
                  "date": "date", "email": "email"}


def _shown_when(compiled: Compiled, own: Condition | None, users: list[Item] | None = None) -> Any:
    condition = compiled.needed(own, users or [])
    return None if condition is None else compiled.jsonlogic(condition)


def form_ui(compiled: Compiled) -> dict[str, Any]:
    return {
        "ui:order": ["situations", "fields", "uploads"],
        "ui:submitButtonOptions": {"submitText": say(compiled.lang, "form.submit")},
        "ui:options": _root_options(compiled),
        "situations": _situation_hints(compiled),
        "fields": _field_hints(compiled),
        "uploads": _upload_hints(compiled),
    }


def _situation_hints(compiled: Compiled) -> dict[str, Any]:
    ordered = question_order(compiled.bundle)
    situations: dict[str, Any] = {"ui:order": [s.id for s in ordered]}
    for s in ordered:
        hint: dict[str, Any] = {}
        if s.type in ("boolean", "choice"):
            hint["ui:widget"] = "radio"
        elif s.type == "multi_choice":
            hint["ui:widget"] = "checkboxes"
        elif s.type == "date":
            hint["ui:widget"] = "date"
        if s.unit:
            hint["ui:options"] = {"unit": compiled.text(s.unit)}
        when = _shown_when(compiled, s.when)
        if when is not None:
            hint.setdefault("ui:options", {})["when"] = when
        if s.allow_none:
            hint.setdefault("ui:options", {})["allowNone"] = True  # no box ticked is the answer []
        situations[s.id] = hint
    return situations


def _field_hints(compiled: Compiled) -> dict[str, Any]:
    on_form = [f for f in compiled.bundle.fields if compiled.on_form(f)]
    fields: dict[str, Any] = {"ui:order": [f.id for f in on_form]}
    for f in on_form:
        resolved = compiled.fields[f.id]
        hint: dict[str, Any] = {}
        if resolved.type in _FIELD_WIDGETS:
            hint["ui:widget"] = _FIELD_WIDGETS[resolved.type]
        if resolved.placeholder:
            hint["ui:placeholder"] = compiled.text(resolved.placeholder)
        options: dict[str, Any] = {}
        if resolved.unit:
            options["unit"] = compiled.text(resolved.unit)
        if resolved.sensitive:
            options["sensitive"] = True
        if resolved.type in ("id_number", "uscc"):
            options["check"] = resolved.type  # a check character the schema cannot express (GB 11643, GB 32100)
        when = _shown_when(compiled, f.when, compiled.users(f.id, "fields"))
        if when is not None:
            options["when"] = when
        if options:
            hint["ui:options"] = options
        fields[f.id] = hint
    return fields


def _upload_hints(compiled: Compiled) -> dict[str, Any]:
    on_upload = [m for m in compiled.bundle.materials if m.source == "applicant" and compiled.users(m.id, "materials")]
    uploads: dict[str, Any] = {"ui:order": [m.id for m in on_upload]}
    for m in on_upload:
        hint: dict[str, Any] = {"ui:widget": "upload", "ui:options": {"orderable": False}}
        when = _shown_when(compiled, m.when, compiled.users(m.id, "materials"))
        if when is not None:
            hint["ui:options"]["when"] = when
        uploads[m.id] = hint
    return uploads


def _root_options(compiled: Compiled) -> dict[str, Any]:
    """What a portal needs before any question: the eligibility rules, the fallback window, the cross-field rules."""
    bundle = compiled.bundle
    fallback = bundle.fallback
    phone = fallback.phone or (bundle.consultation.phone if bundle.consultation else None)
    root: dict[str, Any] = {
        "lang": compiled.lang,
        "eligibility": [{"id": r.id, "rule": compiled.jsonlogic(r.require.expr), "message": compiled.text(r.message)}
                        for r in bundle.eligibility],
        "fallback": {"window": compiled.text(fallback.window) or compiled.department_name(fallback.department),
                     "address": compiled.text(fallback.address) or None, "phone": phone,
                     "hours": compiled.text(fallback.hours) or None, "message": compiled.text(fallback.message),
                     "rows": [list(row) for row in fallback_window(compiled)]},
    }
    if bundle.field_rules:  # routing.json's JsonLogic: portal/rjsf puts a broken rule's message on its field
        root["fieldRules"] = routing_entries(compiled)
    return root


def shared_form_ui(compiled: Compiled) -> dict[str, Any]:
    """``form_ui`` computed once per compile, for form.ui.json and form.html (read-only)."""
    return compiled.once("writers.form_ui", lambda: form_ui(compiled))


def write_form_ui(compiled: Compiled) -> str:
    return dump_json(shared_form_ui(compiled))
