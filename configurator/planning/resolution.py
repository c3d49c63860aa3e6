"""One case, resolved once: what `explain`, the admin's simulator and the portal's pre-check
(and anything else that talks about a case) read, so they cannot disagree about it.

``resolve`` takes the compiled bundle (as the region carries it out, when there is a region:
``in_region``), an answer set — complete, or partial while a citizen is still answering — and
optionally the region and a date of receipt. Unanswered is not false: a question asked but not
answered yet makes every condition that reads it "not yet known" (language.conditions.partial)
unless the other answers decide it anyway, so nothing is claimed about a question nobody
answered. A question asked only under a condition that is not yet known is ``waiting``: whether
it will be asked depends on the unanswered ones.

When the case is complete (nothing unanswered, nothing waiting) the Planner's plan of it is
kept (the items with this case's values, the schedule), and with a date of receipt the due
dates (planning/duedates.py). A partial case has no plan: its items, materials and fields are
the ones the answers so far decide, in their declared form.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from configurator.language.conditions import Expr
from configurator.language.conditions.partial import decide
from configurator.language.regions import Resolved
from configurator.model import Bundle, BundleField, BundleMaterial, EligibilityRule, Item, Text
from configurator.planning.calendar import CalendarError, WorkingCalendar
from configurator.planning.compiled import Compiled
from configurator.planning.duedates import DueDates, due_dates
from configurator.planning.plan import Plan
from configurator.planning.regional import regional_bundle

YES, NO, NOT_YET_KNOWN = "yes", "no", "not_yet_known"
_Entry = TypeVar("_Entry", Item, BundleMaterial, BundleField)


@dataclass(frozen=True)
class FallbackWindow:
    """Where a case outside the bundle goes: the region's own window when the case is resolved for
    a region that names one (its file or a parent's), else the bundle's."""

    department: str  # the bundle's fallback department (catalogue id)
    window: Text | None  # the window's name
    address: Text | None
    phone: str | None  # the bundle's consultation phone when the window has none
    hours: Text | None
    message: Text  # what the citizen is told (always the bundle's)
    region: str | None  # the code of the region whose window this is; None: the bundle's own


@dataclass(frozen=True)
class ResolvedCase:
    """One case. Questions and rules are named by id; items, materials and fields are the bundle's
    (as the region carries it out), in file order."""

    bundle: Bundle
    region: str | None  # the region code, when resolved for one
    answers: Mapping[str, Any]  # the answers to questions asked, in question order
    asked: tuple[str, ...]  # the questions decidedly asked, answered or not
    unanswered: tuple[str, ...]  # asked and not answered yet: what is still needed
    waiting: tuple[str, ...]  # whether they are asked depends on an unanswered question
    ignored: tuple[str, ...]  # answered, but not asked in this case
    eligibility: str  # YES, NO (a rule decidedly fails) or NOT_YET_KNOWN
    failed_rules: tuple[EligibilityRule, ...]  # decidedly failed, whatever the unanswered questions
    open_rules: tuple[EligibilityRule, ...]  # not yet known
    # What applies, decided by the answers so far; all empty when the case goes to the fallback.
    items: tuple[Item, ...]
    undecided_items: tuple[Item, ...]
    materials: tuple[BundleMaterial, ...]
    undecided_materials: tuple[BundleMaterial, ...]
    fields: tuple[BundleField, ...]
    undecided_fields: tuple[BundleField, ...]
    plan: Plan | None  # a complete, eligible case: items with this case's values, schedule, days
    due: DueDates | None  # with a date of receipt, for a case with a plan
    fallback: FallbackWindow

    @property
    def complete(self) -> bool:
        return not self.unanswered and not self.waiting

    @property
    def eligible(self) -> bool | None:
        """True, False, or None while not yet known."""
        return None if self.eligibility == NOT_YET_KNOWN else self.eligibility == YES


class DueDateError(CalendarError):
    """A due date in a year whose holiday arrangement is unknown (the date of receipt itself is known)."""

    def __init__(self, received: dt.date, error: CalendarError) -> None:
        super().__init__(error.year, error.known)
        self.received = received
        self.args = (self.text("zh-CN"),)

    def text(self, lang: str) -> str:
        span = f"{self.known[0]}–{self.known[-1]}" if self.known else ("none" if lang == "en" else "无")
        if lang == "en":
            return (f"counted from receipt on {self.received.isoformat()}, the time limits run into {self.year}, whose "
                    f"holiday arrangement is unknown (known years: {span}); add calendars/{self.year}.yaml to the "
                    f"workspace with that year's holidays and make-up working days (docs/working-days.md)")
        return (f"从受理日 {self.received.isoformat()} 起算，办理时限要数到 {self.year} 年，而 {self.year} 年的节假日安排"
                f"未知（已知：{span}）；请在工作区 calendars/{self.year}.yaml 中写明该年的放假和调休安排"
                f"（写法见 docs/working-days.md）")

    def __str__(self) -> str:
        return self.text("zh-CN")


def in_region(compiled: Compiled, region: Resolved) -> Compiled:
    """The bundle as ``region`` carries it out (its allowed deviations applied), to resolve cases on."""
    return Compiled(regional_bundle(compiled.bundle, region.binding(compiled.bundle.id)), compiled.catalogues,
                    compiled.lang)


def resolve(compiled: Compiled, answers: Mapping[str, Any], region: Resolved | None = None,
            calendar: WorkingCalendar | None = None, received: dt.date | None = None) -> ResolvedCase:
    """The case of ``answers`` (partial or complete). ``compiled`` is the bundle as carried out
    where the case is handled (``in_region`` for a region). With ``received``, the due dates on
    ``calendar`` (the national one; the region's local days are added here): DueDateError when
    they run into a year with no known holiday arrangement."""
    bundle = compiled.bundle
    kept: dict[str, Any] = {}
    unknown: set[str] = set()
    asked: list[str] = []
    unanswered: list[str] = []
    waiting: list[str] = []
    for situation in bundle.situations:
        # questions in order, as the planner asks them: a later one's condition reads earlier answers
        is_asked = True if situation.when is None else decide(situation.when.expr, kept, unknown)
        given = answers.get(situation.id) is not None
        if is_asked is None:
            waiting.append(situation.id)
            unknown.add(situation.id)
        elif is_asked:
            asked.append(situation.id)
            if given:
                kept[situation.id] = answers[situation.id]
            else:
                unanswered.append(situation.id)
                unknown.add(situation.id)
    ignored = tuple(sorted(k for k in answers if k not in kept and k not in waiting and answers[k] is not None))
    verdicts = [(rule, decide(rule.require.expr, kept, unknown)) for rule in bundle.eligibility]
    failed = tuple(rule for rule, holds in verdicts if holds is False)
    open_rules = tuple(rule for rule, holds in verdicts if holds is None)
    eligibility = NO if failed else NOT_YET_KNOWN if open_rules else YES
    window = _fallback(compiled, region)
    code = region.region.code if region is not None else None
    decided = ResolvedCase(bundle, code, kept, tuple(asked), tuple(unanswered), tuple(waiting), ignored, eligibility,
                           failed, open_rules, items=(), undecided_items=(), materials=(), undecided_materials=(),
                           fields=(), undecided_fields=(), plan=None, due=None, fallback=window)
    if eligibility == NO:
        return decided
    if not unknown:
        plan = compiled.planner.plan(kept)
        due = None
        if received is not None:
            working = (calendar or WorkingCalendar()).for_region(code) if code else (calendar or WorkingCalendar())
            try:
                due = due_dates(plan, working, received)
            except CalendarError as error:
                raise DueDateError(received, error) from None
        return dataclasses.replace(decided, items=plan.items, materials=plan.materials, fields=plan.fields, plan=plan,
                                   due=due)
    items, undecided_items = _split(bundle.items, lambda item: None if item.when is None else item.when.expr,
                                    kept, unknown)
    users = {kind: {entry_id: compiled.users(entry_id, kind) for entry_id in ids}
             for kind, ids in (("materials", [m.id for m in bundle.materials]), ("fields", [f.id for f in bundle.fields]))}
    # a material or field is needed when its own condition holds and an item using it applies
    materials, undecided_materials = _split([m for m in bundle.materials if users["materials"][m.id]],
                                            lambda m: compiled.needed(m.when, users["materials"][m.id]), kept, unknown)
    fields, undecided_fields = _split([f for f in bundle.fields if users["fields"][f.id]],
                                      lambda f: compiled.needed(f.when, users["fields"][f.id]), kept, unknown)
    return dataclasses.replace(decided, items=items, undecided_items=undecided_items, materials=materials,
                               undecided_materials=undecided_materials, fields=fields, undecided_fields=undecided_fields)


def _split(entries: Iterable[_Entry], condition_of: Callable[[_Entry], Expr | None], kept: Mapping[str, Any],
           unknown: set[str]) -> tuple[tuple[_Entry, ...], tuple[_Entry, ...]]:
    """The entries whose condition decidedly holds, and those not yet known (the rest do not apply)."""
    applies: list[_Entry] = []
    undecided: list[_Entry] = []
    for entry in entries:
        expr = condition_of(entry)
        verdict = True if expr is None else decide(expr, kept, unknown)
        if verdict is None:
            undecided.append(entry)
        elif verdict:
            applies.append(entry)
    return tuple(applies), tuple(undecided)


def _fallback(compiled: Compiled, region: Resolved | None) -> FallbackWindow:
    bundle = compiled.bundle
    own = bundle.fallback
    phone = own.phone or (bundle.consultation.phone if bundle.consultation else None)
    if region is not None and region.fallback is not None:
        window = region.fallback
        origin = next((r.code for r in reversed(region.chain) if r.fallback is not None), region.region.code)
        return FallbackWindow(own.department, window.name, window.address, window.phone or phone, window.hours,
                              own.message, origin)
    return FallbackWindow(own.department, own.window, own.address, phone, own.hours, own.message, None)
