"""The merged form as a WTForms form: rendered into form.html and used to validate its posts.

Form data names are ``situations-<id>``, ``fields-<id>`` and ``uploads-<id>``; an empty value
is no answer. ``application_from_form`` turns posted data into the JSON application that
form.schema.json describes, and the WTForms validation gives the same verdict as validating
that application against the schema (tests/test_form_agreement.py checks it on generated
inputs). Presence rules (a question asked, a field or upload needed) are evaluated on the
answers as given, exactly as the schema's ``if`` clauses see them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from wtforms import Form, RadioField, SelectChoice, SelectMultipleField, StringField, TextAreaField
from wtforms.fields import Field
from wtforms.validators import ValidationError
from wtforms.widgets import ListWidget

from configurator.language import conditions as lang
from configurator.language import patterns as patterns_engine
from configurator.language.fieldtypes import DATE_PATTERN, STRING_TYPES, ResolvedField, anchored
from configurator.model import Bundle, Condition, Item, Situation
from configurator.planning.compiled import Compiled
from configurator.planning.plan import holds, needed_condition
from configurator.planning.resolution import resolve
from configurator.planning.varying import value_in_case
from configurator.writers.field_checks import check_digit_error
from configurator.writers.field_rules import rule_errors
from configurator.writers.phrases import say
from configurator.writers.widgets import FAST_CHECKBOX, FAST_RADIO, FAST_TEXT

GROUPS = ("situations", "fields", "uploads")
_DATE = re.compile(anchored(DATE_PATTERN))


def parse_number(text: str) -> Any:
    """A number as the form posts it; text that is no finite number stays text (and fails)."""
    try:
        return int(text)
    except ValueError:
        pass
    try:
        number = float(text)
    except ValueError:
        return text
    return number if math.isfinite(number) else text


def _parse(kind: str, values: list[str]) -> Any:
    """The JSON value for posted text, by type; None when nothing was given."""
    values = [v for v in values if v != ""]
    if kind in ("multi_choice", "upload"):
        return values or None
    if not values:
        return None
    text = values[0]
    if kind == "boolean":
        return {"true": True, "false": False}.get(text, text)
    if kind in ("integer", "number"):
        return parse_number(text)
    return text


def _situation_kind(situation: Situation) -> str:
    if situation.type == "number":
        return "integer" if situation.integer else "number"
    return situation.type


def application_from_form(compiled: Compiled, formdata: Mapping[str, list[str]]) -> dict[str, Any]:
    """Posted form data → the JSON application of form.schema.json."""
    bundle = compiled.bundle
    application: dict[str, Any] = {group: {} for group in GROUPS}
    for situation in bundle.situations:
        value = _parse(_situation_kind(situation), list(formdata.get(f"situations-{situation.id}", [])))
        if value is None and situation.allow_none and holds(situation.when, application["situations"]):
            value = []  # allow_none: no box ticked is the answer "none of these" (docs/bundle-format.md)
        if value is not None:
            application["situations"][situation.id] = value
    for field_id, resolved in _form_fields(compiled).items():
        value = _parse(resolved.type, list(formdata.get(f"fields-{field_id}", [])))
        if value is not None:
            application["fields"][field_id] = value
    for material in _form_uploads(compiled):
        value = _parse("upload", list(formdata.get(f"uploads-{material.id}", [])))
        if value is not None:
            application["uploads"][material.id] = value
    return application


def _form_fields(compiled: Compiled) -> dict[str, ResolvedField]:
    return {f.id: compiled.fields[f.id] for f in compiled.bundle.fields if compiled.on_form(f)}


def _form_uploads(compiled: Compiled) -> list[Any]:
    return [m for m in compiled.bundle.materials if m.source == "applicant" and compiled.users(m.id, "materials")]


# ------------------------------------------------------------------------------ validators


def _yes_no(lang: str) -> tuple[tuple[str, str], ...]:
    return (("true", say(lang, "yes")), ("false", say(lang, "no")))


def _type_error(kind: str, value: Any, lang: str, *, options: tuple[str, ...] = (), minimum: float | None = None,
                maximum: float | None = None, min_chars: int = 1, max_chars: int | None = None,
                patterns: tuple[str, ...] = (), min_items: int = 0) -> str | None:
    """What is wrong with a present value, by the same rules as value_schema / situation_schema."""
    if kind in ("integer", "number"):
        if isinstance(value, (str, bool)):
            return say(lang, "error.number")
        if kind == "integer" and not (isinstance(value, int) or value.is_integer()):
            return say(lang, "error.integer")
        if minimum is not None and value < minimum:
            return say(lang, "error.minimum", limit=f"{minimum:g}")
        if maximum is not None and value > maximum:
            return say(lang, "error.maximum", limit=f"{maximum:g}")
        return None
    if kind == "boolean":
        return None if isinstance(value, bool) else say(lang, "error.yes_no")
    if kind == "choice":
        return None if value in options else say(lang, "error.choice")
    if kind in ("multi_choice", "upload"):
        if kind == "multi_choice" and any(v not in options for v in value):
            return say(lang, "error.choice")
        if kind == "multi_choice" and len(set(value)) != len(value):
            return say(lang, "error.duplicate")
        if len(value) < max(min_items, 1):
            return say(lang, "error.min_items", count=max(min_items, 1))
        return None
    # strings
    if len(value) < min_chars:
        return say(lang, "error.min_chars", count=min_chars)
    if max_chars is not None and len(value) > max_chars:
        return say(lang, "error.max_chars", count=max_chars)
    if any(not patterns_engine.search(pattern, value) for pattern in patterns):  # RE2: linear time
        return say(lang, "error.format")
    return None


class _Checked:
    """A WTForms validator for one question, field or upload of the merged form."""

    def __init__(self, kind: str, **rules: Any) -> None:
        self.kind, self.rules = kind, rules

    def __call__(self, form: Form, field: Field) -> None:
        value = _parse(self.kind, list(field.raw_data or []))
        if value is None:
            return  # presence is decided by the form as a whole (ApplicationForm.validate)
        lang = form.compiled.lang
        problem = _type_error(self.kind, value, lang, **self.rules)
        if problem is None and isinstance(value, str):
            problem = check_digit_error(self.kind, value, lang)  # as the pre-check API reports it
        if problem:
            raise ValidationError(problem)


class ApplicationForm(Form):  # type: ignore[misc]  # WTForms ships no type hints
    """Base of the generated forms; ``compiled`` is set on each generated subclass."""

    compiled: Compiled
    ineligible: list[Any] = []  # the eligibility rules the answers fail (after validate)
    answers: dict[str, Any] = {}  # the situation answers as posted (after validate)

    def validate(self, extra_validators: Mapping[str, Any] | None = None) -> bool:
        fields_ok = super().validate(extra_validators)
        compiled = self.compiled
        application = application_from_form(compiled, self._posted())
        answers = self.answers = application["situations"]
        # An answer of the wrong type decides nothing (the schema refuses it; its error is shown).
        typed = {key: value for key, value in answers.items() if not self[f"situations-{key}"].errors}
        presence_ok = True

        def require(group: str, key: str, needed: bool, required: bool) -> None:
            nonlocal presence_ok
            present = key in application[group]
            field = self[f"{group}-{key}"]
            if needed and required and not present:
                field.errors = [*field.errors, say(compiled.lang, "error.missing")]
                presence_ok = False
            elif not needed and present:
                field.errors = [*field.errors, say(compiled.lang, "error.not_applicable")]
                presence_ok = False
                if field.type == "RadioField":
                    field.data = None  # shown again unticked: a radio button cannot be cleared by hand

        for situation in compiled.bundle.situations:
            require("situations", situation.id, holds(situation.when, answers), True)
        for field_id, resolved in _form_fields(compiled).items():
            field_entry = compiled.field_entry(field_id)
            needed = _needed(field_entry.when, compiled.users(field_id, "fields"), answers)
            require("fields", field_id, needed, resolved.required)
        for material in _form_uploads(compiled):
            needed = _needed(material.when, compiled.users(material.id, "materials"), answers)
            require("uploads", material.id, needed, value_in_case(material, "requirement", answers) == "required")
        # Cross-field rules, as the pre-check API reports them: the message on the rule's first field.
        broken = rule_errors(compiled, application)
        for error in broken:
            field = self["-".join(error["pointer"].split("/")[1:3])]
            if error["message"] not in field.errors:
                field.errors = [*field.errors, error["message"]]
        presence_ok = presence_ok and not broken
        failed = [r for r in compiled.bundle.eligibility if not holds(r.require, answers)]
        self.form_errors = [compiled.text(r.message) for r in failed]
        # Rules the well-typed answers decidedly fail, as the one resolution of a case decides them:
        # the case is outside the bundle (a rule failing only for a missing answer is that
        # answer's error, not a verdict).
        self.ineligible = list(resolve(compiled, typed).failed_rules)
        return fields_ok and presence_ok and not failed

    def _posted(self) -> dict[str, list[str]]:
        return {name: list(field.raw_data or []) for name, field in self._fields.items()}


def _needed(own: Condition | None, users: list[Item], answers: Mapping[str, Any]) -> bool:
    condition = needed_condition(own, users)
    return condition is None or lang.evaluate(condition, answers)


# ----------------------------------------------------------------------------- the form class


@dataclass(frozen=True)
class FieldSpec:
    """One input of the merged form, declared once: ``form_class`` makes a WTForms field of it,
    and form.html writes the unanswered form straight from it (writers/widgets.py), without a
    WTForms form. ``widget`` is "radio", "checkboxes", "text", "textarea" or "upload"."""

    widget: str
    label: str
    validator: _Checked
    description: str = ""
    choices: tuple[tuple[str, str], ...] = ()  # (value, label)
    render_kw: dict[str, Any] | None = None


def field_specs(compiled: Compiled) -> dict[str, FieldSpec]:
    """Every input of the merged form by its form data name, in form order (computed once per compile)."""
    return compiled.once("writers.form_wtforms", lambda: _field_specs(compiled))


def _field_specs(compiled: Compiled) -> dict[str, FieldSpec]:
    bundle: Bundle = compiled.bundle
    specs: dict[str, FieldSpec] = {}
    text = compiled.text

    for situation in bundle.situations:
        kind = _situation_kind(situation)
        options = tuple(o.value for o in situation.options)
        name = f"situations-{situation.id}"
        label = text(situation.label)
        description = text(situation.help)
        if kind == "boolean":
            specs[name] = FieldSpec("radio", label, _Checked(kind), description, _yes_no(compiled.lang))
        elif kind == "choice":
            specs[name] = FieldSpec("radio", label, _Checked(kind, options=options), description,
                                    tuple((o.value, text(o.label)) for o in situation.options))
        elif kind == "multi_choice":
            specs[name] = FieldSpec("checkboxes", label, _Checked(kind, options=options), description,
                                    tuple((o.value, text(o.label)) for o in situation.options))
        elif kind in ("integer", "number"):
            specs[name] = FieldSpec("text", label, _Checked(kind, minimum=situation.minimum, maximum=situation.maximum),
                                    description, render_kw={"inputmode": "decimal"})
        else:
            specs[name] = FieldSpec("text", label, _Checked("date", patterns=(anchored(DATE_PATTERN),)), description,
                                    render_kw={"type": "date"})

    for field_id, resolved in _form_fields(compiled).items():
        specs[f"fields-{field_id}"] = _field(compiled, resolved)

    for material in _form_uploads(compiled):
        specs[f"uploads-{material.id}"] = FieldSpec("upload", compiled.material_name(material),
                                                    _Checked("upload", min_items=material.count),
                                                    render_kw={"data-upload": "true"})
    return specs


def form_class(compiled: Compiled) -> type[ApplicationForm]:
    """A WTForms form class for the bundle's merged form."""
    attributes: dict[str, Any] = {"compiled": compiled}
    for name, spec in field_specs(compiled).items():
        attributes[name] = _wtforms_field(spec)
    return type(f"{compiled.bundle.id.replace('-', '_')}_form", (ApplicationForm,), attributes)


