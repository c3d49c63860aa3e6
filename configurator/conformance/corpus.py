"""The corpus: a bundle's cases as JSON, each with the facts the library's plan resolves for it.

One file per bundle (and region): the answers of every distinct real case the case search finds
(complete), cases sent to the fallback (ineligible), cases with one asked question left
unanswered (partial), and applications built for them with the verdict a pre-check must reach
(``applications``). Every expected fact is read from the case's one resolution
(``planning.resolution.resolve``: the plan of a complete case, what the answers so far decide of a
partial one) and the due dates of ``planning.duedates``: nothing here decides a case on its own.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from configurator.conformance.applications import applications_for
from configurator.language.conditions.syntax import names
from configurator.model import Situation
from configurator.planning.calendar import CalendarError, WorkingCalendar
from configurator.planning.compiled import Compiled
from configurator.planning.duedates import due_dates
from configurator.planning.plan import Plan, holds
from configurator.planning.resolution import NO, resolve
from configurator.planning.walk import answer_domains

CORPUS_FORMAT = "urn:configurator:conformance:1"
# Ineligible cases are found by changing one answer of a real case: the first this many real cases
# are enough to reach every rule (a rule reads few questions), and the search stays linear.
INELIGIBLE_FROM = 50


@dataclass(frozen=True)
class Target:
    """A bundle as the consumers receive it: the provincial standard, or one region's version of it
    (``compiled`` is then the regional bundle) with its working-day calendar."""

    compiled: Compiled
    region: str | None = None
    calendar: WorkingCalendar = field(default_factory=WorkingCalendar)
    received: dt.date | None = None

    @property
    def name(self) -> str:
        return self.compiled.bundle.id + (f"@{self.region}" if self.region else "")


def asked_situations(plan: Plan) -> list[Situation]:
    """The questions a complete case asks, by the plan's own rule (``when`` on the answers kept)."""
    return [s for s in plan.bundle.situations if holds(s.when, plan.answers)]


def expected_facts(target: Target, answers: Mapping[str, Any]) -> dict[str, Any]:
    """What every consumer must agree on for this case, read from its one resolution
    (planning/resolution.py): for a complete case the plan it keeps, for a partial one what the
    answers so far decide (unanswered is not false: nothing is expected of what is not yet known)."""
    case = resolve(target.compiled, answers)
    facts: dict[str, Any] = {
        "asked": list(case.asked),
        "unanswered": list(case.unanswered),
        "waiting": list(case.waiting),
        "eligible": case.eligible,
        "failed_rules": [rule.id for rule in case.failed_rules],
        "open_rules": [rule.id for rule in case.open_rules],
    }
    plan = case.plan
    if case.eligibility == NO:
        return facts
    if plan is None:  # partial: only what the answers so far decide, in declared form
        facts["items"] = [item.id for item in case.items]
        facts["undecided_items"] = [item.id for item in case.undecided_items]
        # what a form shows meanwhile: only what is decided (an upload waiting for an answer is not asked for)
        facts["decided_uploads"] = [m.id for m in case.materials if m.source == "applicant"]
        facts["decided_form_fields"] = [f.id for f in case.fields if f.from_situation is None]
        return facts
    facts["items"] = [{"id": t.item.id, "promised_days": t.item.promised_days, "visits": t.item.visits,
                       "start_day": t.start_day, "end_day": t.end_day, "after": list(t.after),
                       "combined_with": t.item.combined_with,
                       "special_stages": [{"kind": s.kind, "days": s.days, "day_kind": s.day_kind}
                                          for s in t.item.special_stages]} for t in plan.tasks]
    facts["materials"] = [{"id": m.id, "source": m.source, "requirement": m.requirement, "count": m.count}
                          for m in plan.materials]
    facts["fields"] = [f.id for f in plan.fields]
    facts["form_fields"] = [f.id for f in plan.fields if f.from_situation is None]
    facts["days"] = plan.days
    if target.received is not None:
        try:
            dates = due_dates(plan, target.calendar, target.received)
        except CalendarError as error:
            facts["due"] = {"error": str(error)}
        else:
            facts["due"] = {"received": target.received.isoformat(), "due_date": dates.case.isoformat(),
                            "due_date_with_special_stages": dates.case_with_stages.isoformat(),
                            "items": {k: v.isoformat() for k, v in dates.items.items()},
                            "items_with_special_stages": {k: v.isoformat() for k, v in dates.with_stages.items()},
                            "timers": dates.timer_context()}
    return facts


