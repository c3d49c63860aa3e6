"""Users and the audit log, in a SQL database through SQLAlchemy (SQLite by default)."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from flask_babel import lazy_pgettext
from flask_login import UserMixin
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, Text, delete, inspect, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)

# Each role can do what the one before it can, and more.
ROLES = ("viewer", "editor", "reviewer", "admin")
ROLE_NAMES = {"viewer": lazy_pgettext("role", "只读"), "editor": lazy_pgettext("role", "编辑"),
              "reviewer": lazy_pgettext("role", "审核发布"), "admin": lazy_pgettext("role", "管理员")}


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class User(UserMixin, db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "users"
    __allow_unmapped__ = True  # session_token below is per request, not a column

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True, nullable=False)
    password_hash: Mapped[str] = mapped_column(String(255), nullable=False)
    role: Mapped[str] = mapped_column(String(20), nullable=False, default="viewer")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Set by an admin's reset: the next login leads straight to the change-password page.
    must_change_password: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    # The server-side session this request came with (see get_id); not a column.
    session_token: str | None = None

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def get_id(self) -> str:
        """What Flask-Login keeps in the cookie: the user and a server-side session that
        logout, a password change or a role change deletes, ending the cookie's use."""
        return f"{self.id}:{self.session_token or ''}"

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def can(self, role: str) -> bool:
        """True when the user's role is ``role`` or above it."""
        return ROLES.index(self.role) >= ROLES.index(role)


class AuditEntry(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    username: Mapped[str] = mapped_column(String(80), nullable=False)
    action: Mapped[str] = mapped_column(String(40), nullable=False)
    target: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    detail: Mapped[str] = mapped_column(Text, nullable=False, default="")


def audit(username: str, action: str, target: str = "", detail: str = "") -> None:
    db.session.add(AuditEntry(username=username, action=action, target=target, detail=detail))
    db.session.commit()


class UserSession(db.Model):  # type: ignore[name-defined,misc]
    """One login. Only a hash of its token is stored, so a copy of the database opens no session."""

    __tablename__ = "user_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(Integer, ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # The change request this login works in (web/working.py): only a number the server chose
    # after checking it, and checked again on every request, as it may have been published since.
    working_change: Mapped[int | None] = mapped_column(Integer, nullable=True, default=None)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def start_session(user: User) -> None:
    token = secrets.token_urlsafe(32)
    db.session.add(UserSession(token_hash=_token_hash(token), user_id=user.id))
    db.session.commit()
    user.session_token = token


def session_user(cookie_id: str, max_age: dt.timedelta) -> User | None:
    """The user of a cookie's session, or None when that session has ended or expired."""
    user_id, _, token = cookie_id.partition(":")
    if not user_id.isdigit() or not token:
        return None
    row = db.session.get(UserSession, _token_hash(token))
    if row is None or row.user_id != int(user_id):
        return None
    created = row.created_at if row.created_at.tzinfo else row.created_at.replace(tzinfo=dt.UTC)
    if created < utcnow() - max_age:
        db.session.delete(row)
        db.session.commit()
        return None
    user = db.session.get(User, row.user_id)
    if user is not None:
        user.session_token = token
    return user


def _session_row(user: User) -> UserSession | None:
    """This request's login (already loaded by session_user, so no second query)."""
    return db.session.get(UserSession, _token_hash(user.session_token)) if user.session_token else None


def working_change(user: User) -> int | None:
    """The change request this login last worked in, as recorded (not yet checked again)."""
    row = _session_row(user)
    return row.working_change if row is not None else None


def set_working_change(user: User, change_id: int | None) -> None:
    row = _session_row(user)
    if row is not None and row.working_change != change_id:
        row.working_change = change_id
        db.session.commit()


def end_session(user: User) -> None:
    if user.session_token:
        db.session.execute(delete(UserSession).where(UserSession.token_hash == _token_hash(user.session_token)))
        db.session.commit()
    user.session_token = None


def end_all_sessions(user: User) -> None:
    """Every login of this user ends now (password or role changed, account removed)."""
    db.session.execute(delete(UserSession).where(UserSession.user_id == user.id))
    db.session.commit()


def upgrade_schema() -> None:
    """Add the columns newer versions need to a database an older version created
    (create_all makes missing tables, never missing columns)."""
    columns = {column["name"] for column in inspect(db.engine).get_columns("users")}
    if "must_change_password" not in columns:
        with db.engine.begin() as connection:
            connection.execute(text("ALTER TABLE users ADD COLUMN must_change_password BOOLEAN NOT NULL DEFAULT false"))
    if "working_change" not in {column["name"] for column in inspect(db.engine).get_columns("user_sessions")}:
        with db.engine.begin() as connection:
            connection.execute(text("ALTER TABLE user_sessions ADD COLUMN working_change INTEGER"))
