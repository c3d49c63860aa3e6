"""`configurator explain`: one case, told in full — what applies, what to bring, who does what
when, and why a case goes to the fallback."""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Any

from configurator.language import conditions as lang
from configurator.language.regions import Resolved
from configurator.model import BundleMaterial, Situation
from configurator.planning.calendar import WorkingCalendar
from configurator.planning.compiled import Compiled
from configurator.planning.plan import Plan
from configurator.planning.resolution import ResolvedCase, resolve
from configurator.writers.field_checks import field_errors
from configurator.writers.field_rules import rule_errors
from configurator.writers.phrases import answer_text, material_form, material_source, plural, say


class AnswerError(ValueError):
    """An answer that does not fit its question (a usage error for the command line)."""


def answers_from_pairs(compiled: Compiled, pairs: list[str]) -> dict[str, Any]:
    """NAME=VALUE pairs typed on the command line, each parsed in its question's type."""
    from configurator.planning.plan import AnswerValueError, parse_answer

    situations = {s.id: s for s in compiled.bundle.situations}
    answers: dict[str, Any] = {}
    for pair in pairs:
        name, separator, text = pair.partition("=")
        name = name.strip()
        if not separator:
            raise AnswerError(say(compiled.lang, "answer.pair", pair=pair))
        if name not in situations:
            hint = lang.suggest(name, list(situations))
            raise AnswerError(say(compiled.lang, "answer.unknown", name=name)
                              + (say(compiled.lang, "answer.hint", hint=hint) if hint else "")
                              + say(compiled.lang, "answer.known", names=", ".join(situations)))
        try:
            answers[name] = parse_answer(situations[name], text)
        except ValueError as error:
            raise AnswerError(error.text(compiled.lang) if isinstance(error, AnswerValueError) else str(error)) from None
    return answers


def answers_from_data(compiled: Compiled, data: Any) -> dict[str, Any]:
    """Answers from a file: the answers themselves, or an application with a "situations" object."""
    if isinstance(data, dict) and isinstance(data.get("situations"), dict):
        data = data["situations"]
    if not isinstance(data, dict):
        raise AnswerError(say(compiled.lang, "answer.file"))
    known = {s.id for s in compiled.bundle.situations}
    unknown = [k for k in data if k not in known]
    if unknown:
        hint = lang.suggest(unknown[0], list(known))
        raise AnswerError(say(compiled.lang, "answer.unknown", name=unknown[0])
                          + (say(compiled.lang, "answer.hint", hint=hint) if hint else ""))
    for situation in compiled.bundle.situations:
        # the same rule as the form and the pre-check: an empty several-choice answer only
        # where the bundle allows none
        if situation.type == "multi_choice" and data.get(situation.id) == [] and not situation.allow_none:
            raise AnswerError(say(compiled.lang, "answer.none_chosen", id=situation.id))
    return dict(data)


def explanation(compiled: Compiled, answers: dict[str, Any], calendar: WorkingCalendar | None = None,
                received: dt.date | None = None, fields: dict[str, Any] | None = None,
                region: Resolved | None = None) -> dict[str, Any]:
    """The case as data (the JSON output, and what the text output is made from); with a
    calendar and a date of receipt, the due dates too (DueDateError for an unknown year). With
    the application's ``fields``, wrong check characters of ID numbers and credit codes are
    reported as ``field_errors``, and broken cross-field rules as ``rule_errors``, as the
    pre-check API reports them. ``compiled`` is the bundle as ``region`` carries it out, if any."""
    return case_data(compiled, resolve(compiled, answers, region, calendar, received), fields)


