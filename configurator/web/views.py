"""Admin pages. Each save: form → edits of the YAML text → check → atomic write, or the form
again with every problem beside its field and the user's input kept."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from flask import abort, flash, redirect, request, url_for
from flask_admin import Admin, AdminIndexView, BaseView, expose
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import IntegerField, SelectChoice, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..build import render_compiled
from ..compiled import Compiled
from ..diagnostics import Diagnostic, has_errors
from ..edits import AppendEntry, DeleteEntry, DeleteKey, Edit, EditError, SetValue, apply_edit, apply_edits
from ..explain import explanation
from ..model import Bundle
from ..pipeline import check_catalogues
from ..plan import parse_answer
from ..store import Conflict, NotFound, atomic_write
from . import language, store
from .auth import UserError, create_user
from .diagram import routing_svg
from .models import ROLE_NAMES, ROLES, AuditEntry, User, audit, db


class Protected:
    """Every admin page needs a login; ``role`` is what it takes to use it at all."""

    role = "viewer"

    def is_accessible(self) -> bool:
        return bool(current_user.is_authenticated and current_user.can(self.role))

    def inaccessible_callback(self, name: str, **kwargs: Any) -> Response:
        if current_user.is_authenticated:
            abort(403, "您的角色没有权限打开这个页面。")
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def require(role: str) -> None:
    if not current_user.can(role):
        abort(403, f"需要“{ROLE_NAMES[role]}”或以上的角色才能保存。")


class HomeView(Protected, AdminIndexView):
    @expose("/")
    def index(self) -> str:
        rows = store().summaries()
        return self.render("configurator/home.html", rows=rows,
                           errors=sum(1 for r in rows if r.errors), items=sum(r.items for r in rows))


def _messages(diagnostics: list[Diagnostic]) -> list[dict[str, Any]]:
    lang = language()
    return [{"line": d.line, "column": d.column, "code": d.code, "severity": str(d.severity),
             "message": d.message(lang), "fix": d.fix(lang), "path": d.path} for d in diagnostics]


# --------------------------------------------------------------------------- structured forms


class Checkboxes(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ItemForm(FlaskForm):
    version = StringField()
    name = StringField("事项名称")
    code = StringField("事项编码", validators=[Optional()])
    department = SelectField("办理部门")
    promised = IntegerField("承诺时限（工作日）", validators=[NumberRange(min=0, message="不能为负数")])
    statutory = IntegerField("法定时限（工作日）", validators=[Optional(), NumberRange(min=0, message="不能为负数")])
    visits = IntegerField("单独办理时到现场次数", validators=[NumberRange(min=0, message="不能为负数")])
    steps = IntegerField("单独办理时的环节数", validators=[NumberRange(min=1, message="至少 1 个")])
    when = StringField("何时办理（条件，留空为所有情形）", validators=[Optional()])
    fields = Checkboxes("需要的字段", validate_choice=False)
    materials = Checkboxes("需要的材料", validate_choice=False)
    after = TextAreaField("必须在哪些事项之后（每行：事项 id：理由；使用前面事项产出的材料时无需填写）",
                          validators=[Optional()])


def parse_after(text: str) -> list[dict[str, str]]:
    """"item_id：reason" lines (either colon) → after entries."""
    entries = []
    for line in text.splitlines():
        if not line.strip():
            continue
        item, _, reason = line.replace("：", ":").partition(":")
        entries.append({"item": item.strip(), "reason": reason.strip()})
    return entries


# Where a diagnostic's path points in the item form.
ITEM_PATHS = {("name",): "name", ("code",): "code", ("department",): "department",
              ("time_limit", "promised"): "promised", ("time_limit", "statutory"): "statutory",
              ("time_limit",): "promised", ("visits",): "visits", ("steps",): "steps", ("when",): "when",
              ("fields",): "fields", ("materials",): "materials", ("after",): "after"}


SOURCE_CHOICES = [SelectChoice(value, label) for value, label in (
    ("applicant", "申请人提交"),
    ("shared", "数据共享/电子证照（免提交）"),
    ("produced", "前面事项产出（免提交）"),
    ("generated", "系统生成（免提交）"),
)]

FORM_CHOICES = [SelectChoice(value, label) for value, label in (
    ("", "（不限）"),
    ("original", "原件"),
    ("copy", "复印件"),
    ("electronic", "电子文件"),
    ("original_and_copy", "原件和复印件"),
)]

REQUIREMENT_CHOICES = [SelectChoice(value, label) for value, label in (
    ("required", "必需"),
    ("optional", "可选"),
    ("deferrable", "容缺"),
)]


class MaterialForm(FlaskForm):
    version = StringField()
    id = StringField("材料 id（小写字母、数字、下划线）")
    material = SelectField("材料目录中的材料")
    name = StringField("本一件事中的名称（可选）", validators=[Optional()])
    source = SelectField("来源", choices=SOURCE_CHOICES)
    shared_from = SelectField("共享部门（来源为共享时）", validators=[Optional()])
    produced_by = SelectField("产出事项（来源为产出时）", validators=[Optional()])
    form = SelectField("形式", choices=FORM_CHOICES, validators=[Optional()])
    count = IntegerField("份数", default=1, validators=[NumberRange(min=1, message="至少 1 份")])
    requirement = SelectField("要求", choices=REQUIREMENT_CHOICES)
    when = StringField("何时需要（条件，留空为所有情形）", validators=[Optional()])
    used_by = Checkboxes("由哪些事项使用", validate_choice=False)


MATERIAL_PATHS: dict[tuple[str, ...], str] = {(key,): key for key in ("id", "material", "name", "source", "shared_from", "produced_by",
                                          "form", "count", "requirement", "when")}


def _place_errors(form: FlaskForm, diagnostics: list[Diagnostic], prefix: tuple[Any, ...],
                  paths: dict[tuple[str, ...], str]) -> list[Diagnostic]:
    """Put each diagnostic beside the form field it concerns; return the ones that fit nowhere."""
    rest = []
    lang = language()
    for diagnostic in diagnostics:
        if diagnostic.severity != "error":
            continue
        placed = False
        if diagnostic.path[:len(prefix)] == prefix:
            tail = diagnostic.path[len(prefix):]
            for length in range(len(tail), 0, -1):
                key = tuple(str(p) for p in tail[:length])
                if key in paths:
                    field = form[paths[key]]
                    field.errors = [*field.errors, f"{diagnostic.message(lang)} — {diagnostic.fix(lang)}"]
                    placed = True
                    break
        if not placed:
            rest.append(diagnostic)
    return rest


class BundlesView(Protected, BaseView):
    def _bundle(self, bundle_id: str) -> tuple[str, str, Bundle | None, list[Diagnostic]]:
        try:
            text, version = store().read(bundle_id, current_user.username)
        except NotFound:
            abort(404, f"没有一件事“{bundle_id}”。")
        result = store().check(bundle_id, text)
        return text, version, result.bundle, result.diagnostics

    def _editable(self, bundle_id: str) -> tuple[str, str, Bundle]:
        """Text, version and model of a bundle that has no errors; otherwise off to its source."""
        text, version, bundle, _ = self._bundle(bundle_id)
        if bundle is None:
            flash("这个一件事还有错误，请先在“源文件”中改正。", "error")
            abort(redirect(url_for(".source", bundle_id=bundle_id)))
        return text, version, bundle

    @expose("/")
    def index(self) -> str:
        rows = store().summaries()
        query = request.args.get("q", "").strip().lower()
        lead = request.args.get("lead", "")
        validity = request.args.get("validity", "")
        if query:
            rows = [r for r in rows if query in r.id.lower() or query in r.name.lower()]
        if lead:
            rows = [r for r in rows if r.lead_department == lead]
        if validity == "errors":
            rows = [r for r in rows if r.errors]
        elif validity == "ok":
            rows = [r for r in rows if not r.errors]
        departments = store().catalogues().departments
        return self.render("configurator/bundles.html", rows=rows, departments=departments, query=query,
                           lead=lead, validity=validity,
                           when=lambda ts: dt.datetime.fromtimestamp(ts).strftime("%Y-%m-%d %H:%M"))

    @expose("/<bundle_id>/")
    def overview(self, bundle_id: str) -> str:
        text, version, bundle, diagnostics = self._bundle(bundle_id)
        catalogues = store().catalogues()
        return self.render("configurator/bundle.html", bundle_id=bundle_id, bundle=bundle,
                           problems=_messages(diagnostics), catalogues=catalogues,
                           department_name=lambda d: catalogues.departments[d].name.get(language())
                           if d in catalogues.departments else d)

    # ---- items

    def _item_form(self, bundle: Bundle, index: int) -> ItemForm:
        catalogues = store().catalogues()
        form = ItemForm()
        form.department.choices = [SelectChoice(d.id, f"{d.name.get(language())}（{d.id}）") for d in catalogues.departments.values()]
        compiled = Compiled(bundle, catalogues, language())
        form.fields.choices = [SelectChoice(f.id, f"{compiled.text(compiled.fields[f.id].label)}（{f.id}）") for f in bundle.fields]
        form.materials.choices = [SelectChoice(m.id, f"{compiled.material_name(m)}（{m.id}）") for m in bundle.materials]
        return form

    @expose("/<bundle_id>/items/<int:index>/", methods=("GET", "POST"))
    def item(self, bundle_id: str, index: int) -> str | Response:
        text, version, bundle = self._editable(bundle_id)
        if not 0 <= index < len(bundle.items):
            abort(404, "没有这个事项。")
        item = bundle.items[index]
        form = self._item_form(bundle, index)
        problems: list[Diagnostic] = []
        conflict = None
        if request.method == "GET":
            form.version.data = version
            form.name.data = item.name.get()
            form.code.data = item.code or ""
            form.department.data = item.department
            form.promised.data = item.promised_days
            form.statutory.data = item.statutory_days
            form.visits.data = item.visits
            form.steps.data = item.steps
            form.when.data = item.when.text if item.when else ""
            form.fields.data = list(item.fields)
            form.materials.data = list(item.materials)
            form.after.data = "\n".join(f"{a.item}：{a.reason.get()}" for a in item.after)
        elif form.validate_on_submit():
            require("editor")
            base = ("items", index)
            name = form.name.data.strip()
            # Only what changed becomes an edit: each edit re-reads the file, and a form saved
            # without changes must leave it untouched anyway.
            name_path: tuple[Any, ...] = base + ("name", "zh-CN")
            if name != item.name.get() and len(item.name.translations) == 1 and isinstance(_raw(text, base + ("name",)), str):
                name_path = base + ("name",)  # written as plain text, not as {zh-CN: ...}
            changes: list[tuple[Any, Any, Edit]] = [
                (name, item.name.get(), SetValue(name_path, name)),
                (form.department.data, item.department, SetValue(base + ("department",), form.department.data)),
                (form.promised.data, item.promised_days, SetValue(base + ("time_limit", "promised"), form.promised.data)),
                (form.visits.data, item.visits, SetValue(base + ("visits",), form.visits.data)),
                (form.steps.data, item.steps, SetValue(base + ("steps",), form.steps.data)),
                ((form.code.data or "").strip() or None, item.code,
                 _set_or_delete(base + ("code",), (form.code.data or "").strip())),
                (form.statutory.data, item.statutory_days, _set_or_delete(base + ("time_limit", "statutory"), form.statutory.data)),
                ((form.when.data or "").strip() or None, item.when.text if item.when else None,
                 _set_or_delete(base + ("when",), (form.when.data or "").strip())),
                (_ordered(form.fields.data, item.fields), list(item.fields),
                 _set_or_delete(base + ("fields",), _ordered(form.fields.data, item.fields))),
                (_ordered(form.materials.data, item.materials), list(item.materials),
                 _set_or_delete(base + ("materials",), _ordered(form.materials.data, item.materials))),
                (parse_after(form.after.data or ""), [{"item": a.item, "reason": a.reason.get()} for a in item.after],
                 _set_or_delete(base + ("after",), parse_after(form.after.data or ""))),
            ]
            edits: list[Edit] = [edit for new, old, edit in changes if new != old]
            outcome = self._save(bundle_id, text, form.version.data, edits, f"事项 {item.id}")
            if isinstance(outcome, Response):
                return outcome
            problems, conflict = outcome
            problems = _place_errors(form, problems, base, ITEM_PATHS)
        return self.render("configurator/item.html", bundle_id=bundle_id, bundle=bundle, item=item, index=index,
                           form=form, problems=_messages(problems), conflict=conflict)

    # ---- materials

    def _material_form(self, bundle: Bundle) -> MaterialForm:
        catalogues = store().catalogues()
        form = MaterialForm()
        form.material.choices = [SelectChoice(m.id, f"{m.name.get(language())}（{m.id}）") for m in catalogues.materials.values()]
        departments = catalogues.departments.values()
        form.shared_from.choices = [SelectChoice("", "—")] + [SelectChoice(d.id, d.name.get(language())) for d in departments]
        form.produced_by.choices = [SelectChoice("", "—")] + [SelectChoice(i.id, i.name.get(language())) for i in bundle.items]
        form.used_by.choices = [SelectChoice(i.id, i.name.get(language())) for i in bundle.items]
        return form

    @expose("/<bundle_id>/materials/new/", methods=("GET", "POST"))
    def new_material(self, bundle_id: str) -> str | Response:
        text, version, bundle = self._editable(bundle_id)
        form = self._material_form(bundle)
        problems: list[Diagnostic] = []
        conflict = None
        if request.method == "GET":
            form.version.data = version
        elif form.validate_on_submit():
            require("editor")
            entry: dict[str, Any] = {"id": form.id.data.strip(), "material": form.material.data}
            if entry["id"] == entry["material"]:
                del entry["material"]
            for key in ("name", "source", "shared_from", "produced_by", "form", "requirement", "when"):
                value = (getattr(form, key).data or "").strip()
                if value and not (key == "requirement" and value == "required"):
                    entry[key] = value
            if form.count.data and form.count.data != 1:
                entry["count"] = form.count.data
            edits: list[Edit] = [AppendEntry(("materials",), entry)]
            for item_index, item in enumerate(bundle.items):
                if item.id in (form.used_by.data or []):
                    edits.append(AppendEntry(("items", item_index, "materials"), entry["id"]))
            outcome = self._save(bundle_id, text, form.version.data, edits, f"新增材料 {entry['id']}")
            if isinstance(outcome, Response):
                return outcome
            problems, conflict = outcome
            problems = _place_errors(form, problems, ("materials", len(bundle.materials)), MATERIAL_PATHS)
        return self.render("configurator/material.html", bundle_id=bundle_id, bundle=bundle, form=form,
                           problems=_messages(problems), conflict=conflict)

    # ---- simple sections

    @expose("/<bundle_id>/section/<section>/", methods=("GET", "POST"))
    def section(self, bundle_id: str, section: str) -> str | Response:
        if section not in SECTIONS:
            abort(404, "没有这个部分。")
        spec = SECTIONS[section]
        text, version, bundle = self._editable(bundle_id)
        from ..loader import load_yaml

        data = load_yaml(text.encode("utf-8"), "x").data
        entries = [data] if spec.get("single") else list(data.get(section, []))
        prefix: tuple[Any, ...] = () if spec.get("single") else (section,)
        form = FlaskForm()
        submitted: dict[str, Any] = {}
        problems: list[Diagnostic] = []
        conflict = None
        if request.method == "POST" and form.validate_on_submit():
            require("editor")
            edits: list[Edit] = []
            for index, entry in enumerate(entries):
                base = prefix if spec.get("single") else prefix + (index,)
                for key, _, kind in spec["keys"]:
                    name = f"{index}-{key}"
                    value = request.form.getlist(name) if kind.startswith("multi:") else request.form.get(name, "")
                    submitted[name] = value
                    edit = _section_edit(base + (key,), kind, value, entry.get(key))
                    if edit is not None:
                        edits.append(edit)
            new_entry = {key: request.form.get(f"new-{key}", "").strip() for key, _, _ in spec.get("new", [])}
            submitted.update({f"new-{k}": v for k, v in new_entry.items()})
            if any(new_entry.values()):
                edits.append(AppendEntry((section,), {k: v for k, v in new_entry.items() if v}))
            outcome = self._save(bundle_id, text, request.form.get("version", ""), edits, spec["title"])
            if isinstance(outcome, Response):
                return outcome
            problems, conflict = outcome
        catalogues = store().catalogues()
        sources = {"departments": [(d.id, d.name.get(language())) for d in catalogues.departments.values()],
                   "fields": [(f.id, f"{f.label.get(language())}（{f.id}）") for f in catalogues.fields.values()]}
        placed: dict[str, list[str]] = {}
        rest = []
        for diagnostic in problems:
            path = diagnostic.path[len(prefix):]
            if spec.get("single") and path:
                placed.setdefault(f"0-{path[0]}", []).append(f"{diagnostic.message(language())} — {diagnostic.fix(language())}")
            elif len(path) >= 2 and isinstance(path[0], int):
                placed.setdefault(f"{path[0]}-{path[1]}", []).append(f"{diagnostic.message(language())} — {diagnostic.fix(language())}")
            elif len(path) >= 2 and path[0] == len(entries):
                placed.setdefault(f"new-{path[1]}", []).append(f"{diagnostic.message(language())} — {diagnostic.fix(language())}")
            else:
                rest.append(diagnostic)
        return self.render("configurator/section.html", bundle_id=bundle_id, bundle=bundle, spec=spec,
                           section=section, entries=entries, values=_section_value, submitted=submitted,
                           posted=request.method == "POST", sources=sources, placed=placed, version=version,
                           problems=_messages(rest), conflict=conflict, form=form)

    @expose("/<bundle_id>/materials/<int:index>/", methods=("GET", "POST"))
    def material(self, bundle_id: str, index: int) -> str | Response:
        text, version, bundle = self._editable(bundle_id)
        if not 0 <= index < len(bundle.materials):
            abort(404, "没有这份材料。")
        material = bundle.materials[index]
        form = self._material_form(bundle)
        del form.used_by  # which items use it is edited on each item's page
        current = {"id": material.id, "material": material.catalogue_id,
                   "name": material.name.get() if material.name else "", "source": material.source,
                   "shared_from": material.shared_from or "", "produced_by": ",".join(material.produced_by),
                   "form": material.form or "", "requirement": material.requirement,
                   "when": material.when.text if material.when else ""}
        problems: list[Diagnostic] = []
        conflict = None
        if request.method == "GET":
            form.version.data = version
            for key, value in current.items():
                if key == "produced_by":
                    value = material.produced_by[0] if len(material.produced_by) == 1 else ""
                form[key].data = value
            form.count.data = material.count
        elif form.validate_on_submit():
            require("editor")
            base = ("materials", index)
            edits: list[Edit] = []
            for key in ("material", "name", "source", "shared_from", "produced_by", "form", "requirement", "when"):
                new = (form[key].data or "").strip()
                if key == "produced_by" and len(material.produced_by) > 1 and not new:
                    continue  # several alternative producers are edited in the source view
                if key == "material" and new == material.id and material.catalogue_id == material.id:
                    continue
                if new != current[key]:
                    default = key == "requirement" and new == "required"
                    edits.append(DeleteKey(base + (key,)) if not new or default else SetValue(base + (key,), new))
            if form.count.data != material.count:
                edits.append(DeleteKey(base + ("count",)) if form.count.data == 1 else SetValue(base + ("count",), form.count.data))
            outcome = self._save(bundle_id, text, form.version.data, edits, f"材料 {material.id}")
            if isinstance(outcome, Response):
                return outcome
            problems, conflict = outcome
            problems = _place_errors(form, problems, ("materials", index), MATERIAL_PATHS)
        return self.render("configurator/material.html", bundle_id=bundle_id, bundle=bundle, form=form,
                           problems=_messages(problems), conflict=conflict, editing=material.id)

    # ---- history (git workspaces)

    @expose("/<bundle_id>/history/", methods=("GET", "POST"))
    def history(self, bundle_id: str) -> str | Response:
        from .. import drafts as git_drafts
        from ..gitrepo import GitError
        from ..loader import load_yaml
        from ..semdiff import diff_data

        self._bundle(bundle_id)  # 404 for an unknown bundle
        form = FlaskForm()
        if not store().git_mode:
            return self.render("configurator/history.html", bundle_id=bundle_id, enabled=False, commits=[],
                               shown=None, changes=[], form=form)
        repo = store().workspace.root
        path = f"bundles/{bundle_id}.yaml"
        if request.method == "POST" and form.validate_on_submit():
            require("editor")
            try:
                git_drafts.revert(repo, bundle_id, request.form.get("commit", ""), user=current_user.username,
                                  email=f"{current_user.username}@localhost")
            except GitError as error:
                abort(400, f"无法恢复：{error}")
            audit(current_user.username, "revert", bundle_id, request.form.get("commit", ""))
            flash("已把这个版本存入您的草稿，等待审核发布。", "success")
            return redirect(url_for(".history", bundle_id=bundle_id))
        commits = git_drafts.history(repo, bundle_id)
        shown, changes = None, []
        chosen = request.args.get("commit")
        if chosen and chosen in {c.id for c in commits}:
            old = git_drafts.read_file(repo, chosen, path) or b""
            new = git_drafts.read_file(repo, git_drafts.MAIN, path) or b""
            shown = {"commit": chosen, "text": old.decode("utf-8", "replace")}
            old_data, new_data = load_yaml(old, "old").data, load_yaml(new, "new").data
            if isinstance(old_data, dict) and isinstance(new_data, dict):
                changes = [c.text() for c in diff_data(bundle_id, old_data, new_data)]
        return self.render("configurator/history.html", bundle_id=bundle_id, enabled=True, commits=commits,
                           shown=shown, changes=changes, form=form)

    # ---- source

    @expose("/<bundle_id>/source/", methods=("GET", "POST"))
    def source(self, bundle_id: str) -> str | Response:
        text, version, _, diagnostics = self._bundle(bundle_id)
        conflict = None
        if request.method == "POST":
            require("editor")
            submitted = request.form.get("text", "").replace("\r\n", "\n")
            try:
                result = store().save(bundle_id, submitted, request.form.get("version", ""),
                                      user=current_user.username, message=request.form.get("message", "").strip())
            except Conflict as found:
                conflict = found
                text, diagnostics = submitted, store().check(bundle_id, submitted).diagnostics
            else:
                if result.saved:
                    audit(current_user.username, "save", bundle_id, "源文件")
                    flash("已保存。", "success")
                    return redirect(url_for(".source", bundle_id=bundle_id))
                if not has_errors(result.diagnostics):
                    flash("没有改动，文件未写入。", "info")
                text, version, diagnostics = submitted, result.version, result.diagnostics
        return self.render("configurator/source.html", bundle_id=bundle_id, text=text, version=version,
                           problems=_messages(diagnostics), conflict=conflict)

    def _save(self, bundle_id: str, text: str, version: str, edits: list[Edit], what: str
              ) -> Response | tuple[list[Diagnostic], Conflict | None]:
        try:
            new_text = apply_edits(text, edits)
        except EditError as error:
            abort(400, f"无法修改：{error}")
        try:
            result = store().save(bundle_id, new_text, version, user=current_user.username,
                                  message=request.form.get("message", "").strip())
        except Conflict as conflict:
            return store().check(bundle_id, new_text).diagnostics, conflict
        if result.saved:
            audit(current_user.username, "save", bundle_id, what)
            flash(f"已保存：{what}。" + ("已存入您的草稿，等待审核发布。" if store().git_mode else ""), "success")
            return redirect(request.path)
        if not has_errors(result.diagnostics):
            flash("没有改动，文件未写入。", "info")
            return redirect(request.path)
        return result.diagnostics, None

    # ---- preview and simulator

    @expose("/<bundle_id>/preview/")
    def preview(self, bundle_id: str) -> str | Response:
        text, version, bundle, diagnostics = self._bundle(bundle_id)
        revision = request.args.get("ref", "").strip()
        if revision and store().git_mode:  # e.g. ?ref=main: what portals get
            from ..drafts import read_file

            data = read_file(store().workspace.root, revision, f"bundles/{bundle_id}.yaml")
            if data is None:
                abort(404, f"版本“{revision}”中没有这个一件事。")
            result = store().check(bundle_id, data.decode("utf-8", "replace"))
            bundle, diagnostics = result.bundle, result.diagnostics
        if bundle is None:
            return self.render("configurator/preview.html", bundle_id=bundle_id, bundle=None,
                               problems=_messages(diagnostics))
        compiled = Compiled(bundle, store().catalogues(), language())
        artifacts = render_compiled(compiled)
        return self.render("configurator/preview.html", bundle_id=bundle_id, bundle=bundle, problems=[],
                           artifacts=artifacts, figures=json.loads(artifacts["metrics.json"])["overall"],
                           diagram=routing_svg(compiled))

    @expose("/<bundle_id>/simulate/", methods=("GET", "POST"))
    def simulate(self, bundle_id: str) -> str | Response:
        text, version, bundle, diagnostics = self._bundle(bundle_id)
        if bundle is None:
            return redirect(url_for(".preview", bundle_id=bundle_id))
        compiled = Compiled(bundle, store().catalogues(), language())
        answers: dict[str, Any] = {}
        errors: dict[str, str] = {}
        result = None
        if request.method == "POST":
            for situation in bundle.situations:
                if situation.type == "multi_choice":
                    raw = ",".join(request.form.getlist(situation.id))
                else:
                    raw = request.form.get(situation.id, "")
                if raw.strip() == "":
                    continue
                try:
                    answers[situation.id] = parse_answer(situation, raw)
                except ValueError as error:
                    errors[situation.id] = str(error)
            if not errors:
                result = explanation(compiled, answers)
        return self.render("configurator/simulate.html", bundle_id=bundle_id, bundle=bundle, compiled=compiled,
                           answers=answers, errors=errors, result=result, form=FlaskForm())


# Sections edited in simple forms: per entry, the keys shown and how each is typed.
# kind: text (a Text value, zh-CN edited), str, int, bool, condition, select:<source>, multi:<source>
SECTIONS: dict[str, dict[str, Any]] = {
    "identity": {"title": "基本信息和部门", "single": True, "keys": [
        ("name", "名称", "text"), ("summary", "一句话说明", "text"), ("version", "版本", "str"),
        ("lead_department", "牵头部门", "select:departments"),
        ("cooperating_departments", "配合部门", "multi:departments"), ("visits", "整件事到现场次数", "int")]},
    "situations": {"title": "情形问题", "keys": [
        ("label", "问题", "text"), ("help", "说明", "text"), ("when", "何时问（条件）", "condition")],
        "new": [("id", "id", "str"), ("label", "问题", "text"),
                ("type", "回答类型（boolean / number / date；单选多选请在源文件中写选项）", "str")]},
    "eligibility": {"title": "受理条件", "keys": [
        ("require", "必须成立的条件", "condition"), ("message", "不成立时告诉申请人", "text")],
        "new": [("id", "id", "str"), ("require", "必须成立的条件", "condition"), ("message", "不成立时告诉申请人", "text")]},
    "fields": {"title": "一表申请的字段", "keys": [
        ("label", "名称", "text"), ("required", "必填", "bool"), ("when", "何时填写（条件）", "condition")],
        "new": [("id", "id", "str"), ("field", "字段目录中的 id", "select:fields"), ("label", "名称", "text")]},
}


def _section_value(raw: Any, kind: str) -> str | list[str] | bool:
    if kind == "text":
        return raw.get("zh-CN", "") if isinstance(raw, dict) else ("" if raw is None else str(raw))
    if kind == "bool":
        return raw is not False
    if kind.startswith("multi:"):
        return list(raw or [])
    return "" if raw is None else str(raw)


def _section_edit(path: tuple[Any, ...], kind: str, submitted: Any, current: Any) -> Edit | None:
    """The edit for one submitted value, or None when it did not change."""
    if kind == "text" and isinstance(current, dict):
        path, current = path + ("zh-CN",), current.get("zh-CN")
    if kind == "bool":
        value: Any = bool(submitted)
        return None if (current is not False) == value else (DeleteKey(path) if value else SetValue(path, False))
    if kind == "int":
        text = str(submitted).strip()
        if text == "":
            return None if current is None else DeleteKey(path)
        value = int(text) if text.lstrip("-").isdigit() else text
        return None if value == current else SetValue(path, value)
    if kind.startswith("multi:"):
        value = list(submitted)
        return None if value == list(current or []) else _set_or_delete(path, value)
    value = str(submitted).strip()
    if kind == "str" and path[-1] == "version" and value.isdigit():
        value = int(value)
    if value == ("" if current is None else current) or (str(value) == str(current) and current is not None):
        return None
    return _set_or_delete(path, value)


def _raw(text: str, path: tuple[Any, ...]) -> Any:
    from ..loader import load_yaml

    data: Any = load_yaml(text.encode("utf-8"), "x").data
    for part in path:
        data = data[part] if isinstance(data, (dict, list)) else None
    return data


def _set_or_delete(path: tuple[Any, ...], value: Any) -> Edit:
    return DeleteKey(path) if value in ("", None, []) else SetValue(path, value)


def _ordered(chosen: list[str] | None, before: tuple[str, ...]) -> list[str]:
    """Keep the file's order for entries already there; new ones go at the end."""
    chosen = list(chosen or [])
    return [x for x in before if x in chosen] + [x for x in chosen if x not in before]


