"""Workspace calendar files (``calendars/*.yaml``) → a WorkingCalendar, with located problems.

A file with ``year`` gives that year's whole national arrangement (holidays and make-up
working days), for a year chinese-calendar does not know yet or to correct it; a file with
``regions`` gives local days off for those regions and the regions inside them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from configurator.diagnostics import Diagnostic, localized
from configurator.language.loader import load_yaml
from configurator.language.schema import check_schema
from configurator.language.sourcemap import SourceMap
from configurator.planning.calendar import LocalDays, WorkingCalendar, YearArrangement

CALENDAR_SCHEMA = "calendar"
# A range longer than this is a typo (the longest official break is 9 days).
_LONGEST_RANGE = 31


def _problem(source: SourceMap, path: tuple[str | int, ...], zh: str, en: str, fix_zh: str, fix_en: str) -> Diagnostic:
    return source.diagnostic("E620", path, problem=localized(zh, en), fix=localized(fix_zh, fix_en))


def _days(entries: list[dict[str, Any]], key: str, source: SourceMap, year: int | None,
          found: list[Diagnostic]) -> dict[dt.date, str]:
    days: dict[dt.date, str] = {}
    for index, entry in enumerate(entries):
        path = (key, index)
        try:
            first = dt.date.fromisoformat(entry.get("date") or entry["from"])
            last = dt.date.fromisoformat(entry.get("date") or entry["to"])
        except ValueError:
            found.append(_problem(source, path, "日期不存在", "no such date", "改正日期，写成 2027-01-01 这样（年-月-日）",
                                  "correct the date, written like 2027-01-01"))
            continue
        if last < first or (last - first).days >= _LONGEST_RANGE:
            found.append(_problem(source, path + ("to",), f"日期段 {first}～{last} 不合理", f"the range {first}–{last} is not plausible",
                                  f"结束日期（to）不能早于开始日期（from），一段最长 {_LONGEST_RANGE} 天",
                                  f"the last day (to) may not be before the first (from), and a range spans at most "
                                  f"{_LONGEST_RANGE} days"))
            continue
        if year is not None and (first.year != year or last.year != year):
            found.append(_problem(source, path, f"{first} 不在本文件的年份 {year} 内", f"{first} is not in this file's year {year}",
                                  f"把它写到 {first.year} 年的日历文件中", f"put it in the calendar file of {first.year}"))
            continue
        day = first
        while day <= last:
            days[day] = entry["name"]
            day += dt.timedelta(days=1)
    return days


def read_calendars(files: Iterable[tuple[str, bytes]]) -> tuple[WorkingCalendar, list[Diagnostic]]:
    """Every calendar file given as (name, bytes); a file with problems contributes nothing."""
    years: dict[int, YearArrangement] = {}
    first_file: dict[int, str] = {}
    local: list[LocalDays] = []
    found: list[Diagnostic] = []
    for filename, raw in files:
        loaded = load_yaml(raw, filename)
        problems = list(loaded.diagnostics)
        if loaded.usable:
            problems += check_schema(loaded.data, loaded.source, CALENDAR_SCHEMA)
        if problems:
            found += problems
            continue
        data, source = loaded.data, loaded.source
        year = data.get("year")
        mine: list[Diagnostic] = []
        holidays = _days(data.get("holidays", []), "holidays", source, year, mine)
        workdays = _days(data.get("workdays", []), "workdays", source, year, mine)
        both = sorted(set(holidays) & set(workdays))
        if both:
            mine.append(_problem(source, ("workdays",), f"{both[0]} 既写成放假又写成上班", f"{both[0]} is both a holiday and a workday",
                                 "删除其中一处（放假 holidays 或上班 workdays）", "remove one of the two (holidays or workdays)"))
        if year is not None and year in years:
            mine.append(_problem(source, ("year",), f"{year} 年的安排已在 {first_file[year]} 中写过",
                                 f"the arrangement for {year} is already in {first_file[year]}",
                                 "每年的安排只写在一个文件中：合并两个文件", "keep each year in one file: merge the two"))
        found += mine
        if mine:
            continue
        if year is not None:
            years[year] = YearArrangement(year, holidays, workdays, data.get("source", ""))
            first_file[year] = filename
        else:
            local.append(LocalDays(frozenset(data["regions"]), holidays, workdays))
    return WorkingCalendar(years, tuple(local)), found
