"""Users and the audit log, in a SQL database through SQLAlchemy (SQLite by default)."""

from __future__ import annotations

import datetime as dt

from flask_login import UserMixin
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import DateTime, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)

# Each role can do what the one before it can, and more.
ROLES = ("viewer", "editor", "reviewer", "admin")
ROLE_NAMES = {"viewer": "只读", "editor": "编辑", "reviewer": "审核发布", "admin": "管理员"}


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class User(UserMixin, db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True, nullable=False)
    password_hash: Mapped[str] = mapped_column(String(255), nullable=False)
    role: Mapped[str] = mapped_column(String(20), nullable=False, default="viewer")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def can(self, role: str) -> bool:
        """True when the user's role is ``role`` or above it."""
        return ROLES.index(self.role) >= ROLES.index(role)


class AuditEntry(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now, index=True)
    username: Mapped[str] = mapped_column(String(80), nullable=False)
    action: Mapped[str] = mapped_column(String(40), nullable=False)
    target: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    detail: Mapped[str] = mapped_column(Text, nullable=False, default="")


def audit(username: str, action: str, target: str = "", detail: str = "") -> None:
    db.session.add(AuditEntry(username=username, action=action, target=target, detail=detail))
    db.session.commit()
