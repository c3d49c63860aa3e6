"""Working days on the official holiday arrangement, and due dates in `explain` and the pre-check.

Every expected date below was counted by hand on the arrangement chinese-calendar 1.11.0 carries
(checked in the first test against the library's own data): the first day counted is the day
after receipt; holidays and ordinary weekends are skipped; make-up Saturdays and Sundays count.
"""

import datetime as dt
import json
import shutil
import textwrap

import chinese_calendar
import pytest
from click.testing import CliRunner

from configurator.cli import main
from configurator.planning.calendar import CalendarError, LocalDays, WorkingCalendar
from configurator.planning.calendar_files import read_calendars
from configurator.planning.duedates import due_dates
from configurator.planning.plan import make_plan
from tests.compile_helpers import compiled
from tests.helpers import ROOT

D = dt.date
NATIONAL = WorkingCalendar()
FULL_NEWBORN = {"born_in_province_hospital": True, "child_age_months": 0, "parents_province_household": True,
                "born_in_wedlock": True, "register_with": "father", "surname": "father", "household_kind": "family",
           "parents_different_ethnicity": True,
                "enrol_health_insurance": True, "apply_social_security_card": True, "mother_maternity_insurance": True,
                "want_parenting_guidance": True}


def make_up_days(first, last):
    return sorted(day for day in chinese_calendar.workdays if first <= day <= last)


def test_the_library_carries_the_official_2025_and_2026_arrangements():
    # 2025 春节: 1月28日—2月4日放假，1月26日（周日）、2月8日（周六）上班。
    assert make_up_days(D(2025, 1, 1), D(2025, 2, 28)) == [D(2025, 1, 26), D(2025, 2, 8)]
    assert all(not NATIONAL.is_working_day(D(2025, 1, 28) + dt.timedelta(days=n)) for n in range(8))
    # 2025 国庆、中秋: 10月1日—8日放假，9月28日（周日）、10月11日（周六）上班。
    assert make_up_days(D(2025, 9, 1), D(2025, 10, 31)) == [D(2025, 9, 28), D(2025, 10, 11)]
    assert all(not NATIONAL.is_working_day(D(2025, 10, 1) + dt.timedelta(days=n)) for n in range(8))
    # 2026 春节: 2月15日—23日放假，2月14日（周六）、2月28日（周六）上班。
    assert make_up_days(D(2026, 2, 1), D(2026, 3, 31)) == [D(2026, 2, 14), D(2026, 2, 28)]
    assert all(not NATIONAL.is_working_day(D(2026, 2, 15) + dt.timedelta(days=n)) for n in range(9))
    # 2026 国庆: 10月1日—7日放假，9月20日（周日）、10月10日（周六）上班。
    assert make_up_days(D(2026, 9, 1), D(2026, 10, 31)) == [D(2026, 9, 20), D(2026, 10, 10)]
    assert all(not NATIONAL.is_working_day(D(2026, 10, 1) + dt.timedelta(days=n)) for n in range(7))
    assert NATIONAL.day_off_reason(D(2026, 10, 1)) == "国庆节" and NATIONAL.day_off_reason(D(2026, 10, 11)) == "周末"


