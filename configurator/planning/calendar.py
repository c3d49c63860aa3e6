"""Working days on China's official holiday arrangement, and counting time limits on them.

Each year the State Council General Office publishes the next year's arrangement: public
holidays, and make-up working days (调休) on some Saturdays and Sundays. chinese-calendar
carries those arrangements (2004 to the year it was released for); a workspace may add
``calendars/<name>.yaml`` files for a year the library does not know yet (the arrangement is
published each winter) and for local holidays. A date in a year that neither knows is an
error (``CalendarError``), never a guess that weekends are the only days off.

Counting rule (docs/working-days.md): a period starts on the day after receipt (《民法典》第二百零一条:
the first day is not counted) and counts working days only (《行政许可法》第八十二条: limits in
working days exclude public holidays). A limit of N working days ends on the N-th working day
after the day of receipt; a limit of 0 (handled on the spot, 即办) ends on the day of receipt,
or on the first working day after it when receipt fell on a day off. A period in calendar days
that ends on a day off ends on the next working day (《民法典》第二百零三条).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import chinese_calendar

from configurator.language.regions import covers

# Past this many days of searching for the next working day the calendar must be wrong.
_LONGEST_BREAK = 60


class CalendarError(ValueError):
    """A date the calendar cannot tell about: its year's holiday arrangement is unknown."""

    def __init__(self, year: int, known: Iterable[int]) -> None:
        years = sorted(set(known))
        span = f"{years[0]}–{years[-1]}" if years else "无"
        super().__init__(f"{year} 年的节假日安排未知（已知：{span}）；请在工作区 calendars/{year}.yaml 中写明该年的放假和调休安排")
        self.year = year
        self.known = years

    def text(self, lang: str) -> str:
        if lang == "en":
            span = f"{self.known[0]}–{self.known[-1]}" if self.known else "none"
            return (f"the holiday arrangement for {self.year} is unknown (known years: {span}); "
                    f"add calendars/{self.year}.yaml to the workspace with that year's holidays and make-up working days")
        return str(self)


@dataclass(frozen=True)
class YearArrangement:
    """One year's arrangement from a workspace calendar file (all other weekdays work, weekends rest)."""

    year: int
    holidays: Mapping[dt.date, str] = field(default_factory=dict)
    workdays: Mapping[dt.date, str] = field(default_factory=dict)  # make-up working days on weekends
    source: str = ""


@dataclass(frozen=True)
class LocalDays:
    """Local days off (or worked) on top of the national arrangement, for some regions only."""

    regions: frozenset[str]  # GB/T 2260 codes; a region's children are included
    holidays: Mapping[dt.date, str] = field(default_factory=dict)
    workdays: Mapping[dt.date, str] = field(default_factory=dict)

    def applies_to(self, region: str | None) -> bool:
        return region is not None and any(covers(code, region) for code in self.regions)


def library_years() -> range:
    """The years chinese-calendar has arrangements for."""
    years = {day.year for day in chinese_calendar.holidays} | {day.year for day in chinese_calendar.workdays}
    return range(min(years), max(years) + 1)


@dataclass(frozen=True)
class WorkingCalendar:
    """National arrangement (library + workspace years), and local days for one region."""

    years: Mapping[int, YearArrangement] = field(default_factory=dict)
    local: tuple[LocalDays, ...] = ()
    region: str | None = None

    def for_region(self, region: str | None) -> WorkingCalendar:
        return WorkingCalendar(self.years, self.local, region)

    def known_years(self) -> list[int]:
        return sorted(set(library_years()) | set(self.years))

    def day_off_reason(self, day: dt.date) -> str | None:
        """Why ``day`` is not a working day (holiday name, or 周末), or None for a working day."""
        for local in self.local:
            if local.applies_to(self.region):
                if day in local.workdays:
                    return None
                if day in local.holidays:
                    return local.holidays[day]
        arrangement = self.years.get(day.year)
        if arrangement is not None:
            if day in arrangement.workdays:
                return None
            if day in arrangement.holidays:
                return arrangement.holidays[day]
            return "周末" if day.weekday() >= 5 else None
        if day.year not in library_years():
            raise CalendarError(day.year, self.known_years())
        on_holiday, name = chinese_calendar.get_holiday_detail(day)
        if not on_holiday:
            return None
        return _HOLIDAY_NAMES.get(str(name), "周末") if name else "周末"

    def is_working_day(self, day: dt.date) -> bool:
        return self.day_off_reason(day) is None

    def next_working_day(self, day: dt.date) -> dt.date:
        """The first working day strictly after ``day``."""
        candidate = day
        for _ in range(_LONGEST_BREAK):
            candidate += dt.timedelta(days=1)
            if self.is_working_day(candidate):
                return candidate
        raise CalendarError(candidate.year, self.known_years())

    def add_working_days(self, start: dt.date, days: int) -> dt.date:
        """The ``days``-th working day after ``start`` (0: ``start`` itself if it is a working day,
        else the next working day)."""
        if days <= 0:
            return start if self.is_working_day(start) else self.next_working_day(start)
        day = start
        for _ in range(days):
            day = self.next_working_day(day)
        return day

    def add_calendar_days(self, start: dt.date, days: int) -> dt.date:
        """``days`` calendar days after ``start``; a period ending on a day off ends on the next working day."""
        end = start + dt.timedelta(days=days)
        return end if self.is_working_day(end) else self.next_working_day(end)


_HOLIDAY_NAMES = {
    "New Year's Day": "元旦", "Spring Festival": "春节", "Tomb-sweeping Day": "清明节", "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节", "National Day": "国庆节", "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}


def parse_date(text: str) -> dt.date:
    """An ISO date (YYYY-MM-DD); ValueError with a message for people otherwise."""
    try:
        return dt.date.fromisoformat(text.strip()) if len(text.strip()) == 10 else _bad_date(text)
    except ValueError:
        return _bad_date(text)


def _bad_date(text: str) -> dt.date:
    raise ValueError(f"“{text}”不是有效的日期；请写成 YYYY-MM-DD，例如 2026-09-30")
