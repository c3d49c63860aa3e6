"""Actual against promised (cases/actuals.py and `configurator report --actual`): working days that
completed cases took, counted on the holiday calendar, p50/p90 beside the promise."""

from __future__ import annotations

import datetime as dt
import json

from click.testing import CliRunner

from configurator.cases import store
from configurator.cases.actuals import BUNDLE, actuals, working_days_taken
from configurator.cli import main
from configurator.planning.calendar import WorkingCalendar

GRAPH = {"tasks": [{"item": "issue_birth_certificate", "promised_days": 1}, {"item": "birth_registration", "promised_days": 3}]}


def add_case(db, n: int, received: str, certificate_done: str, registration_done: str) -> None:
    case_id = f"app_{n}"
    store.add_application(db, {"id": case_id, "bundle": "newborn", "idempotency_key": None, "commit": "c0ffee",
                               "bundle_version": "1", "region": None, "received": received, "promised_days": 4,
                               "application": json.dumps({"application": {}, "graph": GRAPH}), "state": "running",
                               "submitted_at": store.now()})
    for item, done in (("issue_birth_certificate", certificate_done), ("birth_registration", registration_done)):
        task = {"id": f"{case_id}.{item}", "application": case_id, "item": item, "department": "health", "state": "done",
                "ready_at": None, "done_at": done, "due_date": None, "overdue": False, "results": {}, "returned": None}
        store.hand_over(db, task)
    store.finish_application(db, case_id, "done", registration_done)


def test_working_days_skip_weekends_and_the_national_holiday():
    calendar = WorkingCalendar()
    assert working_days_taken(calendar, dt.date(2026, 3, 6), dt.date(2026, 3, 9)) == 1  # Friday → Monday
    # received on 30 September 2026, done on 9 October: 1–7 October are the National Day holiday
    assert working_days_taken(calendar, dt.date(2026, 9, 30), dt.date(2026, 10, 9)) == 2


def test_p50_p90_and_late_per_item_and_per_case(tmp_path):
    db = store.open_database(f"sqlite:///{tmp_path / 'configurator.db'}")
    # received Monday 2 March 2026; times in UTC, counted on the China date (+8 h)
    add_case(db, 1, "2026-03-02", "2026-03-03T02:00:00+00:00", "2026-03-05T02:00:00+00:00")  # 1 and 3 days
    add_case(db, 2, "2026-03-02", "2026-03-03T17:00:00+00:00", "2026-03-06T02:00:00+00:00")  # 4 Mar in China: 2 (late), 4
    add_case(db, 3, "2026-03-02", "2026-03-03T02:00:00+00:00", "2026-03-10T02:00:00+00:00")  # 1, then 6 (case late)
    rows = {row.item: row for row in actuals(db, WorkingCalendar())}
    certificate = rows["issue_birth_certificate"]
    assert (certificate.promised, certificate.count, certificate.p50, certificate.p90, certificate.late) == (1, 3, 1, 2, 1)
    whole = rows[BUNDLE]
    assert (whole.promised, whole.count, whole.p50, whole.p90, whole.late) == (4, 3, 4, 6, 1)
    printed = CliRunner().invoke(main, ["report", "--actual", "--instance", str(tmp_path), "--lang", "en"])
    assert printed.exit_code == 0, printed.output
    lines = printed.output.splitlines()
    assert lines[0].split("\t") == ["bundle", "region", "item", "promised", "cases", "p50", "p90", "late"]
    assert lines[1].split("\t") == ["newborn", "-", "(whole case)", "4", "3", "4", "6", "1"]


def test_report_actual_without_a_database_says_where_to_point(tmp_path):
    printed = CliRunner().invoke(main, ["report", "--actual", "--instance", str(tmp_path / "nowhere"), "--lang", "en"])
    assert printed.exit_code == 2 and "point --instance at the admin's instance folder" in printed.output


def test_the_lead_departments_page_shows_running_overdue_actuals_and_tokens_but_no_secret(tmp_path):
    from tests.web_helpers import login, make_site

    site = make_site(tmp_path)
    db = store.open_database(site.app.config["DATABASE_URL"])
    add_case(db, 1, "2026-03-02", "2026-03-03T02:00:00+00:00", "2026-03-05T02:00:00+00:00")
    store.add_application(db, {"id": "app_running<b>", "bundle": "newborn", "idempotency_key": None, "commit": "c0ffee",
                               "bundle_version": "1", "region": None, "received": "2026-03-02", "promised_days": 4,
                               "application": json.dumps({"application": {}, "graph": GRAPH}), "state": "running",
                               "submitted_at": store.now()})
    task = {"id": "app_running<b>.birth_registration", "application": "app_running<b>", "item": "birth_registration",
            "department": "police", "state": "overdue", "ready_at": None, "done_at": None, "due_date": "2026-03-05",
            "overdue": True, "results": {}, "returned": None}
    store.hand_over(db, task)
    store.escalate(db, {"task": task["id"], "application": "app_running<b>", "item": "birth_registration",
                        "department": "police", "to": "health", "due_date": "2026-03-05", "at": "2026-03-05T16:00:00+00:00"})
    _, secret = store.add_token(db, "police")
    client = site.app.test_client()
    login(client, "victor")
    page = client.get("/admin/cases/?lang=en").get_data(as_text=True)
    assert "app_running&lt;b&gt;" in page and "app_running<b>" not in page  # escaped
    overdue = page[page.index('id="overdue"'):page.index('id="actuals"')]
    assert "birth_registration" in overdue and "health" in overdue and "2026-03-05" in overdue
    actual_rows = page[page.index('id="actuals"'):page.index('id="tokens"')]
    assert "<td>4</td><td>1</td><td>3</td><td>3</td><td>0</td>" in actual_rows.replace("\n", "")
    assert "police" in page[page.index('id="tokens"'):] and secret not in page
