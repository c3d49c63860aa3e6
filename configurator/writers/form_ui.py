"""form.ui.json: layout hints in react-jsonschema-form's uiSchema conventions.

``ui:order`` follows the bundle file; ``ui:widget`` picks radio buttons for yes/no and
one-choice questions, checkboxes for several choices, a textarea or a date picker; help texts
go to ``ui:help``. A conditional question, field or upload carries ``ui:options.when``: the
JsonLogic rule (over the situation answers) under which a portal shows it.
"""

from __future__ import annotations

from typing import Any

from configurator.jsontext import dump_json
from configurator.language.jsonlogic import to_jsonlogic
from configurator.model import Condition, Item
from configurator.planning.compiled import Compiled
from configurator.planning.plan import needed_condition

_FIELD_WIDGETS = {"textarea": "textarea", "choice": "radio", "multi_choice": "checkboxes", "boolean": "radio",
                  "date": "date", "email": "email"}


def _shown_when(own: Condition | None, users: list[Item] | None = None) -> Any:
    condition = needed_condition(own, users or [])
    return None if condition is None else to_jsonlogic(condition)


def form_ui(compiled: Compiled) -> dict[str, Any]:
    bundle = compiled.bundle
    situations: dict[str, Any] = {"ui:order": [s.id for s in bundle.situations]}
    for s in bundle.situations:
        hint: dict[str, Any] = {}
        if s.type in ("boolean", "choice"):
            hint["ui:widget"] = "radio"
        elif s.type == "multi_choice":
            hint["ui:widget"] = "checkboxes"
        elif s.type == "date":
            hint["ui:widget"] = "date"
        if s.help:
            hint["ui:help"] = compiled.text(s.help)
        if s.unit:
            hint["ui:options"] = {"unit": compiled.text(s.unit)}
        when = _shown_when(s.when)
        if when is not None:
            hint.setdefault("ui:options", {})["when"] = when
        situations[s.id] = hint

    on_form = [f for f in bundle.fields if compiled.users(f.id, "fields")]
    fields: dict[str, Any] = {"ui:order": [f.id for f in on_form]}
    for f in on_form:
        resolved = compiled.fields[f.id]
        hint = {}
        if resolved.type in _FIELD_WIDGETS:
            hint["ui:widget"] = _FIELD_WIDGETS[resolved.type]
        if resolved.placeholder:
            hint["ui:placeholder"] = compiled.text(resolved.placeholder)
        if resolved.help:
            hint["ui:help"] = compiled.text(resolved.help)
        options: dict[str, Any] = {}
        if resolved.unit:
            options["unit"] = compiled.text(resolved.unit)
        if resolved.sensitive:
            options["sensitive"] = True
        when = _shown_when(f.when, compiled.users(f.id, "fields"))
        if when is not None:
            options["when"] = when
        if options:
            hint["ui:options"] = options
        fields[f.id] = hint

    on_upload = [m for m in bundle.materials if m.source == "applicant" and compiled.users(m.id, "materials")]
    uploads: dict[str, Any] = {"ui:order": [m.id for m in on_upload]}
    for m in on_upload:
        hint = {"ui:options": {"orderable": False}}
        when = _shown_when(m.when, compiled.users(m.id, "materials"))
        if when is not None:
            hint["ui:options"]["when"] = when
        uploads[m.id] = hint

    return {
        "ui:order": ["situations", "fields", "uploads"],
        "ui:submitButtonOptions": {"submitText": "提交申请" if compiled.lang != "en" else "Submit"},
        "situations": situations,
        "fields": fields,
        "uploads": uploads,
    }


def write_form_ui(compiled: Compiled) -> str:
    return dump_json(form_ui(compiled))