@pytest.mark.parametrize("received, days, due", [
    # 2025 春节: Fri 1-24 → Sun 1-26 (make-up) 1, Mon 1-27 2, [1-28..2-4 off], 2-5 3, 2-6 4, 2-7 5, Sat 2-8 (make-up) 6.
    (D(2025, 1, 24), 1, D(2025, 1, 26)),
    (D(2025, 1, 24), 5, D(2025, 2, 7)),
    (D(2025, 1, 24), 6, D(2025, 2, 8)),
    # 2025 国庆: Fri 9-26 → Sun 9-28 (make-up) 1, 9-29 2, 9-30 3, [10-1..10-8 off], 10-9 4, 10-10 5, Sat 10-11 6, Mon 10-13 7.
    (D(2025, 9, 26), 3, D(2025, 9, 30)),
    (D(2025, 9, 26), 4, D(2025, 10, 9)),
    (D(2025, 9, 26), 6, D(2025, 10, 11)),
    (D(2025, 9, 26), 7, D(2025, 10, 13)),
    # 2026 春节: Thu 2-12 → 2-13 1, Sat 2-14 (make-up) 2, [2-15..2-23 off], 2-24 3, ..., 2-27 6, Sat 2-28 (make-up) 7, Mon 3-2 8.
    (D(2026, 2, 12), 2, D(2026, 2, 14)),
    (D(2026, 2, 12), 3, D(2026, 2, 24)),
    (D(2026, 2, 12), 7, D(2026, 2, 28)),
    (D(2026, 2, 12), 8, D(2026, 3, 2)),
    # 2026 国庆: Fri 9-18 → Sun 9-20 (make-up) 1; Wed 9-30 → [10-1..10-7 off] 10-8 1, 10-9 2, Sat 10-10 3, Mon 10-12 4.
    (D(2026, 9, 18), 1, D(2026, 9, 20)),
    (D(2026, 9, 30), 1, D(2026, 10, 8)),
    (D(2026, 9, 30), 3, D(2026, 10, 10)),
    (D(2026, 9, 30), 4, D(2026, 10, 12)),
    # On the spot (0 days): the day itself when it is a working day, else the next working day.
    (D(2026, 9, 30), 0, D(2026, 9, 30)),
    (D(2026, 10, 3), 0, D(2026, 10, 8)),
    (D(2026, 10, 10), 0, D(2026, 10, 10)),
])
def test_counting_working_days_across_the_holidays(received, days, due):
    assert NATIONAL.add_working_days(received, days) == due


def test_a_year_beyond_the_library_is_an_error_never_a_guess():
    with pytest.raises(CalendarError) as raised:
        NATIONAL.add_working_days(D(2027, 3, 1), 1)
    assert "calendars/2027.yaml" in str(raised.value) and "2027" in raised.value.text("en")
    with pytest.raises(CalendarError):  # counting from the end of 2026 into 2027 fails too
        NATIONAL.add_working_days(D(2026, 12, 30), 5)


CALENDAR_2027 = """\
    # 测试用的 2027 年安排，日期是示意 [I]
    year: 2027
    source: 示意
    holidays:
      - date: "2027-01-01"
        name: 元旦
      - from: "2027-02-06"
        to: "2027-02-12"
        name: 春节
    workdays:
      - date: "2027-02-14"
        name: 春节调休
    """


def test_a_workspace_calendar_file_covers_a_year_the_library_lacks():
    calendar, problems = read_calendars([("calendars/2027.yaml", textwrap.dedent(CALENDAR_2027).encode())])
    assert problems == []
    # Thu 2026-12-31 → Fri 1-1 off (元旦), Sat/Sun off, Mon 2027-01-04 1, Tue 1-5 2.
    assert calendar.add_working_days(D(2026, 12, 31), 2) == D(2027, 1, 5)
    # Fri 2-5 → [2-6..2-12 off], Sat 2-13 off, Sun 2-14 (make-up) 1, Mon 2-15 2.
    assert calendar.add_working_days(D(2027, 2, 5), 1) == D(2027, 2, 14)
    assert calendar.add_working_days(D(2027, 2, 5), 2) == D(2027, 2, 15)
    with pytest.raises(CalendarError):
        calendar.add_working_days(D(2028, 1, 3), 1)


def test_calendar_file_mistakes_are_located():
    text = textwrap.dedent("""\
        year: 2027
        holidays:
          - date: "2027-02-30"
            name: 不存在
          - date: "2028-01-01"
            name: 别的年份
          - date: "2027-05-01"
            name: 劳动节
        workdays:
          - date: "2027-05-01"
            name: 冲突
        """).encode()
    _, problems = read_calendars([("calendars/2027.yaml", text)])
    assert [(d.code, d.line) for d in problems] == [("E620", 3), ("E620", 5), ("E620", 10)]
    _, duplicate = read_calendars([("calendars/a.yaml", b"year: 2027\n"), ("calendars/b.yaml", b"year: 2027\n")])
    assert [(d.code, d.file, d.line) for d in duplicate] == [("E620", "calendars/b.yaml", 1)]
    _, schema = read_calendars([("calendars/c.yaml", b"holidays: []\n")])
    assert schema and all(d.line >= 1 for d in schema)


