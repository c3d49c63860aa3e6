"""User management, in one place: creating a user, an admin's password reset, changing a role,
removing a user, and the first admin of a fresh install. The admin's user pages, `configurator
serve` and `configurator user add` all call these; each writes its audit entry.

The rules: names and passwords as passwords.py says; nobody demotes or removes themself, and the
last admin is never demoted or removed (the system always has someone who can manage users); a
role change, a reset or a removal ends every session of that user at once.
"""

from __future__ import annotations

import secrets
from typing import Any, cast

from flask_babel import gettext
from sqlalchemy import ColumnElement, CursorResult, Executable, delete, or_, update

from configurator.web import throttle
from configurator.web.models import ROLES, User, UserSession, audit, db, end_all_sessions
from configurator.web.passwords import password_problem, username_problem


class UserError(ValueError):
    """A refused user action, in words for the person; ``field`` is the form field it is about."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


def create_user(username: str, role: str, password: str, *, by: str | None = None) -> User:
    """A new user (``by``: the admin who added them, for the audit log)."""
    username = username.strip()
    problem = username_problem(username)
    if problem:
        raise UserError(problem, "username")
    if role not in ROLES:
        raise UserError(gettext("角色只能是 %(roles)s", roles=", ".join(ROLES)), "role")
    problem = password_problem(password, username)
    if problem:
        raise UserError(problem, "password")
    if db.session.execute(db.select(User).filter(db.func.lower(User.username) == username.lower())).scalar_one_or_none():
        raise UserError(gettext("用户“%(name)s”已存在", name=username), "username")
    user = User(username=username, role=role)
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    if by is not None:
        audit(by, "add-user", user.username, user.role)
    return user


def reset_password(user: User, *, by: str | None = None) -> str:
    """An admin's reset: a random temporary password (returned to be passed on once), every
    session of the user ended, and a new password required at the next login."""
    if by is not None and by == user.username:
        raise UserError(gettext("请在“修改密码”页修改自己的密码。"))
    temporary = random_password(user.username)
    user.set_password(temporary)
    user.must_change_password = True
    db.session.commit()
    end_all_sessions(user)
    throttle.clear(throttle.keys(user.username, "")[0])  # an admin vouched for the person: lift the lockout
    if by is not None:
        audit(by, "reset-password", user.username)
    return temporary


def change_role(actor: User, target: User, role: str) -> None:
    """``actor`` gives ``target`` a new role; the target's sessions end (the role counts from their next login)."""
    if role not in ROLES:
        raise UserError(gettext("角色只能是 %(roles)s", roles=", ".join(ROLES)), "role")
    if role == target.role:
        return
    if target.id == actor.id:
        raise UserError(gettext("不能降低自己的角色（系统至少要有一位管理员）。"), "role")
    changed = _rows(update(User).where(User.id == target.id, _another_admin_remains(target)).values(role=role))
    db.session.commit()
    if not changed:
        raise UserError(gettext("“%(name)s”是最后一位管理员，不能改为其他角色。", name=target.username), "role")
    db.session.refresh(target)
    end_all_sessions(target)
    audit(actor.username, "set-role", target.username, role)


def delete_user(actor: User, target: User) -> None:
    """``actor`` removes ``target``: their sessions end with the account."""
    if target.id == actor.id:
        raise UserError(gettext("不能删除自己。"))
    name, user_id = target.username, target.id
    removed = _rows(delete(User).where(User.id == user_id, _another_admin_remains(target)))
    if removed:  # every login of the account ends with it, in the same transaction
        db.session.execute(delete(UserSession).where(UserSession.user_id == user_id))
    db.session.commit()
    if not removed:
        raise UserError(gettext("“%(name)s”是最后一位管理员，不能删除。", name=name))
    db.session.expunge(target)
    audit(actor.username, "delete-user", name)


def _rows(statement: Executable) -> int:
    """How many rows an UPDATE or DELETE wrote (the session's copies are refreshed by the caller)."""
    result = cast(CursorResult[Any], db.session.execute(statement, execution_options={"synchronize_session": False}))
    return int(result.rowcount)


def _another_admin_remains(target: User) -> ColumnElement[bool]:
    """The condition of demoting or removing ``target``, inside the one UPDATE or DELETE that does it:
    two admins removing each other at the same moment cannot leave none (the admins' rows are
    locked first where the database can, and the count is taken by the statement that writes)."""
    db.session.execute(db.select(User.id).where(User.role == "admin").with_for_update()).all()
    others = db.select(db.func.count()).select_from(User).where(User.role == "admin", User.id != target.id)
    return or_(User.role != "admin", others.scalar_subquery() > 0)


def random_password(username: str) -> str:
    while True:  # 16 random characters pass the policy unless they happen to contain the name
        password = secrets.token_urlsafe(12)
        if password_problem(password, username) is None:
            return password


def ensure_first_admin() -> tuple[str, str] | None:
    """On a fresh install, an admin with a random password (returned to be shown once)."""
    if db.session.execute(db.select(User).limit(1)).first() is not None:
        return None
    password = random_password("admin")
    create_user("admin", "admin", password)
    return "admin", password
