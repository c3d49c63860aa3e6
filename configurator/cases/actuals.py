"""Actual against promised: the working days completed cases really took, per item and per bundle.

For every completed case (and every completed task of any case) the working days from the date of
receipt to the day it was done (China time), counted on the working-day calendar as due dates are
(planning/duedates.py: done on the N-th working day after receipt took N days), grouped per bundle
and region, with p50 and p90 beside the promised limit and the share done late. For the lead
department's page and `configurator report --actual`.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.engine import Engine

from configurator.cases import store
from configurator.planning.calendar import WorkingCalendar
from configurator.planning.casegraph import CHINA_STANDARD_TIME

BUNDLE = "(bundle)"  # the row of the whole case


@dataclass(frozen=True)
class Actual:
    bundle: str
    region: str | None
    item: str  # BUNDLE for the whole case
    promised: int
    count: int
    p50: int
    p90: int
    late: int  # how many took longer than promised


def working_days_taken(calendar: WorkingCalendar, received: dt.date, done: dt.date) -> int:
    taken, day = 0, received
    while day < done:
        day += dt.timedelta(days=1)
        taken += calendar.is_working_day(day)
    return taken


def _nearest_rank(values: list[int], share: float) -> int:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def _china_date(moment: str) -> dt.date:
    return dt.datetime.fromisoformat(moment).astimezone(CHINA_STANDARD_TIME).date()


def actuals(engine: Engine, calendar: WorkingCalendar) -> list[Actual]:
    """Every bundle × region × item with completed work, sorted; the bundle's own row first."""
    taken: dict[tuple[str, str | None, str], list[int]] = {}
    promised: dict[tuple[str, str | None, str], int] = {}
    with engine.connect() as connection:
        cases = list(connection.execute(select(store.applications)).mappings())
        done_tasks = list(connection.execute(select(store.tasks).where(store.tasks.c.state == "done")).mappings())
    by_id = {case["id"]: case for case in cases}
    for case in cases:
        key = (case["bundle"], case["region"], BUNDLE)
        promised[key] = case["promised_days"]
        if case["state"] == "done" and case["finished_at"]:
            received = dt.date.fromisoformat(case["received"])
            taken.setdefault(key, []).append(working_days_taken(calendar.for_region(case["region"]), received,
                                                                _china_date(case["finished_at"])))
    graphs: dict[str, dict[str, int]] = {}
    for task in done_tasks:
        owner = by_id.get(task["application"])
        if owner is None or not task["done_at"]:
            continue
        if owner["id"] not in graphs:
            graph = json.loads(owner["application"])["graph"]
            graphs[owner["id"]] = {t["item"]: t["promised_days"] for t in graph["tasks"]}
        key = (owner["bundle"], owner["region"], task["item"])
        promised[key] = graphs[owner["id"]][task["item"]]
        taken.setdefault(key, []).append(working_days_taken(calendar.for_region(owner["region"]),
                                                            dt.date.fromisoformat(owner["received"]), _china_date(task["done_at"])))
    rows = [Actual(bundle, region, item, promised[(bundle, region, item)], len(days), _nearest_rank(days, 0.5),
                   _nearest_rank(days, 0.9), sum(1 for d in days if d > promised[(bundle, region, item)]))
            for (bundle, region, item), days in taken.items()]
    return sorted(rows, key=lambda r: (r.bundle, r.region or "", r.item != BUNDLE, r.item))


def render(rows: Iterable[Actual], lang: str) -> str:
    head = (["bundle", "region", "item", "promised", "cases", "p50", "p90", "late"] if lang == "en"
            else ["一件事", "地区", "事项", "承诺时限", "件数", "p50", "p90", "超期"])
    lines = ["\t".join(head)]
    for row in rows:
        item = ("(whole case)" if lang == "en" else "（整件）") if row.item == BUNDLE else row.item
        lines.append("\t".join([row.bundle, row.region or "-", item, str(row.promised), str(row.count), str(row.p50),
                                str(row.p90), str(row.late)]))
    return "\n".join(lines) + "\n"