# ------------------------------------------------------------------------------- catalogues


class CataloguesView(Protected, BaseView):
    @expose("/")
    def index(self) -> str:
        check = store().catalogue_check()
        usage = _catalogue_usage()
        return self.render("configurator/catalogues.html", catalogues=check.catalogues,
                           problems=_messages(check.diagnostics), usage=usage, form=FlaskForm())

    @expose("/new/<kind>/", methods=("POST",))
    def new(self, kind: str) -> Response:
        require("editor")
        if kind not in ("departments", "materials", "fields"):
            abort(404)
        entry: dict[str, Any] = {"id": request.form.get("id", "").strip()}
        entry["label" if kind == "fields" else "name"] = request.form.get("label", "").strip()
        if kind == "fields":
            entry["type"] = request.form.get("type", "text")
        files = {p.name: p for p in store().workspace.catalogue_files()}
        path = files.get(f"{kind}.yaml") or store().workspace.catalogues_dir / f"{kind}.yaml"
        text = path.read_text(encoding="utf-8") if path.exists() else f"{kind}: []\n"
        new_text = apply_edit(text, AppendEntry((kind,), entry))
        others = [(p.name, p.read_bytes()) for p in files.values() if p != path]
        check = check_catalogues([*others, (path.name, new_text.encode("utf-8"))])
        problems = [d for d in check.diagnostics if d.file == path.name and d.severity == "error"]
        if problems:
            flash("没有添加：" + "；".join(f"{d.message(language())} — {d.fix(language())}" for d in problems), "error")
        else:
            atomic_write(path, new_text)
            audit(current_user.username, "add", f"{kind}/{entry['id']}")
            flash(f"已添加“{entry['id']}”。", "success")
        return redirect(url_for(".index"))

    @expose("/edit/<kind>/<entry_id>/", methods=("GET", "POST"))
    def edit(self, kind: str, entry_id: str) -> str | Response:
        if kind not in ("departments", "materials", "fields"):
            abort(404)
        entry = getattr(store().catalogue_check().catalogues, kind).get(entry_id)
        if entry is None:
            abort(404, f"目录中没有“{entry_id}”。")
        label_key = "label" if kind == "fields" else "name"
        path = store().workspace.catalogues_dir / Path(entry.file).name
        form = FlaskForm()
        values = {"id": entry.id, "label": getattr(entry, label_key).get()}
        problems: list[Diagnostic] = []
        if request.method == "POST" and form.validate_on_submit():
            require("editor")
            values = {"id": request.form.get("id", "").strip(), "label": request.form.get("label", "").strip()}
            users = _catalogue_usage().get((kind, entry_id), [])
            if values["id"] != entry_id and users:
                flash(f"不能把“{entry_id}”改名：仍被这些一件事使用：{', '.join(users)}。"
                      "请先在这些一件事中改用新 id，或新建一个条目。", "error")
            else:
                text = path.read_text(encoding="utf-8")
                current = _raw(text, entry.path + (label_key,))
                label_path = entry.path + (label_key, "zh-CN") if isinstance(current, dict) else entry.path + (label_key,)
                new_text = apply_edits(text, [SetValue(entry.path + ("id",), values["id"]), SetValue(label_path, values["label"])])
                others = [(p.name, p.read_bytes()) for p in store().workspace.catalogue_files() if p != path]
                check = check_catalogues([*others, (path.name, new_text.encode("utf-8"))])
                problems = [d for d in check.diagnostics if d.file == path.name and d.severity == "error"]
                if not problems:
                    if new_text != text:
                        atomic_write(path, new_text)
                        audit(current_user.username, "edit", f"{kind}/{entry_id}", f"{values['id']} {values['label']}")
                        flash("已保存。", "success")
                    return redirect(url_for(".index"))
        return self.render("configurator/catalogue_entry.html", kind=kind, entry_id=entry_id, values=values,
                           problems=_messages(problems), form=form)

    @expose("/delete/<kind>/<entry_id>/", methods=("POST",))
    def delete(self, kind: str, entry_id: str) -> Response:
        require("editor")
        if kind not in ("departments", "materials", "fields"):
            abort(404)
        users = _catalogue_usage().get((kind, entry_id), [])
        if users:
            flash(f"不能删除“{entry_id}”：仍被这些一件事使用：{', '.join(users)}。请先在这些一件事中改用其他条目。", "error")
            return redirect(url_for(".index"))
        catalogues = store().catalogue_check().catalogues
        entry = getattr(catalogues, kind).get(entry_id)
        if entry is None:
            abort(404)
        path = store().workspace.catalogues_dir / Path(entry.file).name
        text = path.read_text(encoding="utf-8")
        atomic_write(path, apply_edit(text, DeleteEntry(entry.path)))
        audit(current_user.username, "delete", f"{kind}/{entry_id}")
        flash(f"已删除“{entry_id}”。", "success")
        return redirect(url_for(".index"))


