"""form.html: the merged form as WTForms renders it, as a citizen sees it. The empty form (the
artifact) is written straight from the form's FieldSpecs in the same HTML; a posted form (the
server's answer) is rendered through its WTForms fields.

A self-contained page (no external assets) following the GOV.UK Design System's form patterns:
one fieldset with a legend per group of radios or checkboxes, hints and errors tied to their
inputs with ``aria-describedby``, ``required``/``aria-required`` on what must be answered, an
error summary at the top linking to each field, autocomplete tokens for the applicant's own
details, and no horizontal scrolling from 320 px up.

Questions come first, those that decide eligibility before all others. When the answers put
the case outside the bundle, the page says why and names the fallback window (name, address,
phone, hours) right after those questions, hides everything else and offers nothing to submit:
at once with script (form_script.py), and on the server's answer to a post without it
(``render_form_page`` with the validated form). Validation of a post is
``webform.form_class(...)(formdata).validate()``, which agrees with form.schema.json.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

from configurator.planning.compiled import Compiled
from configurator.planning.varying import constant, takes, value_in_case
from configurator.writers.document import page
from configurator.writers.field_rules import routing_entries
from configurator.writers.form_script import FORM_SCRIPT
from configurator.writers.form_ui import shared_form_ui
from configurator.writers.form_wtforms import FieldSpec, field_specs
from configurator.writers.order import deciding
from configurator.writers.phrases import fallback_window, material_form, say
from configurator.writers.widgets import blank_input, blank_option, blank_textarea

_STYLE = """
body { max-width: 48rem; }
section.step { margin: 1.5rem 0; }
.row { margin: 1.4rem 0; }
.row fieldset { border: 0; margin: 0; padding: 0; min-width: 0; }
.label { display: block; font-weight: 600; margin-bottom: .25rem; padding: 0; }
.row[data-required] .label::after { content: " *"; color: #a31515; }
.help { color: #505a5f; font-size: .95rem; margin-bottom: .3rem; }
input[type=text], input[type=tel], input[type=email], input[type=date], input[type=file], textarea, select {
  display: block; width: 100%; max-width: 32rem; padding: .4rem; border: 2px solid #0b0c0c; border-radius: 0;
  font-size: 1rem; font-family: inherit; }
.choice { display: flex; align-items: center; gap: .5rem; margin: .35rem 0; }
.choice input { width: 1.4rem; height: 1.4rem; margin: 0; flex: none; }
.error-message { color: #a31515; font-weight: bold; margin: .2rem 0; }
.row.has-error { border-left: 5px solid #a31515; padding-left: .8rem; }
.row.has-error input:not([type=radio]):not([type=checkbox]), .row.has-error textarea { border-color: #a31515; }
.error-summary { border: 5px solid #a31515; padding: 1rem; margin: 1rem 0; }
.error-summary h2 { margin-top: 0; color: #0b0c0c; }
.error-summary a { color: #a31515; font-weight: bold; }
.ineligible { border: 5px solid #1d4f91; padding: 1rem; margin: 1.4rem 0; background: #f3f7fc; }
.ineligible h2 { margin-top: 0; color: #0b0c0c; }
.ineligible dl.facts { border-left-color: #1d4f91; background: #fff; }
button { background: #00703c; color: #fff; border: 0; border-radius: 0; padding: .6rem 1.6rem; font-size: 1rem;
         box-shadow: 0 2px 0 #002d18; cursor: pointer; }
[hidden] { display: none !important; }
"""

# json.dumps(value, ensure_ascii=False) without setting up an encoder per call (one per row)
_JSON = json.JSONEncoder(ensure_ascii=False)

# Autocomplete tokens (WCAG 1.3.5) by field type; "off" for numbers a browser must not guess.
_AUTOCOMPLETE = {"mobile": "tel", "phone": "tel", "email": "email", "address": "street-address",
                 "postal_code": "postal-code", "id_number": "off", "uscc": "off", "bank_account": "off"}
_OWN_NAME_IDS = {"name", "applicant_name", "full_name"}  # the applicant's own name; others' names are "off"


def _describedby(field_id: str, hint: bool, error: bool) -> dict[str, str]:
    ids = ([f"{field_id}-hint"] if hint else []) + ([f"{field_id}-error"] if error else [])
    return {"aria-describedby": " ".join(ids)} if ids else {}


def _messages(field_id: str, help_text: str, errors: list[str], check_message: str, joiner: str,
              more_hint: str = "") -> str:
    """``field_id`` escaped already; ``more_hint`` is HTML ending the hint."""
    hint = f'<div class="help" id="{field_id}-hint">{escape(help_text)}{more_hint}</div>' if help_text else ""
    error = (f'<p class="error-message" id="{field_id}-error">{escape(joiner.join(errors))}</p>'
             if errors else "")
    live = (f'<p class="error-message live-error" hidden data-message="{escape(check_message)}" '
            f'aria-live="polite"></p>' if check_message else "")
    return hint + error + live


@dataclass(slots=True)  # not frozen: made per row, and frozen fields cost a call each to set
class _Input:
    """One input as a row shows it: from the WTForms field of a posted form (``_posted``) or, for
    the empty form, straight from its FieldSpec (``_blank``), which writes the same HTML."""

    id: str
    name: str
    label: str
    description: str
    errors: list[str]
    widget: str  # "radio", "checkboxes", "upload" or "input"
    render_kw: dict[str, Any]
    write: Callable[[dict[str, Any]], str]  # the input with these attributes (widget "input")
    options: Sequence[tuple[str, str, Callable[[dict[str, Any]], str]]]  # per option: id, label, its input


def _posted(field: Any) -> _Input:
    render = field.render_kw or {}
    widget = ("upload" if render.get("data-upload") else "radio" if field.type == "RadioField"
              else "checkboxes" if field.type == "SelectMultipleField" else "input")
    options = [(option.id, option.label.text, functools.partial(_rendered, option))
               for option in field] if widget in ("radio", "checkboxes") else []
    return _Input(field.id, field.name, field.label.text, field.description, list(field.errors), widget, render,
                  functools.partial(_rendered, field), options)


def _rendered(field: Any, attributes: dict[str, Any]) -> str:
    return str(field(**attributes))


def _blank(name: str, spec: FieldSpec) -> _Input:
    render = spec.render_kw or {}
    if spec.widget in ("radio", "checkboxes"):
        kind = "radio" if spec.widget == "radio" else "checkbox"
        options = [(f"{name}-{index}", label or value, functools.partial(blank_option, name, index, value, kind))
                   for index, (value, label) in enumerate(spec.choices)]
        return _Input(name, name, spec.label, spec.description, [], spec.widget, render, _no_input, options)
    if spec.widget == "upload":
        return _Input(name, name, spec.label, spec.description, [], "upload", render, _no_input, [])
    blank = blank_textarea if spec.widget == "textarea" else blank_input
    return _Input(name, name, spec.label, spec.description, [], "input", render,
                  functools.partial(blank, name, spec.render_kw), [])


def _no_input(attributes: dict[str, Any]) -> str:
    raise AssertionError("choices and uploads are written option by option")


def _choices(field: _Input, required: bool, boolean: bool, describedby: dict[str, str]) -> tuple[str, str]:
    radio = field.widget == "radio"
    options = []
    for option_id, label, write in field.options:
        attributes: dict[str, Any] = {}
        if required and radio:
            attributes["required"] = True
        if boolean:
            attributes["data-boolean"] = ""
        options.append(f'<div class="choice">{write(attributes)}'
                       f'<label for="{escape(option_id)}">{escape(label)}</label></div>')
    role = ' role="radiogroup" aria-required="true"' if radio and required else ""
    extra = "".join(f' {k}="{escape(v)}"' for k, v in describedby.items())
    return role + extra, "".join(options)


def _row(compiled: Compiled, field: _Input, spec: dict[str, Any]) -> str:
    """One question, field or upload: its label, hint, error and input(s)."""
    lang = compiled.lang
    required, errors = spec["required"], field.errors
    varies = spec.get("required_when") is not None  # the script marks it as the answers say
    label_text = field.label + ("" if required or varies else say(lang, "form.optional"))
    label_html = escape(label_text)
    if varies:
        label_html += (f'<span class="optional"{" hidden" if required else ""}>'
                       f'{escape(say(lang, "form.optional"))}</span>')
    joiner = "; " if lang == "en" else "；"
    help_text = joiner.join(part for part in (field.description, spec.get("hint", "")) if part)
    classes = "row" + (" deciding" if spec.get("deciding") else "") + (" has-error" if errors else "")
    field_id = escape(field.id)  # written several times
    attributes = _row_attributes(lang, field, spec, varies)
    described = _describedby(field.id, bool(help_text), bool(errors))
    check = spec.get("check", "")
    check_message = say(lang, "error.check_digit_id" if check == "id_number" else "error.check_digit_uscc") if check else ""
    messages = (_messages(field_id, help_text, errors, check_message, joiner, _deferrable_note(lang, spec, joiner))
                + _type_slot(lang, spec.get("number")))
    if field.widget == "upload":
        widget = _upload(field, required, described)
        return (f'<div class="{classes}"{attributes}><label class="label" for="{field_id}">'
                f'{label_html}</label>{messages}{widget}</div>')
    if field.widget in ("radio", "checkboxes"):
        fieldset_attributes, options = _choices(field, required, spec.get("boolean", False), described)
        return (f'<div class="{classes}"{attributes}><fieldset id="{field_id}"{fieldset_attributes}>'
                f'<legend class="label">{label_html}</legend>{messages}'
                f'<div class="choices">{options}</div></fieldset></div>')
    widget = field.write(_input_attributes(field, spec, described))
    return (f'<div class="{classes}"{attributes}><label class="label" for="{field_id}">'
            f"{label_html}</label>{messages}{widget}</div>")


def _row_attributes(lang: str, field: _Input, spec: dict[str, Any], varies: bool) -> str:
    """The row's data- attributes: what the portal script reads to show the row, require it and
    name it in its messages as the answers change."""
    required = spec["required"]
    attributes = f' data-label="{escape(field.label)}"'
    if spec.get("when") is not None:
        attributes += f' data-when="{escape(_JSON.encode(spec["when"]))}"'
    if varies:
        attributes += f' data-required-when="{escape(_JSON.encode(spec["required_when"]))}"'
    if required:
        attributes += " data-required"
    if required or varies:
        attributes += f' data-missing="{escape(say(lang, "error.missing"))}"'
    if spec.get("allow_none"):
        attributes += " data-allow-none"  # asked and nothing ticked: the answer "none of these", []
    if spec.get("hidden"):
        attributes += " hidden"
    return attributes


def _upload(field: _Input, required: bool, described: dict[str, str]) -> str:
    """An upload's file input (several files: a material may take more than one page or scan)."""
    upload_attributes = {**({"aria-required": "true"} if required else {}), **described}
    if field.errors:
        upload_attributes["aria-invalid"] = "true"
    attrs = "".join(f' {k}="{escape(v)}"' for k, v in upload_attributes.items()) + (" required" if required else "")
    return f'<input type="file" name="{escape(field.name)}" id="{escape(field.id)}" multiple{attrs}>'


def _input_attributes(field: _Input, spec: dict[str, Any], described: dict[str, str]) -> dict[str, Any]:
    """A text or number input's attributes: what the browser and the portal script check before
    the server does (required, number bounds, check characters)."""
    input_attributes: dict[str, Any] = dict(described)
    if spec["required"]:
        input_attributes.update({"required": True, "aria-required": "true"})
    if field.errors:
        input_attributes["aria-invalid"] = "true"
    if field.render_kw.get("inputmode") in ("numeric", "decimal"):
        input_attributes["data-number"] = ""
    if spec.get("number"):
        integer, minimum, maximum = spec["number"]
        input_attributes.update({"data-integer": integer, **({} if minimum is None else {"data-minimum": f"{minimum:g}"}),
                                 **({} if maximum is None else {"data-maximum": f"{maximum:g}"})})
    if spec.get("autocomplete"):
        input_attributes["autocomplete"] = spec["autocomplete"]
    if spec.get("check"):
        input_attributes.update({"data-check": spec["check"], "spellcheck": "false", "autocapitalize": "characters"})
    return input_attributes


def _deferrable_note(lang: str, spec: dict[str, Any], joiner: str) -> str:
    """容缺 that depends on the case: the note, shown by the script while its rule holds."""
    if spec.get("deferrable_when") is None:
        return ""
    return (f'<span class="deferrable-note" data-shown-when="{escape(_JSON.encode(spec["deferrable_when"]))}"'
            f'{"" if spec.get("deferrable") else " hidden"}>{escape(joiner + say(lang, "deferrable_note"))}</span>')


def _type_slot(lang: str, number: tuple[bool, float | None, float | None] | None) -> str:
    """Where the script says a number is not of the question's type, with what it may say
    (the server's words for the same errors, form_wtforms._type_error)."""
    if number is None:
        return ""
    _, minimum, maximum = number
    messages = {"number": say(lang, "error.number"), "integer": say(lang, "error.integer")}
    if minimum is not None:
        messages["minimum"] = say(lang, "error.minimum", limit=f"{minimum:g}")
    if maximum is not None:
        messages["maximum"] = say(lang, "error.maximum", limit=f"{maximum:g}")
    data = "".join(f' data-say-{key}="{escape(text)}"' for key, text in messages.items())
    return f'<p class="error-message type-error" hidden aria-live="polite"{data}></p>'


def _ineligible_panel(compiled: Compiled, failed: set[str], shown: bool) -> str:
    lang, bundle = compiled.lang, compiled.bundle
    reasons = "".join(
        f'<li data-rule="{escape(json.dumps(compiled.jsonlogic(rule.require.expr), ensure_ascii=False))}"'
        f'{"" if rule.id in failed else " hidden"}>{escape(compiled.text(rule.message))}</li>'
        for rule in bundle.eligibility)
    window = "".join(f"<dt>{escape(label)}</dt><dd>{escape(value)}</dd>" for label, value in fallback_window(compiled))
    return (f'<div class="ineligible" id="ineligible" role="alert" tabindex="-1"{"" if shown else " hidden"}>'
            f'<h2>{escape(say(lang, "form.ineligible"))}</h2><ul>{reasons}</ul>'
            f'<p>{escape(say(lang, "form.ineligible_next"))}</p><p>{escape(compiled.text(bundle.fallback.message))}</p>'
            f'<dl class="facts">{window}</dl></div>')


def _specs(compiled: Compiled, ui: dict[str, Any],
           answers: Mapping[str, Any] | None) -> dict[str, list[tuple[str, dict[str, Any]]]]:
    """For each group, its keys in order and how to render each (required, when, hints); what
    depends on the case is shown as for ``answers``; on the empty form (None), before any answer
    and for a browser without script, an upload required in some case is marked required."""
    bundle = compiled.bundle
    first = set(deciding(bundle))
    situations = {s.id: s for s in bundle.situations}
    entries = {f.id: f for f in bundle.fields}
    groups: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for group in ("situations", "fields", "uploads"):
        rows = []
        for key in ui[group]["ui:order"]:
            spec: dict[str, Any] = {"when": ui[group].get(key, {}).get("ui:options", {}).get("when")}
            if group == "situations":
                situation = situations[key]
                spec.update(required=not situation.allow_none, deciding=key in first,
                            boolean=situation.type == "boolean", allow_none=situation.allow_none)
                if situation.unit:
                    spec["hint"] = say(compiled.lang, "form.unit", unit=compiled.text(situation.unit))
                if situation.type == "number":
                    spec["number"] = (situation.integer, situation.minimum, situation.maximum)
            elif group == "fields":
                resolved = compiled.fields[key]
                spec.update(required=resolved.required, boolean=resolved.type == "boolean")
                token = _AUTOCOMPLETE.get(resolved.type)
                if entries[key].catalogue_id == "person_name":
                    token = "name" if key in _OWN_NAME_IDS else "off"
                spec["autocomplete"] = token
                if resolved.type in ("id_number", "uscc"):
                    spec["check"] = resolved.type
                if resolved.unit:
                    spec["hint"] = say(compiled.lang, "form.unit", unit=compiled.text(resolved.unit))
                if resolved.type in ("integer", "number"):
                    spec["number"] = (resolved.type == "integer", resolved.minimum, resolved.maximum)
            else:
                material = compiled.material_entry(key)
                assert material is not None
                required_when = takes(material, "requirement", "required")
                spec["required"] = (constant(required_when) is not False if answers is None
                                    else value_in_case(material, "requirement", answers) == "required")
                if constant(required_when) is None:
                    spec["required_when"] = compiled.jsonlogic(required_when)
                notes = [material_form(material, compiled.lang)]
                deferrable_when = takes(material, "requirement", "deferrable")
                if constant(deferrable_when):
                    notes.append(say(compiled.lang, "deferrable_note"))
                elif constant(deferrable_when) is None:
                    spec["deferrable_when"] = compiled.jsonlogic(deferrable_when)
                    spec["deferrable"] = answers is not None and value_in_case(material, "requirement", answers) == "deferrable"
                if material.note:
                    notes.append(compiled.text(material.note))
                spec["hint"] = ("; " if compiled.lang == "en" else "；").join(notes)
            rows.append((key, spec))
        groups[group] = rows
    return groups


def render_form_page(compiled: Compiled, form: Any = None, action: str = "") -> str:
    """The whole page; ``form`` is a validated form (after a post) or None for an empty one."""
    lang, bundle = compiled.lang, compiled.bundle
    blank = field_specs(compiled) if form is None else {}
    failed = {rule.id for rule in getattr(form, "ineligible", [])}
    out = bool(failed)
    sections, problems = [], []
    deciding_ids = deciding(bundle)
    last_deciding = deciding_ids[-1] if deciding_ids else None  # the ineligible panel follows this question
    answers = None if form is None else form.answers
    asked = {} if form is None else compiled.planner.asked(form.answers)
    for group, rows in _specs(compiled, shared_form_ui(compiled), answers).items():
        html_rows = []
        for key, spec in rows:
            name = f"{group}-{key}"
            field = _blank(name, blank[name]) if form is None else _posted(form[name])
            if out:
                field.errors.clear()  # outside the bundle: nothing to correct, and nothing more is asked
                # only the deciding questions the plan asks stay: those reasons rest on
                spec["hidden"] = not spec.get("deciding") or key not in asked
            html_rows.append(_row(compiled, field, spec))
            if field.errors:
                target = f"{field.id}-0" if field.widget in ("radio", "checkboxes") else field.id
                problems.append((target, field.label, ("; " if lang == "en" else "；").join(field.errors)))
            if group == "situations" and spec.get("deciding") and bundle.eligibility and key == last_deciding:
                html_rows.append(_ineligible_panel(compiled, failed, out))
        if not html_rows:
            continue
        hidden = " hidden" if out and group != "situations" else ""
        sections.append(f'<section class="step" aria-labelledby="step-{group}"{hidden}>'
                        f'<h2 id="step-{group}">{escape(say(lang, "form.step." + group))}</h2>'
                        f"{''.join(html_rows)}</section>")
    separator = ": " if lang == "en" else "："
    links = "".join(f'<li><a href="#{escape(target)}">{escape(label + separator + message)}</a></li>'
                    for target, label, message in problems)
    summary_box = (f'<div class="error-summary" role="alert" tabindex="-1" aria-labelledby="error-summary-title"'
                   f'{"" if problems else " hidden"}><h2 id="error-summary-title">'
                   f'{escape(say(lang, "form.error_summary"))}</h2><ul>{links}</ul></div>')
    summary = f"<p>{escape(compiled.text(bundle.summary))}</p>" if bundle.summary else ""
    title = say(lang, "form.title", name=compiled.text(bundle.name))
    actions = f'<p class="actions"{" hidden" if out else ""}><button type="submit">{escape(say(lang, "form.submit"))}</button></p>'
    body = (f"<main>\n<h1>{escape(title)}</h1>\n{summary}\n{summary_box}\n"
            f'<form class="application" method="post" action="{escape(action)}" enctype="multipart/form-data" '
            f'novalidate data-sep="{escape(separator)}"{_field_rules(compiled)}>\n{"".join(sections)}\n{actions}\n'
            '</form>\n</main>')
    return page(lang, title, body, style=_STYLE, script=FORM_SCRIPT)


def _field_rules(compiled: Compiled) -> str:
    """The cross-field rules for the page's script: routing.json's JsonLogic and the input to point at."""
    if not compiled.bundle.field_rules:
        return ""
    rules = [{"applies": entry["applies"], "check": entry["check"], "message": entry["message"],
              "target": "-".join(entry["pointers"][0].split("/")[1:3])} for entry in routing_entries(compiled)]
    return f' data-field-rules="{escape(json.dumps(rules, ensure_ascii=False))}"'


def write_form_html(compiled: Compiled) -> str:
    return render_form_page(compiled)
