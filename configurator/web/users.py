"""The users (admins only) and the audit log as flask-admin SQLAlchemy model views: paging, sorting,
filters and search over the database; the audit log exported as CSV.

The views only read the request and render: every change of a user goes through accounts.py (its
rules and its audit entries). Forms are Flask-WTF forms, so the app's CSRF protection covers every
POST; the list pages use flask-admin's own scripts (from this site, with the CSP nonce) and
model-lists.js instead of the inline handlers flask-admin writes, which the CSP would block.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Iterable
from typing import Any, cast

from flask import flash, redirect, request
from flask_admin import expose
from flask_admin.contrib.sqla import ModelView
from flask_admin.contrib.sqla.filters import FilterEqual
from flask_babel import gettext, lazy_gettext, lazy_pgettext
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import PasswordField, SelectField, StringField
from wtforms.validators import DataRequired

from configurator.web.access import Protected
from configurator.web.accounts import UserError, change_role, create_user, delete_user, reset_password
from configurator.web.models import ROLE_NAMES, ROLES, AuditEntry, User, db

# A spreadsheet runs a cell that starts with one of these as a formula (=HYPERLINK(...), +cmd|...);
# also their full-width forms, which a Chinese input method types and spreadsheets may convert.
FORMULA_STARTS = tuple("=+-@\t\r＝＋－＠")


def spreadsheet_safe(value: Any) -> str:
    """A CSV cell that a spreadsheet shows as text, never runs: a leading formula character gets a
    ``'`` before it (OWASP's advice for CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _moment(value: dt.datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S UTC")  # stored in UTC (models.utcnow)


def _yes_no(value: bool) -> str:
    return str(gettext("是") if value else gettext("否"))  # flask-admin's icons need a font the admin does not load


def _role_choices() -> list[tuple[str, str]]:
    return [(role, str(ROLE_NAMES[role])) for role in ROLES]


class NewUserForm(FlaskForm):
    username = StringField(lazy_gettext("用户名"), validators=[DataRequired(lazy_gettext("请填写用户名"))],
                           description=lazy_gettext("2–40 个汉字、字母、数字、_ 或 -"))
    role = SelectField(lazy_gettext("角色"), choices=_role_choices, default="viewer")
    password = PasswordField(lazy_gettext("密码"), validators=[DataRequired(lazy_gettext("请填写密码"))],
                             description=lazy_gettext("至少 12 位，不常见"), render_kw={"autocomplete": "new-password"})


class RoleForm(FlaskForm):
    role = SelectField(lazy_gettext("角色"), choices=_role_choices)


class Listing(Protected, ModelView):
    """What both lists share: Flask-WTF forms (the app's CSRF), and filter URLs that say what they
    filter in any language (``?flt0_role_equals=editor``; flask-admin makes them from the label,
    which drops Chinese letters)."""

    form_base_class = FlaskForm
    named_filter_urls = True
    can_set_page_size = True

    def get_filter_arg(self, index: int, flt: Any) -> str:
        operation = flt.operation()
        operation = getattr(operation, "_args", [operation])[0]  # the English original of a lazy string
        column = getattr(getattr(flt, "column", None), "key", None) or str(index)
        return re.sub(r"[^a-z0-9_]", "", f"{column}_{operation}".lower().replace(" ", "_"))


class UsersView(Listing):
    role = "admin"
    list_template = "configurator/users.html"
    column_list = ("username", "role", "must_change_password", "created_at")
    column_labels = {"username": lazy_pgettext("column: user", "用户名"), "role": lazy_gettext("角色"),
                     "must_change_password": lazy_gettext("须改密码"), "created_at": lazy_gettext("添加时间")}
    column_formatters = {"role": lambda _view, _context, model, _name: ROLE_NAMES[model.role]}
    column_type_formatters = {**ModelView.column_type_formatters, dt.datetime: lambda _view, value, _name: _moment(value),
                              bool: lambda _view, value, _name: _yes_no(value)}
    column_default_sort = "username"
    column_searchable_list = ("username",)
    column_filters = (FilterEqual(User.role, lazy_gettext("角色"), options=_role_choices), "must_change_password",
                      "created_at")
    column_display_actions = True
    action_disallowed_list = ("delete",)  # one at a time, through the rules (and no inline-script checkboxes)
    can_view_details = False
    page_size = 50

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(User, db, **kwargs)

    def get_create_form(self) -> type[FlaskForm]:
        return NewUserForm

    def get_edit_form(self) -> type[FlaskForm]:
        return RoleForm

    def get_one(self, id: Any) -> User | None:
        # Only a number names a user ("x", "１" or "-1" would reach the database as they are, and a
        # number past 64 bits would overflow SQLite's integer: a 500, not "no such user").
        text = str(id)
        return db.session.get(User, int(text)) if text.isascii() and text.isdigit() and len(text) < 19 else None

    def create_model(self, form: Any) -> User | bool:
        try:
            user = create_user(form.username.data or "", form.role.data or "", form.password.data or "",
                               by=current_user.username)
        except UserError as error:
            form[error.field or "username"].errors = [str(error)]
            return False
        flash(gettext("已添加用户“%(name)s”。", name=user.username), "success")
        return user

    def update_model(self, form: Any, model: User) -> bool:
        try:
            change_role(current_user._get_current_object(), model, form.role.data or "")
        except UserError as error:
            form.role.errors = [str(error)]
            return False
        return True

    def delete_model(self, model: User) -> bool:
        try:
            delete_user(current_user._get_current_object(), model)
        except UserError as error:
            flash(str(error), "error")
            return False
        return True

    @expose("/reset/", methods=("POST",))
    def reset_view(self) -> Response:
        """An admin's reset: the temporary password is shown once, in the message after the redirect."""
        target = self.get_one(request.form.get("id", ""))
        back = self.get_url(".index_view")
        if target is None:
            flash(gettext("没有这个用户。"), "error")
            return redirect(back)
        try:
            temporary = reset_password(target, by=current_user.username)
        except UserError as error:
            flash(str(error), "error")
            return redirect(back)
        flash(gettext("已重置“%(name)s”的密码。临时密码（只显示这一次，请当面或通过安全渠道告知）："
                      "%(password)s 。对方下次登录时必须设置新密码；其已有的登录均已退出。",
                      name=target.username, password=temporary), "success")
        return redirect(back)


class AuditView(Listing):
    role = "reviewer"
    list_template = "configurator/audit.html"
    can_create = can_edit = can_delete = can_view_details = False
    column_display_actions = False  # an entry is never changed: no column of row buttons
    can_export = True
    export_types = ("csv",)
    column_list = ("at", "username", "action", "target", "detail")
    column_labels = {"at": lazy_gettext("时间"), "username": lazy_pgettext("column: who acted", "用户"),
                     "action": lazy_pgettext("column: what was done", "操作"), "target": lazy_gettext("对象"),
                     "detail": lazy_gettext("说明")}
    column_type_formatters = {**ModelView.column_type_formatters, dt.datetime: lambda _view, value, _name: _moment(value)}
    column_type_formatters_export = {dt.datetime: lambda _view, value, _name: _moment(value)}
    column_default_sort = ("at", True)
    column_searchable_list = ("username", "action", "target", "detail")
    column_filters = ("at", "username", "action", "target")
    page_size = 100

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(AuditEntry, db, **kwargs)

    def get_export_value(self, model: AuditEntry, name: str) -> str:
        return spreadsheet_safe(super().get_export_value(model, name))

    def get_export_name(self, export_type: str = "csv") -> str:
        return f"audit-{dt.datetime.now(dt.UTC):%Y%m%d-%H%M%S}.{export_type}"

    @expose("/export/<export_type>/")
    def export(self, export_type: str) -> Response:
        answer: Response = super().export(export_type)
        if answer.mimetype == "text/csv":  # a byte order mark: spreadsheets then read the Chinese as UTF-8
            answer.response = itertools.chain(["\ufeff"], cast(Iterable[str], answer.response))
            answer.headers["Cache-Control"] = "no-store"  # who logged in from where: kept in no cache
        return answer
