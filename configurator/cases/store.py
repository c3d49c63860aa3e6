"""What the instance database keeps about running cases (SQLAlchemy Core, no Flask).

The engine (Temporal) holds each case's state; the instance database holds what the portal API
serves without asking the engine for every request: the applications as submitted (their values
never enter the engine's history), the departments' task lists as the workflow hands tasks over,
the escalations (督办), the materials delivered later (容缺) and the departments' API tokens.

Every write here is idempotent, because activities are at-least-once (a worker may die after the
write and before the engine hears of it, and the activity then runs again): a hand-over is an
upsert by task id, a state change sets the state (setting it twice changes nothing), an
escalation is inserted once per task, an application once per idempotency key.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from collections.abc import Mapping
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    create_engine,
    event,
    insert,
    select,
    update,
)
from sqlalchemy.engine import Engine, RowMapping
from sqlalchemy.exc import IntegrityError

METADATA = MetaData()

applications = Table(
    "case_applications", METADATA,
    Column("id", String(64), primary_key=True),
    Column("bundle", String(120), nullable=False, index=True),
    Column("idempotency_key", String(200), nullable=True),
    Column("commit", String(64), nullable=False),
    Column("bundle_version", String(40), nullable=False),
    Column("region", String(40), nullable=True),
    Column("received", String(10), nullable=False),
    Column("promised_days", Integer, nullable=False),
    Column("application", Text, nullable=False),  # the submitted JSON: situations, fields, uploads
    Column("state", String(20), nullable=False),  # running | done
    Column("submitted_at", String(40), nullable=False),
    Column("finished_at", String(40), nullable=True),
    UniqueConstraint("bundle", "idempotency_key", name="one_case_per_key"),
)

tasks = Table(
    "case_tasks", METADATA,
    Column("id", String(200), primary_key=True),  # <application>.<item>
    Column("application", String(64), nullable=False, index=True),
    Column("item", String(120), nullable=False),
    Column("department", String(120), nullable=False, index=True),
    Column("state", String(20), nullable=False, index=True),
    Column("ready_at", String(40), nullable=True),
    Column("done_at", String(40), nullable=True),
    Column("due_date", String(10), nullable=True),
    Column("overdue", Boolean, nullable=False, default=False),
    Column("handed", Text, nullable=False, default="{}"),  # results of the tasks it waited for
    Column("results", Text, nullable=False, default="{}"),
    Column("returned", Text, nullable=True),
)

escalations = Table(
    "case_escalations", METADATA,
    Column("task", String(200), primary_key=True),
    Column("application", String(64), nullable=False, index=True),
    Column("item", String(120), nullable=False),
    Column("department", String(120), nullable=False),
    Column("escalated_to", String(120), nullable=False),
    Column("due_date", String(10), nullable=True),
    Column("at", String(40), nullable=False),
)

tokens = Table(
    "department_tokens", METADATA,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("department", String(120), nullable=False, index=True),
    Column("token_hash", String(64), unique=True, nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("revoked_at", String(40), nullable=True),
)


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def open_database(url: str) -> Engine:
    """The instance database, with this module's tables (made when missing). SQLite waits for a
    writer instead of failing at once: the web app and the workers write to the same file."""
    sqlite = url.startswith("sqlite")
    engine = create_engine(url, connect_args={"timeout": 30} if sqlite else {})
    if sqlite:
        @event.listens_for(engine, "connect")
        def _wal(connection: Any, _record: Any) -> None:
            cursor = connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()
    METADATA.create_all(engine)
    return engine


# -- applications -------------------------------------------------------------------------------

def new_application_id() -> str:
    """128 random bits: an application's id is its only key for the citizen's portal."""
    return "app_" + secrets.token_urlsafe(16)


def add_application(engine: Engine, row: Mapping[str, Any]) -> tuple[RowMapping, bool]:
    """The application, and whether it is new: a second submission with the same idempotency key
    (even a racing one) gets the first one's row."""
    key = row.get("idempotency_key")
    if key is not None:
        found = _by_key(engine, row["bundle"], key)
        if found is not None:
            return found, False
    try:
        with engine.begin() as connection:
            connection.execute(insert(applications).values(**row))
    except IntegrityError:
        found = _by_key(engine, row["bundle"], key) if key is not None else None
        if found is None:
            raise
        return found, False
    stored = application(engine, row["id"])
    assert stored is not None
    return stored, True


def _by_key(engine: Engine, bundle: str, key: str) -> RowMapping | None:
    with engine.connect() as connection:
        return connection.execute(select(applications).where(
            applications.c.bundle == bundle, applications.c.idempotency_key == key)).mappings().first()


def application(engine: Engine, application_id: str) -> RowMapping | None:
    with engine.connect() as connection:
        return connection.execute(select(applications).where(applications.c.id == application_id)).mappings().first()