def case_data(compiled: Compiled, case: ResolvedCase, fields: dict[str, Any] | None = None) -> dict[str, Any]:
    """A resolved case as data. A complete case has everything; one still being answered says what
    is still needed (``unanswered``, ``waiting``), ``eligible`` null while not yet known
    (``undecided_rules``), and only what its answers decide (``undecided_items`` and
    ``undecided_materials`` the rest)."""
    bundle = compiled.bundle
    result: dict[str, Any] = {
        "bundle": {"id": bundle.id, "name": compiled.text(bundle.name), "version": bundle.version},
        "answers": dict(case.answers),
        "ignored_answers": list(case.ignored),
        "unanswered": list(case.unanswered),
        "eligible": case.eligible,
    }
    if case.waiting:
        result["waiting"] = list(case.waiting)
    if fields is not None:
        result["field_errors"] = field_errors(compiled, fields)
    if bundle.field_rules:  # cross-field rules on the fields given (and on answers that are fields)
        result["rule_errors"] = rule_errors(compiled, {"situations": dict(case.answers), "fields": fields or {}})
    if case.eligible is False:
        window = case.fallback
        result["not_eligible_because"] = [{"rule": r.id, "message": compiled.text(r.message)} for r in case.failed_rules]
        result["fallback"] = {"department": window.department,
                              "department_name": compiled.department_name(window.department),
                              "window": compiled.text(window.window) or None,
                              "address": compiled.text(window.address) or None,
                              "phone": window.phone,
                              "hours": compiled.text(window.hours) or None,
                              "message": compiled.text(window.message)}
        return result
    plan = case.plan
    if plan is None:  # still being answered: only what the answers so far decide
        if case.open_rules:
            result["undecided_rules"] = [r.id for r in case.open_rules]
        result["items"] = [{"id": i.id, "name": compiled.text(i.name), "department": i.department,
                            "department_name": compiled.department_name(i.department)} for i in case.items]
        result["undecided_items"] = [i.id for i in case.undecided_items]
        result["materials"] = [_material(compiled, m) for m in case.materials]
        result["undecided_materials"] = [m.id for m in case.undecided_materials]
        return result
    result["items"] = [{"id": t.item.id, "name": compiled.text(t.item.name), "department": t.item.department,
                        "department_name": compiled.department_name(t.item.department),
                        "start_day": t.start_day, "end_day": t.end_day, "after": list(t.after),
                        "promised_days": t.item.promised_days, "visits": t.item.visits,
                        **({"combined_with": t.item.combined_with} if t.item.combined_with else {})}
                       for t in plan.tasks]
    result["special_stages"] = [{"item": t.item.id, "kind": s.kind, "name": compiled.text(s.name), "days": s.days,
                                 "day_kind": s.day_kind} for t in plan.tasks for s in t.item.special_stages]
    result["materials"] = [_material(compiled, m) for m in plan.materials]
    result["departments"] = _payloads(compiled, plan)
    result["days"] = plan.days
    if case.due is not None:
        from configurator.present.due import add_due_dates

        add_due_dates(result, case.due)
    return result


def _material(compiled: Compiled, m: BundleMaterial) -> dict[str, Any]:
    return {"id": m.id, "name": compiled.material_name(m), "source": m.source, "hand_in": m.source == "applicant",
            "form": material_form(m, compiled.lang), "requirement": m.requirement, "how": material_source(compiled, m)}


def _payloads(compiled: Compiled, plan: Plan) -> dict[str, Any]:
    """What each department receives for this case: only what its applicable items use."""
    payloads: dict[str, Any] = {}
    needed_fields = {f.id for f in plan.fields}
    needed_materials = {m.id for m in plan.materials}
    for item in plan.items:
        entry = payloads.setdefault(item.department, {"name": compiled.department_name(item.department),
                                                       "items": [], "fields": [], "materials": []})
        entry["items"].append(item.id)
        entry["fields"] += [f for f in item.fields if f in needed_fields and f not in entry["fields"]]
        entry["materials"] += [m for m in item.materials if m in needed_materials and m not in entry["materials"]]
    return payloads


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(width - _width(text), 0)


