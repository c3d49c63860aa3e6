"""What the instance database keeps about cases (cases/store.py): every write the engine's
at-least-once activities make is idempotent; department tokens are shown once and stored hashed."""

from __future__ import annotations

import concurrent.futures
import sqlite3

from click.testing import CliRunner

from configurator.cases import store
from configurator.cli import main


def application_row(key: str | None, **extra: object) -> dict[str, object]:
    return {"id": store.new_application_id(), "bundle": "newborn", "idempotency_key": key, "commit": "c0ffee",
            "bundle_version": "1", "region": None, "received": "2026-03-02", "promised_days": 5,
            "application": "{}", "state": "running", "submitted_at": store.now(), **extra}


def test_the_same_idempotency_key_racing_in_eight_threads_makes_one_application(tmp_path):
    db = store.open_database(f"sqlite:///{tmp_path / 'c.db'}")
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda _: store.add_application(db, application_row("key-1")), range(8)))
    assert len({row["id"] for row, _ in results}) == 1
    assert [new for _, new in results].count(True) == 1
    other, new = store.add_application(db, application_row("key-2"))
    assert new and other["id"] != results[0][0]["id"]
    assert len(store.new_application_id()) >= 24  # 128 random bits, URL-safe


def test_hand_overs_escalations_and_finishing_twice_leave_what_once_leaves(tmp_path):
    db = store.open_database(f"sqlite:///{tmp_path / 'c.db'}")
    row, _ = store.add_application(db, application_row(None))
    task = {"id": f"{row['id']}.birth_registration", "application": row["id"], "item": "birth_registration",
            "department": "police", "state": "ready", "ready_at": "2026-03-03T01:00:00+00:00", "done_at": None,
            "due_date": "2026-03-06", "overdue": False, "results": {}, "returned": None, "handed": {"a": {"n": "1"}}}
    store.hand_over(db, task)
    store.record_task(db, {**task, "state": "done", "done_at": "2026-03-04T01:00:00+00:00", "results": {"n": "2"}})
    store.hand_over(db, task)  # the hand-over activity run again after the task moved on: nothing changes
    assert store.task(db, task["id"])["state"] == "done"
    assert store.department_tasks(db, "police", "ready") == []
    escalation = {"task": task["id"], "application": row["id"], "item": "birth_registration", "department": "police",
                  "to": "health", "due_date": "2026-03-06", "at": "2026-03-06T16:00:00+00:00"}
    store.escalate(db, escalation)
    store.escalate(db, escalation)
    with db.connect() as connection:
        assert len(connection.execute(store.escalations.select()).all()) == 1
    store.finish_application(db, row["id"], "done", "2026-03-09T00:00:00+00:00")
    store.finish_application(db, row["id"], "done", "2026-03-10T00:00:00+00:00")
    assert store.application(db, row["id"])["finished_at"] == "2026-03-09T00:00:00+00:00"


def test_a_department_token_is_printed_once_stored_hashed_listed_and_revocable(tmp_path):
    runner = CliRunner()
    added = runner.invoke(main, ["token", "add", "--department", "police", "--instance", str(tmp_path)])
    assert added.exit_code == 0, added.output
    token_id, department, secret = added.output.strip().split("\t")
    assert department == "police" and secret.startswith("dept_")
    raw = sqlite3.connect(tmp_path / "configurator.db").execute("select * from department_tokens").fetchall()
    assert secret not in repr(raw)  # only its hash is kept
    db = store.open_database(f"sqlite:///{tmp_path / 'configurator.db'}")
    assert store.token_department(db, secret) == "police"
    assert store.token_department(db, secret + "x") is None
    listed = runner.invoke(main, ["token", "list", "--instance", str(tmp_path)])
    assert listed.output.startswith(f"{token_id}\tpolice\t") and secret not in listed.output
    assert runner.invoke(main, ["token", "revoke", token_id, "--instance", str(tmp_path)]).exit_code == 0
    assert store.token_department(db, secret) is None
    again = runner.invoke(main, ["token", "revoke", token_id, "--instance", str(tmp_path)])
    assert again.exit_code == 1 and f"no live token {token_id}" in again.output