def add_delivery(engine: Engine, application_id: str, material: str, value: Any) -> None:
    """容缺: a material delivered later joins the application's uploads (delivered again: the later value)."""
    with engine.begin() as connection:
        row = connection.execute(select(applications.c.application).where(applications.c.id == application_id)
                                 .with_for_update()).first()
        if row is None:
            return
        kept = json.loads(row[0])
        kept["application"].setdefault("uploads", {})[material] = value
        connection.execute(update(applications).where(applications.c.id == application_id)
                           .values(application=json.dumps(kept, ensure_ascii=False)))


def finish_application(engine: Engine, application_id: str, state: str, at: str) -> None:
    with engine.begin() as connection:
        connection.execute(update(applications).where(applications.c.id == application_id, applications.c.finished_at.is_(None))
                           .values(state=state, finished_at=at))


# -- tasks and escalations ----------------------------------------------------------------------

def hand_over(engine: Engine, task: Mapping[str, Any]) -> None:
    """A task ready for its department: inserted, or (run again) left as the first run wrote it
    unless the workflow has moved it on since."""
    with engine.begin() as connection:
        if connection.execute(select(tasks.c.id).where(tasks.c.id == task["id"])).first() is None:
            try:
                with connection.begin_nested():
                    connection.execute(insert(tasks).values(**_task_row(task), handed=json.dumps(task.get("handed", {}),
                                                                                                   ensure_ascii=False)))
                return
            except IntegrityError:
                pass  # a concurrent run of the same hand-over inserted it: nothing more to do
        connection.execute(update(tasks).where(tasks.c.id == task["id"], tasks.c.state == "ready")
                           .values(handed=json.dumps(task.get("handed", {}), ensure_ascii=False)))


def record_task(engine: Engine, task: Mapping[str, Any]) -> None:
    """The task's state as the workflow has it now (setting it again changes nothing)."""
    with engine.begin() as connection:
        connection.execute(update(tasks).where(tasks.c.id == task["id"]).values(**_task_row(task)))


def _task_row(task: Mapping[str, Any]) -> dict[str, Any]:
    return {"id": task["id"], "application": task["application"], "item": task["item"], "department": task["department"],
            "state": task["state"], "ready_at": task["ready_at"], "done_at": task["done_at"], "due_date": task["due_date"],
            "overdue": bool(task["overdue"]), "results": json.dumps(task["results"], ensure_ascii=False),
            "returned": json.dumps(task["returned"], ensure_ascii=False) if task["returned"] else None}


def escalate(engine: Engine, escalation: Mapping[str, Any]) -> None:
    """One escalation per task, however often the activity runs."""
    try:
        with engine.begin() as connection:
            connection.execute(insert(escalations).values(
                task=escalation["task"], application=escalation["application"], item=escalation["item"],
                department=escalation["department"], escalated_to=escalation["to"], due_date=escalation["due_date"],
                at=escalation["at"]))
    except IntegrityError:
        pass


def department_tasks(engine: Engine, department: str, state: str | None) -> list[RowMapping]:
    query = select(tasks).where(tasks.c.department == department)
    if state is not None:
        query = query.where(tasks.c.state == state)
    with engine.connect() as connection:
        return list(connection.execute(query.order_by(tasks.c.ready_at, tasks.c.id)).mappings())


def task(engine: Engine, task_id: str) -> RowMapping | None:
    with engine.connect() as connection:
        return connection.execute(select(tasks).where(tasks.c.id == task_id)).mappings().first()


# -- department tokens ---------------------------------------------------------------------------

def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def add_token(engine: Engine, department: str) -> tuple[int, str]:
    """A new bearer token for ``department``: returned once, only its hash is kept."""
    token = "dept_" + secrets.token_urlsafe(32)
    with engine.begin() as connection:
        result = connection.execute(insert(tokens).values(department=department, token_hash=_hash(token), created_at=now()))
        key = result.inserted_primary_key
        assert key is not None
    return int(key[0]), token


def revoke_token(engine: Engine, token_id: int) -> bool:
    with engine.begin() as connection:
        return bool(connection.execute(update(tokens).where(tokens.c.id == token_id, tokens.c.revoked_at.is_(None))
                                       .values(revoked_at=now())).rowcount)


def token_department(engine: Engine, token: str) -> str | None:
    """The department a live token belongs to (None: unknown or revoked)."""
    with engine.connect() as connection:
        row = connection.execute(select(tokens.c.department).where(
            tokens.c.token_hash == _hash(token), tokens.c.revoked_at.is_(None))).first()
    return None if row is None else str(row[0])


def list_tokens(engine: Engine) -> list[RowMapping]:
    with engine.connect() as connection:
        return list(connection.execute(select(tokens.c.id, tokens.c.department, tokens.c.created_at, tokens.c.revoked_at)
                                       .order_by(tokens.c.id)).mappings())