def _wtforms_field(spec: FieldSpec) -> Field:
    choices = [SelectChoice(value, label) for value, label in spec.choices]
    if spec.widget == "radio":
        return RadioField(spec.label, option_widget=FAST_RADIO, choices=choices, validate_choice=False,
                          validators=[spec.validator], description=spec.description)
    if spec.widget == "checkboxes":
        return SelectMultipleField(spec.label, choices=choices, validate_choice=False, validators=[spec.validator],
                                   widget=ListWidget(prefix_label=False), option_widget=FAST_CHECKBOX,
                                   description=spec.description)
    if spec.widget == "upload":
        return SelectMultipleField(spec.label, choices=[], validate_choice=False, validators=[spec.validator],
                                   render_kw=spec.render_kw)
    if spec.widget == "textarea":
        return TextAreaField(spec.label, validators=[spec.validator], description=spec.description,
                             render_kw=spec.render_kw)
    return StringField(spec.label, widget=FAST_TEXT, validators=[spec.validator], description=spec.description,
                       render_kw=spec.render_kw)


def _field(compiled: Compiled, resolved: ResolvedField) -> FieldSpec:
    text = compiled.text
    label, description = text(resolved.label), text(resolved.help)
    options = tuple(o.value for o in resolved.options)
    kind = resolved.type
    render: dict[str, Any] = {}
    if resolved.placeholder:
        render["placeholder"] = text(resolved.placeholder)
    if kind in STRING_TYPES:
        validator = _Checked(kind, min_chars=resolved.min_chars, max_chars=resolved.max_length,
                             patterns=tuple(resolved.patterns))
        if resolved.max_length:
            render["maxlength"] = resolved.max_length
        if kind == "date":
            render["type"] = "date"
        elif kind in ("mobile", "phone"):
            render["type"] = "tel"
        elif kind == "email":
            render["type"] = "email"
        return FieldSpec("textarea" if kind == "textarea" else "text", label, validator, description, render_kw=render)
    if kind in ("integer", "number"):
        render["inputmode"] = "numeric" if kind == "integer" else "decimal"
        return FieldSpec("text", label, _Checked(kind, minimum=resolved.minimum, maximum=resolved.maximum),
                         description, render_kw=render)
    if kind == "boolean":
        return FieldSpec("radio", label, _Checked(kind), description, _yes_no(compiled.lang))
    choices = tuple((o.value, text(o.label)) for o in resolved.options)
    if kind == "choice":
        return FieldSpec("radio", label, _Checked(kind, options=options), description, choices)
    return FieldSpec("checkboxes", label, _Checked("multi_choice", options=options), description, choices)