def test_local_holidays_apply_to_their_region_and_the_regions_inside_it():
    local = LocalDays(frozenset({"330100"}), {D(2026, 9, 21): "地方假日（示意）"}, {})
    calendar = WorkingCalendar(local=(local,))
    assert calendar.for_region("330106").add_working_days(D(2026, 9, 18), 2) == D(2026, 9, 22)
    assert calendar.for_region("330200").add_working_days(D(2026, 9, 18), 2) == D(2026, 9, 21)
    assert calendar.add_working_days(D(2026, 9, 18), 2) == D(2026, 9, 21)


def test_special_stages_count_as_they_declare_and_are_reported_separately():
    # 残疾人服务: 困难残疾人生活补贴 ends on working day 25 of the case (after the assessment, 10, and the
    # certificate, 5), then a 7 calendar-day public notice.
    disability = compiled("disability").bundle
    answers = {s.id: True for s in disability.situations if s.type == "boolean"}
    plan = make_plan(disability, answers)
    assert next(t.end_day for t in plan.tasks if t.item.id == "living_allowance") == 25
    dates = due_dates(plan, NATIONAL, D(2026, 9, 18))
    stage = next(s for s in dates.stages if s.item == "living_allowance")
    assert stage.day_kind == "calendar" and stage.days == 7
    # From Fri 2026-09-18: Sun 9-20 (make-up) 1, 9-21..9-24 2-5, [9-25..9-27 中秋], 9-28..9-30 6-8, [10-1..10-7 国庆],
    # 10-8 9, 10-9 10, Sat 10-10 (make-up) 11, 10-12..10-16 12-16, 10-19..10-23 17-21, 10-26 22, 10-27 23, 10-28 24, 10-29 25.
    assert dates.items["living_allowance"] == D(2026, 10, 29)
    # + 7 calendar days = Thu 11-5, a working day; the item's date with its stage, and the case's, move there.
    assert stage.start == D(2026, 10, 30) and stage.end == D(2026, 11, 5)
    assert dates.with_stages["living_allowance"] == D(2026, 11, 5) and dates.case_with_stages == D(2026, 11, 5)
    assert dates.case == D(2026, 10, 29)
    assert dates.timer_context()["living_allowance"] == "2026-11-05T23:59:59+08:00"


