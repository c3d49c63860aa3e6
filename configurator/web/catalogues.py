"""The shared catalogues of departments, materials and fields: list, add, edit, delete."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import abort, flash, redirect, request, url_for
from flask_admin import BaseView, expose
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from configurator.authoring.formedits import (
    raw_value,
)
from configurator.authoring.textedits import AppendEntry, DeleteEntry, SetValue, apply_edit, apply_edits
from configurator.diagnostics import Diagnostic
from configurator.language.check import check_catalogues
from configurator.web import language, store
from configurator.web.access import Protected, require
from configurator.web.feedback import messages
from configurator.web.models import audit
from configurator.workspace.store import atomic_write


class CataloguesView(Protected, BaseView):
    @expose("/")
    def index(self) -> str:
        check = store().catalogue_check()
        usage = catalogue_usage()
        return self.render("configurator/catalogues.html", catalogues=check.catalogues,
                           problems=messages(check.diagnostics), usage=usage, form=FlaskForm())

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
            users = catalogue_usage().get((kind, entry_id), [])
            if values["id"] != entry_id and users:
                flash(f"不能把“{entry_id}”改名：仍被这些一件事使用：{', '.join(users)}。"
                      "请先在这些一件事中改用新 id，或新建一个条目。", "error")
            else:
                text = path.read_text(encoding="utf-8")
                current = raw_value(text, entry.path + (label_key,))
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
                           problems=messages(problems), form=form)

    @expose("/delete/<kind>/<entry_id>/", methods=("POST",))
    def delete(self, kind: str, entry_id: str) -> Response:
        require("editor")
        if kind not in ("departments", "materials", "fields"):
            abort(404)
        users = catalogue_usage().get((kind, entry_id), [])
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


def catalogue_usage() -> dict[tuple[str, str], list[str]]:
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


