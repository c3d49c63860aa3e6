"""Due dates in what `explain` and the pre-check answer: per item, for the case, and the
``due_dates`` context a Camunda 8 process reads for its timers."""

from __future__ import annotations

import datetime as dt
from typing import Any

from configurator.planning.calendar import WorkingCalendar
from configurator.planning.compiled import Compiled
from configurator.planning.duedates import due_dates
from configurator.planning.plan import Plan


def add_due_dates(data: dict[str, Any], compiled: Compiled, plan: Plan, calendar: WorkingCalendar,
                  received: dt.date) -> None:
    """Adds the dates to an eligible case's explanation (raises CalendarError for an unknown year)."""
    dates = due_dates(plan, calendar, received)
    data["received"] = received.isoformat()
    data["counting_starts"] = dates.first_day.isoformat()
    data["due_date"] = dates.case.isoformat()
    for item in data["items"]:
        item["due_date"] = dates.items[item["id"]].isoformat()
        if dates.with_stages[item["id"]] != dates.items[item["id"]]:
            item["due_date_with_special_stages"] = dates.with_stages[item["id"]].isoformat()
    data["special_stages"] = [
        {"item": s.item, "kind": s.kind, "name": s.name, "days": s.days, "day_kind": s.day_kind,
         "start": s.start.isoformat(), "end": s.end.isoformat()} for s in dates.stages]
    data["due_date_with_special_stages"] = dates.case_with_stages.isoformat()
    data["due_dates"] = dates.timer_context()


def due_text(data: dict[str, Any]) -> list[str]:
    """The dates, in words, for the text output of `explain`."""
    if "due_date" not in data:
        return []
    out = ["", f"受理日 {data['received']}，自下一个工作日 {data['counting_starts']} 起算（法定节假日不计，调休上班日计入）：",
           f"  预计 {data['due_date']} 前办结"]
    out += [f"  - {item['name']}：{item['due_date']} 前" + (
        f"（含特殊环节 {item['due_date_with_special_stages']} 前）" if "due_date_with_special_stages" in item else "")
        for item in data["items"]]
    for stage in data["special_stages"]:
        unit = "个工作日" if stage["day_kind"] == "working" else "个自然日"
        out.append(f"  特殊环节（不计入承诺时限）{stage['name'] or stage['kind']}：{stage['days']} {unit}，"
                   f"{stage['start']} 至 {stage['end']}")
    return out