def render_text(compiled: Compiled, data: dict[str, Any]) -> str:
    bundle, lang = compiled.bundle, compiled.lang
    situations: dict[str, Situation] = {s.id: s for s in bundle.situations}
    sep = say(lang, "list_sep")
    out = [say(lang, "explain.heading", name=data["bundle"]["name"], id=bundle.id, version=bundle.version), ""]
    out.append(say(lang, "explain.answers"))
    for key, value in data["answers"].items():
        out.append(f"  {compiled.text(situations[key].label)} {answer_text(compiled, key, value)}")
    if data["ignored_answers"]:
        out.append(say(lang, "explain.ignored", ids=", ".join(data["ignored_answers"])))
    if data["unanswered"]:
        # what is still needed, by the questions' labels; nothing is said about their answers
        moot = "explain.unanswered_moot" if data["eligible"] is False else "explain.unanswered"
        out.append(say(lang, moot) + sep.join(compiled.text(situations[k].label) for k in data["unanswered"]))
    if data.get("waiting") and data["eligible"] is not False:
        out.append(say(lang, "explain.waiting") + sep.join(compiled.text(situations[k].label) for k in data["waiting"]))
    for error in data.get("field_errors", []):
        label = compiled.text(compiled.fields[error["field"]].label)
        out.append(say(lang, "explain.field_error", label=label, pointer=error["pointer"], message=error["message"]))
    for error in data.get("rule_errors", []):
        labels = sep.join(compiled.text(compiled.fields[f].label) for f in error["fields"])
        out.append(say(lang, "explain.rule_error", message=error["message"], rule=error["rule"], fields=labels))
    out.append("")
    if data["eligible"] is False:
        out.append(say(lang, "explain.ineligible"))
        out += [f"  - {reason['message']}" for reason in data["not_eligible_because"]]
        fallback = data["fallback"]
        out.append(say(lang, "explain.fallback", window=fallback["window"] or fallback["department_name"],
                       message=fallback["message"]))
        out += ["  " + say(lang, "label_value", label=say(lang, "fallback." + key), value=fallback[key])
                for key in ("address", "phone", "hours") if fallback[key]]
        return "\n".join(out) + "\n"
    if "days" not in data:
        return "\n".join(out + _so_far(compiled, data)) + "\n"
    out.append(say(lang, "explain.eligible", count=len(data["items"])))
    names = {item["id"]: item["name"] for item in data["items"]}
    for item in data["items"]:
        together = say(lang, "explain.combined", name=names[item["combined_with"]]) if item.get("combined_with") in names else ""
        out.append(f"  - {item['name']} — {item['department_name']}{together}")
    if data["special_stages"]:
        out += ["", say(lang, "explain.stages")]
        for stage in data["special_stages"]:
            unit = say(lang, "calendar_days" if stage["day_kind"] == "calendar" else "working_days")
            out.append(say(lang, "explain.stage", item=names[stage["item"]], stage=stage["name"] or stage["kind"],
                           days=stage["days"], unit=unit))
    hand_in = [m for m in data["materials"] if m["hand_in"]]
    out += ["", say(lang, "explain.hand_in" if hand_in else "explain.hand_in_none")]
    for m in hand_in:
        extra = say(lang, "explain." + m["requirement"]) if m["requirement"] in ("deferrable", "optional") else ""
        out.append(f"  □ {m['name']} — {m['form']}{extra}")
    others = [m for m in data["materials"] if not m["hand_in"]]
    if others:
        out.append(say(lang, "explain.not_handed_in"))
        out += ["  - " + say(lang, "label_value", label=m["name"], value=m["how"]) for m in others]
    out += ["", say(lang, "explain.payloads")]
    for payload in data["departments"].values():
        fields = sep.join(compiled.text(compiled.fields[f].label) for f in payload["fields"]) or say(lang, "none")
        materials = sep.join(next(m["name"] for m in data["materials"] if m["id"] == mid)
                             for mid in payload["materials"]) or say(lang, "none")
        out.append(say(lang, "explain.payload", name=payload["name"], fields=fields, materials=materials))
    out += ["", say(lang, "explain.timeline", days=data["days"], plural=plural(data["days"])), *_timeline(compiled, data)]
    from configurator.present.due import due_text

    out += due_text(data, lang)
    return "\n".join(out) + "\n"


def _so_far(compiled: Compiled, data: dict[str, Any]) -> list[str]:
    """A case still being answered: whether it is eligible (when known), what applies so far, and
    what waits for the answers (by name, with no claim either way)."""
    lang, sep = compiled.lang, say(compiled.lang, "list_sep")
    out = [say(lang, "explain.not_yet_known" if data["eligible"] is None else "explain.eligible_so_far")]
    out.append(say(lang, "explain.so_far", count=len(data["items"])))
    out += [f"  - {item['name']} — {item['department_name']}" for item in data["items"]]
    if data["undecided_items"]:
        names = {item.id: compiled.text(item.name) for item in compiled.bundle.items}
        undecided = sep.join(names[i] for i in data["undecided_items"])
        out.append("  " + say(lang, "explain.undecided", names=undecided))
    return [*out, "", say(lang, "explain.incomplete")]


def _timeline(compiled: Compiled, data: dict[str, Any]) -> list[str]:
    """One row per item, grouped in lanes by department; bars from start to end day."""
    scale = 4
    lanes: dict[str, list[dict[str, Any]]] = {}
    for item in data["items"]:
        lanes.setdefault(item["department_name"], []).append(item)
    lane_width = max((_width(name) for name in lanes), default=0) + 2
    days = max(data["days"], 1)
    ruler = _pad("", lane_width) + "".join(f"{d:<{scale}}" for d in range(days + 1))
    rows = [ruler]
    for lane, items in lanes.items():
        for index, item in enumerate(items):
            start, end = item["start_day"], item["end_day"]
            if end == start:
                bar = " " * (start * scale) + "◆ " + item["name"] + say(compiled.lang, "explain.same_day")
            else:
                bar = " " * (start * scale) + "[" + "=" * ((end - start) * scale - 2) + "] " + item["name"]
            rows.append(_pad(lane if index == 0 else "", lane_width) + bar)
    return rows
