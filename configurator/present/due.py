"""Due dates in what `explain` and the pre-check answer: per item, for the case, and the
``due_dates`` context a Camunda 8 process reads for its timers."""

from __future__ import annotations

from typing import Any

from configurator.planning.duedates import DueDates
from configurator.writers.phrases import say


def add_due_dates(data: dict[str, Any], dates: DueDates) -> None:
    """Adds the dates (planning/duedates.py) to an eligible case's explanation."""
    data["received"] = dates.received.isoformat()
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


def due_text(data: dict[str, Any], lang: str = "zh-CN") -> list[str]:
    """The dates, in words, for the text output of `explain`."""
    if "due_date" not in data:
        return []
    out = ["", say(lang, "due.received", received=data["received"], start=data["counting_starts"]),
           say(lang, "due.case", date=data["due_date"])]
    out += [say(lang, "due.item", name=item["name"], date=item["due_date"]) + (
        say(lang, "due.item_stages", date=item["due_date_with_special_stages"]) if "due_date_with_special_stages" in item else "")
        for item in data["items"]]
    for stage in data["special_stages"]:
        unit = say(lang, "working_days" if stage["day_kind"] == "working" else "calendar_days")
        out.append(say(lang, "due.stage", name=stage["name"] or stage["kind"], days=stage["days"], unit=unit,
                       start=stage["start"], end=stage["end"]))
    return out
