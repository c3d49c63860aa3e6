"""Login (throttled), logout, changing one's own password, language. Creating users, resetting
their passwords, changing their roles and removing them is accounts.py.

A login does the same work whether or not the user exists (a password hash is always
checked, against a dummy one for unknown names), so its timing tells nothing about which
names exist. Each login is a server-side session (models.UserSession) that logout, a password
change, a role change or an admin's reset ends.
"""

from __future__ import annotations

import datetime as dt
import functools
import secrets
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_admin import BaseView, expose
from flask_babel import gettext, lazy_gettext, ngettext
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from werkzeug.security import check_password_hash, generate_password_hash
from werkzeug.wrappers import Response
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from configurator.web import throttle
from configurator.web.access import Protected
from configurator.web.models import User, audit, db, end_all_sessions, end_session, start_session
from configurator.web.passwords import MAX_LENGTH, password_problem

blueprint = Blueprint("auth", __name__)


class LoginForm(FlaskForm):
    username = StringField(lazy_gettext("用户名"), validators=[DataRequired(lazy_gettext("请填写用户名")), Length(max=80)])
    password = PasswordField(lazy_gettext("密码"), validators=[DataRequired(lazy_gettext("请填写密码")), Length(max=MAX_LENGTH)])


class ChangePasswordForm(FlaskForm):
    current = PasswordField(lazy_gettext("当前密码"), validators=[DataRequired(lazy_gettext("请填写当前密码")), Length(max=MAX_LENGTH)])
    new = PasswordField(lazy_gettext("新密码"), validators=[DataRequired(lazy_gettext("请填写新密码"))])
    repeat = PasswordField(lazy_gettext("再输入一次新密码"), validators=[DataRequired(lazy_gettext("请再输入一次新密码")),
                                                   EqualTo("new", lazy_gettext("两次输入的新密码不一致"))])


@functools.cache
def _dummy_hash() -> str:
    # Made with the same method and cost as real hashes, so checking it takes as long.
    return generate_password_hash(secrets.token_hex(16))


def _safe_next(target: str | None) -> str:
    """Only ever redirect within this site after login."""
    if target and not urlsplit(target).netloc and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("admin.index")


def _wait_words(seconds: int) -> str:
    if seconds < 120:
        return ngettext("%(num)d 秒", "%(num)d 秒", seconds)
    return ngettext("%(num)d 分钟", "%(num)d 分钟", (seconds + 59) // 60)


@blueprint.route("/login", methods=["GET", "POST"])
def login() -> str | Response | tuple[str, int, dict[str, str]]:
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        username = (form.username.data or "").strip()
        address = request.remote_addr or "unknown"
        account_key, address_key = throttle.keys(username, address)
        verdict = throttle.check(account_key, address_key)
        if verdict.blocked:
            audit(username[:80], "login-throttled", address, f"retry after {verdict.retry_after} s")
            wait = _wait_words(verdict.retry_after)
            if verdict.locked:
                error = gettext("登录失败次数过多，账户已暂时锁定：请在 %(wait)s后再试。如忘记密码，请联系管理员重置。", wait=wait)
            else:
                error = gettext("登录失败次数过多，请稍候：请在 %(wait)s后再试。如忘记密码，请联系管理员重置。", wait=wait)
            throttle.say_wait(verdict.retry_after)
            return (render_template("configurator/login.html", form=form, error=error), 429,
                    {"Retry-After": str(verdict.retry_after)})
        user = db.session.execute(db.select(User).filter_by(username=username)).scalar_one_or_none()
        good = check_password_hash(user.password_hash if user is not None else _dummy_hash(), form.password.data or "")
        if user is not None and good:
            throttle.clear(account_key)
            start_session(user)
            login_user(user)
            session.permanent = False
            audit(user.username, "login", address)
            if user.must_change_password:
                flash(gettext("管理员重置了您的密码：请先设置一个新密码。"), "warning")
                return redirect(url_for("account.index"))
            return redirect(_safe_next(request.args.get("next")))
        throttle.record_failure(username[:80], address, account_key, address_key)
        audit(username[:80], "login-failed", address)
        error = gettext("用户名或密码不正确。")
    return render_template("configurator/login.html", form=form, error=error)


@blueprint.route("/logout", methods=["POST"])
@login_required
def logout() -> Response:
    end_session(current_user)
    audit(current_user.username, "logout")
    logout_user()
    return redirect(url_for("auth.login"))


class AccountView(Protected, BaseView):
    """The signed-in user's own account: changing the password (not in the menu; linked from the bar)."""

    def is_visible(self) -> bool:
        return False

    @expose("/", methods=("GET", "POST"))
    def index(self) -> str | Response:
        form = ChangePasswordForm()
        if form.validate_on_submit():
            user: User = current_user._get_current_object()
            problem = password_problem(form.new.data or "", user.username)
            if not check_password_hash(user.password_hash, form.current.data or ""):
                form.current.errors = [gettext("当前密码不正确")]
            elif form.new.data == form.current.data:
                form.new.errors = [gettext("新密码不能与当前密码相同")]
            elif problem:
                form.new.errors = [problem]
            else:
                user.set_password(form.new.data or "")
                user.must_change_password = False
                db.session.commit()
                end_all_sessions(user)  # every other login of this account ends here
                start_session(user)
                login_user(user)
                audit(user.username, "change-password")
                flash(gettext("密码已修改。其他设备上的登录已全部退出。"), "success")
                return redirect(url_for("admin.index"))
        return self.render("configurator/password.html", form=form)


def must_change_password_first() -> Response | None:
    """Before any other page, a user whose password an admin reset sets a new one."""
    if request.path.startswith("/api/"):
        return None  # the public API has no users (and reads no session)
    if (current_user.is_authenticated and current_user.must_change_password
            and request.endpoint not in ("account.index", "auth.logout", "auth.set_language", "static")
            and not (request.endpoint or "").endswith(".static")):
        return redirect(url_for("account.index"))
    return None


@blueprint.route("/lang/<code>", methods=["POST"])
def set_language(code: str) -> Response:
    if code in ("zh-CN", "en"):
        session["lang"] = code
    flash(gettext("界面语言已切换。"))
    return redirect(_safe_next(request.form.get("next")))


def load_session_user(cookie_id: str) -> User | None:
    from configurator.web.models import session_user

    return session_user(cookie_id, dt.timedelta(seconds=int(current_app.config["SESSION_MAX_AGE_SECONDS"])))
