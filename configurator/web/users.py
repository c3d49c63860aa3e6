"""Users and roles (admins only), and the audit log."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_admin import BaseView, expose
from flask_babel import gettext
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from configurator.web.access import Protected
from configurator.web.auth import UserError, create_user, reset_password
from configurator.web.models import ROLE_NAMES, ROLES, AuditEntry, User, audit, db, end_all_sessions


def _posted_user() -> User | None:
    """The user the form names by id (None when there is none: also for an id that is not a number)."""
    posted = request.form.get("user_id", "")
    return db.session.get(User, int(posted)) if posted.isdigit() and posted.isascii() else None


class UsersView(Protected, BaseView):
    role = "admin"

    @expose("/", methods=("GET", "POST"))
    def index(self) -> str | Response:
        form = FlaskForm()
        if request.method == "POST" and form.validate_on_submit():
            action = request.form.get("action")
            if action == "add":
                try:
                    user = create_user(request.form.get("username", ""), request.form.get("role", "viewer"),
                                       request.form.get("password", ""))
                except UserError as error:
                    flash(str(error), "error")
                else:
                    audit(current_user.username, "add-user", user.username, user.role)
                    flash(gettext("已添加用户“%(name)s”。", name=user.username), "success")
            elif action == "delete":
                target = _posted_user()
                if target is None:
                    abort(400, gettext("没有这个用户。"))
                if target.id == current_user.id:
                    flash(gettext("不能删除自己。"), "error")
                else:
                    end_all_sessions(target)
                    db.session.delete(target)
                    db.session.commit()
                    audit(current_user.username, "delete-user", target.username)
                    flash(gettext("已删除用户“%(name)s”。", name=target.username), "success")
            elif action == "role":
                target = _posted_user()
                role = request.form.get("role", "")
                if target is None or role not in ROLES:
                    abort(400, gettext("没有这个用户或角色。"))
                if target.id == current_user.id and role != "admin":
                    flash(gettext("不能降低自己的角色（系统至少要有一位管理员）。"), "error")
                else:
                    target.role = role
                    db.session.commit()
                    if target.id != current_user.id:
                        end_all_sessions(target)  # a new role takes effect with a new login
                    audit(current_user.username, "set-role", target.username, role)
                    flash(gettext("“%(name)s”的角色改为%(role)s。", name=target.username, role=ROLE_NAMES[role]), "success")
            elif action == "reset":
                target = _posted_user()
                if target is None:
                    abort(400, gettext("没有这个用户。"))
                if target.id == current_user.id:
                    flash(gettext("请在“修改密码”页修改自己的密码。"), "error")
                else:
                    temporary = reset_password(target)
                    audit(current_user.username, "reset-password", target.username)
                    flash(gettext("已重置“%(name)s”的密码。临时密码（只显示这一次，请当面或通过安全渠道告知）："
                                  "%(password)s 。对方下次登录时必须设置新密码；其已有的登录均已退出。",
                                  name=target.username, password=temporary), "success")
            return redirect(url_for(".index"))
        users = db.session.execute(db.select(User).order_by(User.username)).scalars().all()
        return self.render("configurator/users.html", users=users, roles=ROLES, role_names=ROLE_NAMES, form=form)


class AuditView(Protected, BaseView):
    role = "reviewer"

    @expose("/")
    def index(self) -> str:
        entries = db.session.execute(db.select(AuditEntry).order_by(AuditEntry.at.desc()).limit(500)).scalars().all()
        return self.render("configurator/audit.html", entries=entries)

