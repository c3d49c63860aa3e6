"""Applications built for a case of the corpus, each with the verdict a pre-check must reach.

``accepted``: the application is complete and right (the pre-check answers with the plan, a
form schema accepts it); ``refused``: something must be corrected at ``pointers`` (the pre-check
answers 422 naming one of them, a form schema rejects it); ``fallback``: the case is outside the
bundle (the pre-check answers with the reasons and the fallback window; form.schema.json, which
carries the eligibility rules, rejects it).
"""

from __future__ import annotations

import re
from typing import Any

from configurator.language.fieldtypes import ResolvedField
from configurator.planning.compiled import Compiled
from configurator.writers.field_rules import rule_errors

# A value of each text type that its type's pattern accepts (an author's own pattern is tried too).
_TEXT = {"text": "张三", "textarea": "说明", "address": "某市某区某路 1 号", "mobile": "13800138000",
         "phone": "010-12345678", "email": "a@example.cn", "bank_account": "6222020000000000000",
         "postal_code": "100000", "date": "2024-05-01", "uscc": "91350100M000100Y43",
         "id_number": "11010519491231002X"}
_SPARE_TEXT = ("08:30", "张三", "A1")


def field_value(resolved: ResolvedField) -> Any:
    """A right value for the field, or None when none of the ready values fits its patterns."""
    if resolved.type == "choice":
        return resolved.options[0].value
    if resolved.type == "multi_choice":
        return [resolved.options[0].value]
    if resolved.type == "boolean":
        return True
    if resolved.type in ("integer", "number"):
        low = resolved.minimum if resolved.minimum is not None else 0
        value = int(low) + 1
        return value if resolved.maximum is None or value <= resolved.maximum else int(low)
    for text in (_TEXT.get(resolved.type, "张三"), *_SPARE_TEXT):
        if all(re.search(p, text) for p in resolved.patterns) and resolved.min_chars <= len(text) \
                and (resolved.max_length is None or len(text) <= resolved.max_length):
            return text
    return None


def _wrong_type(resolved: ResolvedField) -> Any:
    return "不是数字" if resolved.type in ("integer", "number", "boolean") else 12345


def _application(compiled: Compiled, case: dict[str, Any]) -> dict[str, Any] | None:
    expected = case["expected"]
    fields = {}
    for field_id in expected["form_fields"]:
        value = field_value(compiled.fields[field_id])
        if value is None:
            return None
        fields[field_id] = value
    uploads = {m["id"]: [f"upload-{m['id']}-{n}" for n in range(m["count"])]
               for m in expected["materials"] if m["source"] == "applicant"}
    return {"situations": dict(case["answers"]), "fields": fields, "uploads": uploads}


def _entry(case: dict[str, Any], kind: str, application: dict[str, Any], verdict: str,
           pointers: list[str] | None = None, note: str = "", compiled: Compiled | None = None) -> dict[str, Any]:
    expected: dict[str, Any] = {"verdict": verdict, "pointers": pointers or []}
    if verdict == "accepted" and compiled is not None and compiled.bundle.field_rules:
        # the values above know no cross-field rule: the library says which ones they break
        broken = rule_errors(compiled, application)
        if broken:
            expected = {"verdict": "refused", "pointers": [e["pointer"] for e in broken],
                        "field_rules": [e["rule"] for e in broken]}
    return {"id": f"{case['id']}/{kind}", "case": case["id"], "kind": kind, "note": note,
            "application": application, "expected": expected}


def applications_for(compiled: Compiled, case: dict[str, Any]) -> list[dict[str, Any]]:
    """The applications of one case: for a complete one the right application, one at a field's
    boundary, one ill-typed, one missing a required field and one missing a required upload; for an
    ineligible one the answers alone; for a partial one the answers without the unanswered question."""
    expected = case["expected"]
    if case["kind"] == "ineligible":
        return [_entry(case, "ineligible", {"situations": dict(case["answers"]), "fields": {}, "uploads": {}}, "fallback")]
    if case["kind"] == "partial":
        missing = expected["unanswered"]
        return [_entry(case, "partial", {"situations": dict(case["answers"]), "fields": {}, "uploads": {}}, "refused",
                       [f"/situations/{m}" for m in missing], note=f"unanswered: {', '.join(missing)}")]
    if not expected["eligible"]:
        return []
    valid = _application(compiled, case)
    if valid is None:
        return []
    found = [_entry(case, "valid", valid, "accepted", compiled=compiled)]
    numbers = [f for f in expected["form_fields"] if compiled.fields[f].type in ("integer", "number")]
    for field_id in numbers[:1]:
        resolved = compiled.fields[field_id]
        if resolved.minimum is not None:
            at = {**valid, "fields": {**valid["fields"], field_id: int(resolved.minimum)
                                      if float(resolved.minimum).is_integer() else resolved.minimum}}
            found.append(_entry(case, "boundary-min", at, "accepted", note=f"{field_id} = its minimum", compiled=compiled))
            below = {**valid, "fields": {**valid["fields"], field_id: resolved.minimum - 1}}
            found.append(_entry(case, "below-min", below, "refused", [f"/fields/{field_id}"],
                                note=f"{field_id} below its minimum"))
        if resolved.maximum is not None:
            above = {**valid, "fields": {**valid["fields"], field_id: resolved.maximum + 1}}
            found.append(_entry(case, "above-max", above, "refused", [f"/fields/{field_id}"],
                                note=f"{field_id} above its maximum"))
    if expected["form_fields"]:
        field_id = expected["form_fields"][0]
        wrong = {**valid, "fields": {**valid["fields"], field_id: _wrong_type(compiled.fields[field_id])}}
        found.append(_entry(case, "ill-typed", wrong, "refused", [f"/fields/{field_id}"], note=f"{field_id} of the wrong type"))
    required = [f for f in expected["form_fields"] if compiled.fields[f].required]
    if required:
        left_out = {**valid, "fields": {k: v for k, v in valid["fields"].items() if k != required[-1]}}
        found.append(_entry(case, "missing-field", left_out, "refused", [f"/fields/{required[-1]}"],
                            note=f"required field {required[-1]} left out"))
    spare = [m["id"] for m in expected["materials"] if m["source"] == "applicant" and m["requirement"] != "required"]
    if spare:  # optional and 容缺 (deferrable) uploads may be left out in this case
        without = {**valid, "uploads": {k: v for k, v in valid["uploads"].items() if k not in spare}}
        found.append(_entry(case, "without-optional-uploads", without, "accepted",
                            note=f"optional or deferrable in this case: {', '.join(spare)}", compiled=compiled))
    unasked = [f.id for f in compiled.bundle.fields if compiled.on_form(f) and f.id not in expected["form_fields"]]
    for field_id in unasked[:1]:
        value = field_value(compiled.fields[field_id])
        if value is not None:
            extra = {**valid, "fields": {**valid["fields"], field_id: value}}
            found.append(_entry(case, "not-asked-field", extra, "refused", [f"/fields/{field_id}"],
                                note=f"{field_id} given though this case does not ask for it"))
    uploads = [m["id"] for m in expected["materials"] if m["source"] == "applicant" and m["requirement"] == "required"]
    if uploads:
        left_out = {**valid, "uploads": {k: v for k, v in valid["uploads"].items() if k != uploads[-1]}}
        found.append(_entry(case, "missing-upload", left_out, "refused", [f"/uploads/{uploads[-1]}"],
                            note=f"required upload {uploads[-1]} left out"))
    return found