def _catalogue_usage() -> dict[tuple[str, str], list[str]]:
    """Which bundles use each catalogue entry (deleting an entry in use is refused)."""
    usage: dict[tuple[str, str], list[str]] = {}
    for summary in store().summaries():
        bundle, _ = store().model(summary.id)
        if bundle is None:
            continue
        refs = {("departments", bundle.lead_department), ("departments", bundle.fallback.department)}
        refs |= {("departments", d) for d in bundle.cooperating_departments}
        refs |= {("departments", i.department) for i in bundle.items}
        refs |= {("departments", s.owner) for s in bundle.steps}
        refs |= {("departments", m.shared_from) for m in bundle.materials if m.shared_from}
        refs |= {("materials", m.catalogue_id) for m in bundle.materials}
        refs |= {("materials", r) for i in bundle.items if i.result for r in i.result.materials}
        refs |= {("fields", f.catalogue_id) for f in bundle.fields}
        for ref in refs:
            usage.setdefault(ref, []).append(bundle.id)
    return usage


# ------------------------------------------------------------------------------------ users


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
                    flash(f"已添加用户“{user.username}”。", "success")
            elif action == "delete":
                target = db.session.get(User, int(request.form.get("user_id", "0") or 0))
                if target is None:
                    abort(400, "没有这个用户。")
                if target.id == current_user.id:
                    flash("不能删除自己。", "error")
                else:
                    db.session.delete(target)
                    db.session.commit()
                    audit(current_user.username, "delete-user", target.username)
                    flash(f"已删除用户“{target.username}”。", "success")
            elif action == "role":
                target = db.session.get(User, int(request.form.get("user_id", "0") or 0))
                role = request.form.get("role", "")
                if target is None or role not in ROLES:
                    abort(400, "没有这个用户或角色。")
                if target.id == current_user.id and role != "admin":
                    flash("不能降低自己的角色（系统至少要有一位管理员）。", "error")
                else:
                    target.role = role
                    db.session.commit()
                    audit(current_user.username, "set-role", target.username, role)
                    flash(f"“{target.username}”的角色改为{ROLE_NAMES[role]}。", "success")
            return redirect(url_for(".index"))
        users = db.session.execute(db.select(User).order_by(User.username)).scalars().all()
        return self.render("configurator/users.html", users=users, roles=ROLES, role_names=ROLE_NAMES, form=form)