def test_explain_newborn_received_2026_09_30_full_case(in_repo, tmp_path):
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps(FULL_NEWBORN), encoding="utf-8")
    result = CliRunner().invoke(main, ["explain", "newborn", "--answers", str(answers), "--received", "2026-09-30",
                                       "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    # The full case's longest chain: 出生医学证明 1 day, then 出生登记 3 days, then 医保参保 / 社保卡 1 day = 5
    # working days. Received Wed 2026-09-30; 10-1..10-7 are the National Day holiday; counting starts
    # Thu 10-8 (1), Fri 10-9 (2), Sat 10-10 (make-up working day, 3), Mon 10-12 (4), Tue 10-13 (5).
    assert data["days"] == 5
    assert data["counting_starts"] == "2026-10-08"
    assert data["due_date"] == "2026-10-13"
    due = {item["id"]: item["due_date"] for item in data["items"]}
    assert due == {"issue_birth_certificate": "2026-10-08", "vaccination_certificate": "2026-09-30",
                   "parenting_guidance": "2026-09-30", "birth_registration": "2026-10-12",
                   "maternity_benefit": "2026-10-13", "medical_insurance_enrolment": "2026-10-13",
                   "social_security_card": "2026-10-13"}
    assert data["due_dates"] == {**{k: v + "T23:59:59+08:00" for k, v in due.items()}, "case": "2026-10-13T23:59:59+08:00"}
    text = CliRunner().invoke(main, ["explain", "newborn", "--answers", str(answers), "--received", "2026-09-30"])
    assert "预计 2026-10-13 前办结" in text.output


def test_explain_beyond_the_library_with_and_without_a_workspace_calendar(tmp_path, monkeypatch):
    for part in ("bundles", "catalogues"):
        shutil.copytree(ROOT / part, tmp_path / part)
    monkeypatch.chdir(tmp_path)
    refused = CliRunner().invoke(main, ["explain", "newborn", "--received", "2027-02-05", "--format", "json"])
    assert refused.exit_code == 2 and "calendars/2027.yaml" in refused.output
    (tmp_path / "calendars").mkdir()
    (tmp_path / "calendars" / "2027.yaml").write_text(textwrap.dedent(CALENDAR_2027), encoding="utf-8")
    pairs = [f"{k}={str(v).lower()}" for k, v in FULL_NEWBORN.items()]
    answered = CliRunner().invoke(main, ["explain", "newborn", *pairs, "--received", "2027-02-05", "--format", "json"])
    assert answered.exit_code == 0, answered.output
    # The full case takes 5 working days. Fri 2-5 → [2-6..2-12 春节 in the file], Sat 2-13 off,
    # Sun 2-14 (make-up in the file) 1, Mon 2-15 2, 2-16 3, 2-17 4, Thu 2-18 5.
    data = json.loads(answered.output)
    assert data["due_date"] == "2027-02-18"
    bad = CliRunner().invoke(main, ["explain", "newborn", "--received", "2027-13-01"])
    assert bad.exit_code == 2 and "YYYY-MM-DD" in bad.output
    assert CliRunner().invoke(main, ["check"]).exit_code == 0  # the calendar file checks clean


def test_an_item_waiting_for_one_with_a_special_stage_starts_after_the_stage():
    """A special stage is outside the time limits, but what needs the item's result cannot start
    before it ends: 出生登记 needs the certificate, whose item now has a 20-day public notice."""
    from tests.helpers import BASE_BUNDLE, base_with, check_text

    text = base_with("    time_limit: {promised: 1, statutory: 5}\n", "    time_limit: {promised: 1, statutory: 5}\n"
                     "    special_stages:\n      - {kind: public_notice, name: 公示, days: 20, day_kind: calendar}\n")
    bundle = check_text(text).bundle
    assert bundle is not None
    plan = make_plan(bundle, {"born_in_wedlock": True, "register_with": "father"})
    assert {t.item.id: (t.start_day, t.end_day) for t in plan.tasks}["birth_registration"] == (1, 4)
    dates = due_dates(plan, NATIONAL, D(2026, 11, 2))  # Mon; November 2026 has no holiday
    # the certificate: Tue 11-3, then 20 calendar days of notice to Mon 11-23
    assert dates.items["issue_certificate"] == D(2026, 11, 3) and dates.with_stages["issue_certificate"] == D(2026, 11, 23)
    # 出生登记: within its limit by working day 4 (Fri 11-6), but it can start only after the notice:
    # its 3 working days run Tue 11-24 .. Thu 11-26, and the case with them
    assert dates.items["birth_registration"] == D(2026, 11, 6)
    assert dates.with_stages["birth_registration"] == D(2026, 11, 26) and dates.case_with_stages == D(2026, 11, 26)
    assert dates.timer_context()["birth_registration"] == "2026-11-26T23:59:59+08:00"
    # without the stage nothing moves
    plain = check_text(BASE_BUNDLE).bundle
    assert plain is not None
    same = due_dates(make_plan(plain, {"born_in_wedlock": True, "register_with": "father"}), NATIONAL, D(2026, 11, 2))
    assert same.with_stages == same.items and same.case_with_stages == D(2026, 11, 6)