def _ineligible(target: Target, complete: list[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Answer sets that fail eligibility: each real case with one asked answer changed to another
    value worth trying, kept when the plan sends it to the fallback and every question it asks is
    answered; one per distinct set of failed rules and questions asked. Where one change leaves a
    question a rule reads unasked, a second change is tried too: a rule failing on an answer never
    asked is the case a page is likeliest to get wrong (it waits for an answer that never comes)."""
    planner = target.compiled.planner
    bundle = target.compiled.bundle
    domains = answer_domains(bundle)
    read_by_rules = {n.name for rule in bundle.eligibility for n in names(rule.require.expr)}
    found: dict[tuple[tuple[str, ...], tuple[str, ...]], dict[str, Any]] = {}

    def changes(answers: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
        for situation in bundle.situations:
            for value in domains[situation.id]:
                if situation.id in answers and answers[situation.id] != value:
                    yield {**answers, situation.id: value}

    def keep(answers: Mapping[str, Any]) -> Plan | None:
        """Record ``answers`` if they are a complete ineligible case; their plan when eligible."""
        plan = planner.plan(answers)
        if plan.eligible:
            return plan
        if not any(s.id not in plan.answers for s in asked_situations(plan)):
            # the questions asked count too: a rule failing where a question it reads was not
            # asked is a different case for a page than the same rule failing on an answer
            found.setdefault((tuple(rule.id for rule in plan.failed_rules), tuple(sorted(plan.answers))),
                             dict(plan.answers))
        return None

    for answers in complete[:INELIGIBLE_FROM]:
        for changed in changes(answers):
            plan = keep(changed)
            if plan is not None and read_by_rules & (set(answers) - set(plan.answers)):
                for twice in changes(plan.answers):
                    keep(twice)
    return list(found.values())


def _reachable(target: Target, answers: Mapping[str, Any]) -> dict[str, Any]:
    """The answers a citizen can give: those to questions still asked once one before them is left
    unanswered (a question waiting for it is not on the form, so it cannot be answered)."""
    kept = dict(answers)
    while True:
        asked = set(resolve(target.compiled, kept).asked)
        if set(kept) <= asked:
            return kept
        kept = {k: v for k, v in kept.items() if k in asked}


def corpus(target: Target, sample: int | None = None, seed: int = 0) -> dict[str, Any]:
    """The corpus of one target as JSON data; ``sample``: at most this many complete cases (a
    seeded draw, so the same files come out every time)."""
    compiled = target.compiled
    search = compiled.case_search
    scenarios = list(search.cases)
    if sample is not None and len(scenarios) > sample:
        scenarios = random.Random(f"{target.name}:{seed}").sample(scenarios, sample)
    cases: list[dict[str, Any]] = []

    def add(kind: str, answers: Mapping[str, Any]) -> dict[str, Any]:
        case = {"id": f"{kind}-{len(cases) + 1}", "kind": kind, "answers": dict(answers),
                "expected": expected_facts(target, answers)}
        cases.append(case)
        return case

    complete = [add("complete", scenario.answers) for scenario in scenarios]
    for answers in _ineligible(target, [c["answers"] for c in complete])[:sample or None]:
        add("ineligible", answers)
    for case in complete[:sample or None]:
        asked = case["expected"]["asked"]
        if asked:  # the last question asked, left unanswered
            add("partial", {k: v for k, v in case["answers"].items() if k != asked[-1]})
        if len(asked) > 1:  # one asked before it, left unanswered while the later ones are answered
            skipped = random.Random(f"{target.name}:{seed}:{case['id']}").choice(asked[:-1])
            add("partial", _reachable(target, {k: v for k, v in case["answers"].items() if k != skipped}))
    applications = [application for case in cases for application in applications_for(compiled, case)]
    return {"$schema": CORPUS_FORMAT, "bundle": compiled.bundle.id, "version": compiled.bundle.version,
            "region": target.region, "received": target.received.isoformat() if target.received else None,
            "lang": compiled.lang, "complete_search": search.complete, "cases": cases, "applications": applications}
