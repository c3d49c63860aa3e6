"""Due dates of one case on the working-day calendar (rule and sources in planning/calendar.py).

The plan schedules items in working days from intake (an item starts when the items it waits
for have finished). Here those day numbers become dates: day N is the N-th working day after
the day of receipt. Special stages (public notice, expert review, inspection) do not count
toward an item's time limit (docs/bundle-format.md): each is counted as it declares, in
working or calendar days, after the item's own limit, and reported separately. An item that
waits for one with a special stage starts when the stage has ended: its date with special
stages moves by as much.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from configurator.planning.calendar import WorkingCalendar
from configurator.planning.plan import Plan
from configurator.planning.schedule import units

# Camunda 8 timers read `due_dates` (FEEL context): the end of the due day, China Standard Time.
END_OF_DAY = "T23:59:59+08:00"
CASE_KEY = "case"


@dataclass(frozen=True)
class StageDates:
    item: str
    kind: str
    name: str | None
    days: int
    day_kind: str  # working | calendar
    start: dt.date  # first day of the stage (the day after the item's own limit ends)
    end: dt.date


@dataclass(frozen=True)
class DueDates:
    received: dt.date
    first_day: dt.date  # the first working day after receipt: where counting starts
    items: dict[str, dt.date]  # the time limit, special stages excluded
    with_stages: dict[str, dt.date]  # with special stages: its own, and those of the items it waits for
    stages: tuple[StageDates, ...]
    case: dt.date
    case_with_stages: dt.date

    def timer_context(self) -> dict[str, str]:
        """``due_dates`` for a BPMN process: item id → end of its last day (special stages included), plus ``case``."""
        context = {item: day.isoformat() + END_OF_DAY for item, day in self.with_stages.items()}
        context[CASE_KEY] = self.case_with_stages.isoformat() + END_OF_DAY
        return context


def due_dates(plan: Plan, calendar: WorkingCalendar, received: dt.date) -> DueDates:
    """Raises CalendarError when a date falls in a year with no known holiday arrangement."""
    items: dict[str, dt.date] = {}
    with_stages: dict[str, dt.date] = {}
    stages: list[StageDates] = []
    waits = unit_waits(plan)
    for task in plan.tasks:  # in dependency order: what a task waits for is dated before it
        due = calendar.add_working_days(received, task.end_day)
        items[task.item.id] = due
        end = due
        # A special stage is not counted in the time limits, but what waits for its item cannot
        # start before it ends: such a task's own days count from the latest date it waits for.
        ready = max((with_stages[before] for before in waits[task.item.id]), default=None)
        if ready is not None and ready > calendar.add_working_days(received, task.start_day):
            end = max(end, calendar.add_working_days(ready, task.end_day - task.start_day))
        for stage in task.item.special_stages:
            start = calendar.next_working_day(end) if stage.day_kind == "working" else end + dt.timedelta(days=1)
            if stage.day_kind == "working":
                stage_end = calendar.add_working_days(end, stage.days)
            else:
                stage_end = calendar.add_calendar_days(end, stage.days)
            stages.append(StageDates(task.item.id, stage.kind, stage.name.get() if stage.name else None, stage.days,
                                     stage.day_kind, start, stage_end))
            end = max(end, stage_end)
        with_stages[task.item.id] = end
    case = calendar.add_working_days(received, plan.days)
    return DueDates(received, calendar.next_working_day(received), items, with_stages, tuple(stages), case,
                    max([case, *with_stages.values()]))


def unit_waits(plan: Plan) -> dict[str, set[str]]:
    """Item id → the items its task waits for: items handled together (``combined_with``) are one
    unit that waits for what any member waits for, as the schedule has it."""
    unit = units([task.item for task in plan.tasks])
    unit_waits: dict[str, set[str]] = {}
    for task in plan.tasks:
        unit_waits.setdefault(unit[task.item.id], set()).update(task.after)
    return {item: unit_waits[key] for item, key in unit.items()}
