"""Where change-request metadata lives: two tables in the admin's SQL database (SQLAlchemy Core).

Content lives in git (a branch per change request, ordinary commits); what git has no place for
— title, description, state, the comment thread — lives here. The database is also the arbiter
between app processes sharing one workspace: every state change is one conditional UPDATE
(``... WHERE state IN (...)``), so two reviewers, or two processes, can never both move a change
request; and a unique key stops two racing first saves from opening two change requests.
No Flask here: the web app hands in its engine; a script can hand in any other.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import (
    Column,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    insert,
    select,
    update,
)
from sqlalchemy.engine import Engine, RowMapping
from sqlalchemy.exc import IntegrityError
from sqlalchemy.pool import NullPool

METADATA = MetaData()

change_requests = Table(
    "change_requests", METADATA,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("branch", String(200), unique=True, nullable=False),
    Column("title", String(200), nullable=False),
    Column("description", Text, nullable=False, default=""),
    Column("author", String(80), nullable=False),
    Column("state", String(20), nullable=False),
    # "<user>\x1f<path>" while the change request is the user's default for that file; NULL otherwise.
    Column("default_key", String(400), unique=True, nullable=True),
    Column("base", String(40), nullable=False),  # main when the branch began
    Column("reviewer", String(80), nullable=True),
    Column("published_commit", String(40), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

change_events = Table(
    "change_events", METADATA,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("change_id", Integer, ForeignKey("change_requests.id"), nullable=False, index=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("username", String(80), nullable=False),
    Column("kind", String(20), nullable=False),  # comment | submit | send-back | withdraw | publish | update | save
    Column("text", Text, nullable=False, default=""),
)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class Record:
    id: int
    branch: str
    title: str
    description: str
    author: str
    state: str
    base: str
    reviewer: str | None
    published_commit: str | None
    created_at: dt.datetime
    updated_at: dt.datetime


@dataclass(frozen=True)
class Event:
    at: dt.datetime
    username: str
    kind: str
    text: str


def _record(row: RowMapping) -> Record:
    return Record(row["id"], row["branch"], row["title"], row["description"], row["author"], row["state"], row["base"],
                  row["reviewer"], row["published_commit"], row["created_at"], row["updated_at"])


class Records:
    """The change_requests and change_events tables through one engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        METADATA.create_all(engine)

    @classmethod
    def connect(cls, url: str) -> Records:
        """Its own engine, apart from the web app's: a request holding one of the app's pooled
        connections must never wait for another one from the same pool to record a save."""
        if url.startswith("sqlite"):
            # SQLite connections are cheap; a writer waits for another process's lock instead of failing.
            return cls(create_engine(url, poolclass=NullPool, connect_args={"timeout": 30}))
        return cls(create_engine(url, pool_size=5, max_overflow=30, pool_pre_ping=True))

    def create(self, *, title: str, description: str, author: str, state: str, base: str,
               branch: str | None = None, default_key: str | None = None) -> Record | None:
        """A new row (its branch ``changes/<id>`` unless given); None when ``default_key`` is taken."""
        now = _now()
        try:
            with self.engine.begin() as connection:
                new_id = connection.execute(insert(change_requests).values(
                    branch=branch or f"pending/{now.timestamp()}/{author}", title=title, description=description,
                    author=author, state=state, default_key=default_key, base=base, created_at=now,
                    updated_at=now)).inserted_primary_key[0]  # type: ignore[index]
                if branch is None:
                    connection.execute(update(change_requests).where(change_requests.c.id == new_id)
                                       .values(branch=f"changes/{new_id}"))
        except IntegrityError:
            return None
        return self.get(int(new_id))

    def get(self, change_id: int) -> Record | None:
        with self.engine.connect() as connection:
            row = connection.execute(select(change_requests).where(change_requests.c.id == change_id)).mappings().first()
        return _record(row) if row else None

    def by_default_key(self, key: str) -> Record | None:
        with self.engine.connect() as connection:
            row = connection.execute(select(change_requests).where(change_requests.c.default_key == key)).mappings().first()
        return _record(row) if row else None

    def by_branch(self, branch: str) -> Record | None:
        with self.engine.connect() as connection:
            row = connection.execute(select(change_requests).where(change_requests.c.branch == branch)).mappings().first()
        return _record(row) if row else None

    def all(self, states: Iterable[str] | None = None) -> list[Record]:
        query = select(change_requests).order_by(change_requests.c.id.desc())
        if states is not None:
            query = query.where(change_requests.c.state.in_(list(states)))
        with self.engine.connect() as connection:
            return [_record(r) for r in connection.execute(query).mappings()]

    def move(self, change_id: int, from_states: Iterable[str], to_state: str, **values: object) -> bool:
        """One conditional UPDATE: True when this call moved the state (the arbiter between processes)."""
        with self.engine.begin() as connection:
            done = connection.execute(update(change_requests)
                                      .where(change_requests.c.id == change_id,
                                             change_requests.c.state.in_(list(from_states)))
                                      .values(state=to_state, updated_at=_now(), **values))
        return bool(done.rowcount == 1)

    def change(self, change_id: int, **values: object) -> None:
        with self.engine.begin() as connection:
            connection.execute(update(change_requests).where(change_requests.c.id == change_id)
                               .values(updated_at=_now(), **values))

    def add_event(self, change_id: int, username: str, kind: str, text: str = "") -> None:
        with self.engine.begin() as connection:
            connection.execute(insert(change_events).values(change_id=change_id, at=_now(), username=username,
                                                            kind=kind, text=text))

    def events(self, change_id: int) -> list[Event]:
        with self.engine.connect() as connection:
            rows = connection.execute(select(change_events).where(change_events.c.change_id == change_id)
                                      .order_by(change_events.c.id)).mappings()
            return [Event(r["at"], r["username"], r["kind"], r["text"]) for r in rows]
