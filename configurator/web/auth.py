"""Login, logout, language; creating users (also from the command line)."""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import login_required, login_user, logout_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from configurator.web.models import ROLES, User, audit, db

blueprint = Blueprint("auth", __name__)


class LoginForm(FlaskForm):
    username = StringField("用户名", validators=[DataRequired("请填写用户名"), Length(max=80)])
    password = PasswordField("密码", validators=[DataRequired("请填写密码")])


def _safe_next(target: str | None) -> str:
    """Only ever redirect within this site after login."""
    if target and not urlsplit(target).netloc and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("admin.index")


@blueprint.route("/login", methods=["GET", "POST"])
def login() -> str | Response:
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        user = db.session.execute(db.select(User).filter_by(username=form.username.data)).scalar_one_or_none()
        if user is not None and user.check_password(form.password.data):
            login_user(user)
            session.permanent = False
            audit(user.username, "login")
            return redirect(_safe_next(request.args.get("next")))
        error = "用户名或密码不正确。"
    return render_template("configurator/login.html", form=form, error=error)


@blueprint.route("/logout", methods=["POST"])
@login_required
def logout() -> Response:
    logout_user()
    return redirect(url_for("auth.login"))


@blueprint.route("/lang/<code>", methods=["POST"])
def set_language(code: str) -> Response:
    if code in ("zh-CN", "en"):
        session["lang"] = code
    flash("界面语言已切换。" if code != "en" else "Language changed.")
    return redirect(_safe_next(request.form.get("next")))


class UserError(ValueError):
    pass


def create_user(username: str, role: str, password: str) -> User:
    username = username.strip()
    if not username or len(username) > 80:
        raise UserError("用户名不能为空，最多 80 个字符")
    if role not in ROLES:
        raise UserError(f"角色只能是 {', '.join(ROLES)}")
    if len(password) < 10:
        raise UserError("密码至少 10 个字符")
    if db.session.execute(db.select(User).filter_by(username=username)).scalar_one_or_none():
        raise UserError(f"用户“{username}”已存在")
    user = User(username=username, role=role)
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    return user


def ensure_first_admin() -> tuple[str, str] | None:
    """On a fresh install, an admin with a random password (returned to be shown once)."""
    if db.session.execute(db.select(User).limit(1)).first() is not None:
        return None
    password = secrets.token_urlsafe(12)
    create_user("admin", "admin", password)
    return "admin", password
