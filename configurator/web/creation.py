"""Creating a bundle: from blank, from a template or as a copy, with the id suggested from the
Chinese name. The new file passes the check from its first save, so every later page can edit it."""

from __future__ import annotations

import re
from typing import Any

from flask import abort, flash, redirect, request, url_for
from flask_admin import expose
from flask_babel import gettext, ngettext
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from configurator.authoring.naming import suggest_id
from configurator.authoring.newbundle import TEMPLATES, Start, blank, copy
from configurator.diagnostics import has_errors
from configurator.web import language, store, working
from configurator.web.access import require
from configurator.web.bundle_pages import BundlePages, saved_message
from configurator.web.feedback import messages
from configurator.web.forms import named
from configurator.web.models import audit
from configurator.workspace.changes import ChangeError
from configurator.workspace.store import NotFound, SaveResult

_ID = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
DEFAULT_FALLBACK = "请到政务服务中心综合窗口咨询办理，工作人员会帮您确定需要办理的事项。"


class CreationPages(BundlePages):
    @expose("/new/", methods=("GET", "POST"))
    def create(self) -> str | Response:
        catalogues = working.catalogues()[1].catalogues  # with the departments added in the working context
        rows = store().summaries(working.current_change())
        taken = {r.id for r in rows}
        form = FlaskForm()
        values: dict[str, Any] = {"mode": request.args.get("mode", "blank"), "template": "legal_person",
                                  "copy_from": request.args.get("copy_from", ""), "service_object": "natural_person",
                                  "lead_department": "", "item_department": "", "promised": "5",
                                  "fallback_message": DEFAULT_FALLBACK, "name": "", "name_en": "", "bundle_id": "",
                                  "item_name": ""}
        errors: dict[str, str] = {}
        problems: list[Any] = []
        if request.method == "POST" and form.validate_on_submit():
            require("editor", "create")
            values.update({k: request.form.get(k, "").strip() for k in values})
            errors = self._validate(values, taken)
            if not errors:
                text = self._text(values)
                try:
                    result = store().create(values["bundle_id"], text, user=current_user.username,
                                            message=request.form.get("message", "").strip(),
                                            change=working.current_id())
                except FileExistsError:
                    errors["bundle_id"] = gettext("这个 id 已被使用，请换一个。")
                else:
                    working.remember(result.change)
                    if result.saved:
                        audit(current_user.username, "create", values["bundle_id"], values["name"])
                        warnings = [d for d in result.diagnostics if d.severity != "error"]
                        message = saved_message(result, gettext("新建一件事“%(name)s”", name=values["name"]))
                        if warnings:
                            message += ngettext("有 %(num)d 个提醒。", "有 %(num)d 个提醒。", len(warnings))
                        flash(message, "warning" if warnings else "success")
                        change = result.change.id if result.change else None
                        return redirect(url_for(".node", bundle_id=values["bundle_id"], change=change))
                    problems = [d for d in result.diagnostics if has_errors([d])]
        lang = language()
        return self.render("configurator/new.html", form=form, values=values, errors=errors,
                           problems=messages(problems), rows=rows, templates=TEMPLATES.values(),
                           departments=named((d.id, d.name.get(lang)) for d in catalogues.departments.values()),
                           error_count=len(errors) + len(problems))

    @expose("/<bundle_id>/retire/", methods=("GET", "POST"))
    def retire(self, bundle_id: str) -> str | Response:
        """Retiring a bundle: in a git workspace a change request deleting its file (published only
        after review); in a plain folder the file is removed. Asks first."""
        text, version, bundle, _ = self._bundle(bundle_id)
        name = bundle.name.get(language()) if bundle else bundle_id
        form = FlaskForm()
        if request.method == "POST" and form.validate_on_submit():
            require("editor", "retire")
            what = gettext("停用一件事“%(name)s”", name=name)
            changes = store().changes
            if store().git_mode and changes is not None:
                change_id, seen = store().seen_commit(bundle_id, request.form.get("version", version),
                                                      current_user.username, working.current_id())
                try:
                    outcome = changes.save(current_user.username, {f"bundles/{bundle_id}.yaml": None}, seen=seen,
                                           message=request.form.get("message", "").strip() or f"{bundle_id}: 停用",
                                           change_id=change_id or working.current_id(),
                                           title=f"停用“{bundle.name.get() if bundle else bundle_id}”")
                except ChangeError as error:
                    abort(error.status, error.text(language()))
                working.remember(outcome.change)
                audit(current_user.username, "retire", bundle_id, f"#{outcome.change.id}")
                result = SaveResult(outcome.saved, None, "", outcome.change, outcome.created)  # type: ignore[arg-type]
                flash(saved_message(result, what), "success")
                return redirect(url_for("changes.detail", change_id=outcome.change.id))
            store().path(bundle_id).unlink()
            audit(current_user.username, "retire", bundle_id, name)
            flash(saved_message(SaveResult(True, None, ""), what), "success")  # type: ignore[arg-type]
            return redirect(url_for(".index"))
        return self.render("configurator/retire.html", bundle_id=bundle_id, name=name, version=version, form=form,
                           git_mode=store().git_mode)

    def _validate(self, values: dict[str, Any], taken: set[str]) -> dict[str, str]:
        errors: dict[str, str] = {}
        if not values["name"]:
            errors["name"] = gettext("请填写名称，如 企业开办一件事。")
        if not values["bundle_id"] and values["name"]:
            values["bundle_id"] = suggest_id(values["name"], taken)
        if not _ID.match(values["bundle_id"] or ""):
            errors["bundle_id"] = gettext("id 须以小写字母开头，只含小写字母、数字和下划线。")
        elif values["bundle_id"] in taken or values["bundle_id"] == "new":
            errors["bundle_id"] = gettext("这个 id 已被使用，请换一个。")
        if values["mode"] == "copy":
            if values["copy_from"] not in taken:
                errors["copy_from"] = gettext("请选择要复制的一件事。")
            return errors
        for key in ("lead_department", "item_department"):
            if values[key] not in working.catalogues()[1].catalogues.departments:
                errors[key] = gettext("请选择部门。")
        if not values["item_name"]:
            errors["item_name"] = gettext("请填写第一个联办事项的名称（以后可以添加更多）。")
        if not values["promised"].isdigit():
            errors["promised"] = gettext("请填写不小于 0 的整数。")
        if not values["fallback_message"]:
            errors["fallback_message"] = gettext("请填写兜底说明。")
        if values["mode"] == "template" and values["template"] not in TEMPLATES:
            errors["template"] = gettext("请选择模板。")
        return errors

    def _text(self, values: dict[str, Any]) -> str:
        if values["mode"] == "copy":
            try:
                source, _ = store().read(values["copy_from"], current_user.username, working.current_id())
            except NotFound:
                source = ""
            return copy(source, values["bundle_id"], values["name"])
        template = TEMPLATES[values["template"]] if values["mode"] == "template" else None
        start = Start(values["bundle_id"], values["name"], values["name_en"],
                      template.service_object if template else values["service_object"], values["lead_department"],
                      suggest_id(values["item_name"]), values["item_name"], values["item_department"],
                      int(values["promised"]), values["fallback_message"])
        return blank(start, template.id if template else None)