class AuditView(Protected, BaseView):
    role = "reviewer"

    @expose("/")
    def index(self) -> str:
        entries = db.session.execute(db.select(AuditEntry).order_by(AuditEntry.at.desc()).limit(500)).scalars().all()
        return self.render("configurator/audit.html", entries=entries)


class ChangesView(Protected, BaseView):
    """Drafts waiting for review: semantic and line diff, check results; publish or send back."""

    role = "editor"

    @expose("/")
    def index(self) -> str:
        from .. import drafts as git_drafts
        from ..gitrepo import git, version_at
        from ..semdiff import semantic_diff

        if not store().git_mode:
            return self.render("configurator/changes.html", enabled=False, rows=[], form=FlaskForm())
        repo = store().workspace.root
        main = version_at(repo, git_drafts.MAIN)
        rows = []
        for branch in git_drafts.drafts(repo):
            changes = semantic_diff(main, version_at(repo, branch))
            problems = [d for d in git_drafts.check_tree(repo, branch) if d.severity == "error"]
            base = git(repo, "merge-base", git_drafts.MAIN, branch).strip()
            comments = db.session.execute(db.select(AuditEntry).filter_by(action="send-back", target=branch)
                                          .order_by(AuditEntry.at.desc()).limit(1)).scalars().all()
            rows.append({"branch": branch, "authors": sorted(git_drafts.authors(repo, branch)),
                         "changes": [c.text() for c in changes], "errors": _messages(problems),
                         "diff": git(repo, "diff", base, branch, "--", "bundles", "catalogues"),
                         "comment": comments[0].detail if comments else ""})
        return self.render("configurator/changes.html", enabled=True, rows=rows, form=FlaskForm(),
                           four_eyes=self._four_eyes(), remotes=git_drafts.remotes(repo))

    @expose("/push/", methods=("POST",))
    def push(self) -> Response:
        from .. import drafts as git_drafts
        from ..gitrepo import GitError

        require("editor")
        branch = request.form.get("branch", "")
        if not branch.startswith(git_drafts.DRAFT_PREFIX):
            abort(400, "没有这个草稿。")
        try:
            git_drafts.push(store().workspace.root, branch)
        except GitError as error:
            flash(f"推送失败：{error}", "error")
        else:
            audit(current_user.username, "push", branch)
            flash(f"已把 {branch} 推送到远程仓库，可以在那里发起合并请求。", "success")
        return redirect(url_for(".index"))

    def _four_eyes(self) -> bool:
        from flask import current_app

        return bool(current_app.config.get("FOUR_EYES", True))

    @expose("/publish/", methods=("POST",))
    def publish(self) -> Response:
        from .. import drafts as git_drafts

        require("reviewer")
        branch = request.form.get("branch", "")
        if not branch.startswith(git_drafts.DRAFT_PREFIX):
            abort(400, "没有这个草稿。")
        result = git_drafts.publish(store().workspace.root, branch, reviewer=current_user.username,
                                    email=f"{current_user.username}@localhost", four_eyes=self._four_eyes())
        if result.published:
            audit(current_user.username, "publish", branch, result.commit)
            flash(f"已发布 {branch}。", "success")
        elif result.reason == "own-change":
            flash("不能发布自己的修改：请另一位审核人员发布（四眼原则）。", "error")
        elif result.reason == "errors":
            flash("发布被拒绝：合并后有错误 — " + "；".join(d.message(language()) for d in result.diagnostics[:5]), "error")
        elif result.reason == "conflict":
            flash(f"与已发布的内容冲突（{', '.join(result.conflicts)}），已发布的内容没有改动。"
                  "请在下面解决冲突后发布，或退回给编辑者。", "error")
            return redirect(url_for(".resolve", branch=branch))
        else:
            flash("这个草稿没有需要发布的改动。", "info")
        return redirect(url_for(".index"))

    @expose("/resolve/", methods=("GET", "POST"))
    def resolve(self) -> str | Response:
        from .. import drafts as git_drafts

        require("reviewer")
        branch = request.values.get("branch", "")
        if not branch.startswith(git_drafts.DRAFT_PREFIX):
            abort(400, "没有这个草稿。")
        repo = store().workspace.root
        form = FlaskForm()
        found = git_drafts.conflict(repo, branch)
        if found is None:
            flash("这个草稿没有冲突。", "info")
            return redirect(url_for(".index"))
        texts = dict(found.files)
        problems: list[Diagnostic] = []
        if request.method == "POST" and form.validate_on_submit():
            texts = {path: request.form.get(f"file-{index}", "").replace("\r\n", "\n")
                     for index, path in enumerate(found.files)}
            try:
                result = git_drafts.resolve(repo, branch, texts, main_seen=request.form.get("main", ""),
                                            draft_seen=request.form.get("draft", ""), reviewer=current_user.username,
                                            email=f"{current_user.username}@localhost",
                                            four_eyes=self._four_eyes())
            except git_drafts.StaleBranch as error:
                flash(str(error), "error")
            else:
                if result.published:
                    audit(current_user.username, "publish", branch, f"{result.commit}（解决冲突）")
                    flash(f"已解决冲突并发布 {branch}。", "success")
                    return redirect(url_for(".index"))
                if result.reason == "markers":
                    flash("还有未解决的冲突标记（<<<<<<< ======= >>>>>>>）：" + ", ".join(result.conflicts), "error")
                elif result.reason == "own-change":
                    flash("不能发布自己的修改（四眼原则）。", "error")
                problems = list(result.diagnostics)
        return self.render("configurator/resolve.html", branch=branch, conflict=found, texts=texts, form=form,
                           problems=_messages(problems), main=request.form.get("main", found.main),
                           draft=request.form.get("draft", found.draft))

    @expose("/send-back/", methods=("POST",))
    def send_back(self) -> Response:
        require("reviewer")
        branch = request.form.get("branch", "")
        comment = request.form.get("comment", "").strip()
        if not comment:
            flash("退回时请写明原因。", "error")
        else:
            audit(current_user.username, "send-back", branch, comment)
            flash(f"已退回 {branch}。", "success")
        return redirect(url_for(".index"))


def register(admin: Admin) -> None:
    admin.add_view(BundlesView(name="一件事", endpoint="bundles", url="/admin/bundles"))
    admin.add_view(ChangesView(name="待审核", endpoint="changes", url="/admin/changes"))
    admin.add_view(CataloguesView(name="目录", endpoint="catalogues", url="/admin/catalogues"))
    admin.add_view(UsersView(name="用户", endpoint="users", url="/admin/users"))
    admin.add_view(AuditView(name="操作记录", endpoint="audit", url="/admin/audit"))

