"""One submitted case as the engine runs it: its task graph, from the resolved case (planning/resolution.py).

A case that runs on an engine (configurator/cases/, Temporal) is made of tasks, one per item of
the bundle: the items that apply in this case run, the others are listed as ``skipped`` and never
start. Each running task knows its department, what it waits for (the plan's dependencies, items
handled together waiting as one), its promised working days and its due date on the region's
calendar (planning/duedates.py: special stages included, since nothing can be finished before
they end), and when it becomes overdue: the end of the due day, China Standard Time. A 0-day
(即办) task has no deadline and so no timer.

The graph is plain JSON (``as_json``): it is the workflow's input, kept in the engine's history,
so a case keeps the graph it was submitted with whatever is published later. It names fields and
materials by id only; the application's values stay in the instance database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from configurator.planning.duedates import unit_waits
from configurator.planning.resolution import ResolvedCase

CHINA_STANDARD_TIME = dt.timezone(dt.timedelta(hours=8), "CST")
GRAPH_VERSION = 1


class NotRunnable(ValueError):
    """The case cannot run: not eligible, not complete, or without due dates."""


@dataclass(frozen=True)
class CaseTask:
    item: str
    name: str
    department: str
    after: tuple[str, ...]  # items of this case it waits for
    promised_days: int
    due_date: dt.date | None  # None: skipped
    fields: tuple[str, ...]  # the case's fields this item uses (routing.json gives them to its department)
    materials: tuple[str, ...]  # likewise, materials
    deferred: tuple[str, ...]  # 容缺: materials of this item still to be delivered; it cannot complete before
    produces: tuple[str, ...]
    skipped: bool = False

    @property
    def deadline(self) -> dt.datetime | None:
        """When the task becomes overdue: the end of its due day in China (None: 0-day or skipped)."""
        if self.skipped or self.promised_days == 0 or self.due_date is None:
            return None
        return dt.datetime.combine(self.due_date + dt.timedelta(days=1), dt.time(), CHINA_STANDARD_TIME)


@dataclass(frozen=True)
class CaseGraph:
    bundle: str
    bundle_version: str
    commit: str  # the published commit the case pins
    region: str | None
    received: dt.date
    lead_department: str
    tasks: tuple[CaseTask, ...]  # in dependency order (the plan's), then the skipped items in file order
    promised_days: int  # the case's working days on the critical path

    def as_json(self) -> dict[str, Any]:
        return {
            "version": GRAPH_VERSION, "bundle": self.bundle, "bundle_version": self.bundle_version,
            "commit": self.commit, "region": self.region, "received": self.received.isoformat(),
            "lead_department": self.lead_department, "promised_days": self.promised_days,
            "tasks": [{"item": t.item, "name": t.name, "department": t.department, "after": list(t.after),
                       "promised_days": t.promised_days, "due_date": t.due_date.isoformat() if t.due_date else None,
                       "deadline": t.deadline.isoformat() if t.deadline else None, "fields": list(t.fields),
                       "materials": list(t.materials), "deferred": list(t.deferred), "produces": list(t.produces),
                       "skipped": t.skipped} for t in self.tasks],
        }


def case_graph(case: ResolvedCase, commit: str, uploads: Mapping[str, Any] | None = None) -> CaseGraph:
    """The task graph of a complete, eligible case resolved with a date of receipt. ``uploads`` are
    the application's uploads: a deferrable material (容缺) not among them is still to be delivered."""
    if case.eligible is not True or case.plan is None:
        raise NotRunnable("only a complete, eligible case runs: pre-check it first")
    if case.due is None:
        raise NotRunnable("the case needs its date of receipt to have due dates")
    plan, due, bundle = case.plan, case.due, case.bundle
    given = uploads or {}
    case_fields = {f.id for f in plan.fields}
    case_materials = {m.id: m for m in plan.materials}
    waits = unit_waits(plan)
    tasks = []
    for task in plan.tasks:
        item = task.item
        materials = tuple(m for m in item.materials if m in case_materials)
        tasks.append(CaseTask(
            item.id, item.name.get(), item.department,
            tuple(sorted(waits[item.id], key=[t.item.id for t in plan.tasks].index)), item.promised_days,
            due.with_stages[item.id], tuple(f for f in item.fields if f in case_fields), materials,
            tuple(m for m in materials if case_materials[m].requirement == "deferrable" and given.get(m) in (None, "", [])),
            tuple(item.result.materials) if item.result else ()))
    running = {t.item for t in tasks}
    tasks += [CaseTask(item.id, item.name.get(), item.department, (), item.promised_days, None, (), (), (), (), skipped=True)
              for item in bundle.items if item.id not in running]
    return CaseGraph(bundle.id, bundle.version, commit, case.region, due.received, bundle.lead_department, tuple(tasks),
                     plan.days)
