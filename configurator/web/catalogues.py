"""The shared catalogues of departments, materials and fields: list, add, edit, delete."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import abort, flash, redirect, request, url_for
from flask_admin import BaseView, expose
from flask_babel import gettext
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from configurator.authoring.formedits import (
    raw_value,
)
from configurator.authoring.textedits import AppendEntry, DeleteEntry, SetValue, apply_edit, apply_edits
from configurator.diagnostics import Diagnostic
from configurator.language.check import CatalogueCheck, check_catalogues
from configurator.model import Bundle
from configurator.web import language, store, working
from configurator.web.access import Protected, require
from configurator.web.bundle_pages import saved_message
from configurator.web.feedback import messages
from configurator.web.models import audit
from configurator.workspace import git
from configurator.workspace.changes import ChangeError
from configurator.workspace.records import Record
from configurator.workspace.store import SaveResult, atomic_write


@dataclass(frozen=True)
class _Edited:
    """The catalogue files as this user edits them, and what they read as."""

    files: dict[str, tuple[bytes, str | None]]  # file name → (bytes, the commit read; None: no git)
    pending: list[tuple[str, Record]]  # files whose text differs from the published one, and where
    check: CatalogueCheck


def _edited() -> _Edited:
    """Catalogue file → (bytes, the commit read) as this user edits them: in a git workspace from
    their working context (or their open change request for that file), else from published main.
    The pages show these, so an editor sees what they saved (not the published text) until it is
    published."""
    if not store().git_mode or store().changes is None:
        files: dict[str, tuple[bytes, str | None]] = {p.name: (p.read_bytes(), None)
                                                      for p in store().workspace.catalogue_files()}
        return _Edited(files, [], store().catalogue_check())
    changes = store().changes
    assert changes is not None
    main = store().published_commit()
    found: dict[str, tuple[bytes, str | None]] = {}
    pending: list[tuple[str, Record]] = []
    for path, published in git.tree_files(store().workspace.root, main, ("catalogues",)).items():
        name = path[len("catalogues/"):]
        change = changes.for_editing(current_user.username, path, working.current_id())
        data = published
        if change is not None:
            head = changes.head(change)
            data = git.read_file(store().workspace.root, head, path) or b""
            found[name] = (data, head)
            if data != published:
                pending.append((name, change))
        else:
            found[name] = (published, main)
    check = check_catalogues([(n, b) for n, (b, _) in found.items()]) if pending else store().catalogue_check()
    return _Edited(found, pending, check)


def _entry_path(text: str, kind: str, entry_id: str, published: tuple[Any, ...]) -> tuple[Any, ...]:
    """Where the entry is in the text being edited (a change request may have moved it)."""
    from configurator.language.loader import load_yaml

    data = load_yaml(text.encode("utf-8"), "catalogue").data
    entries = data.get(kind) if isinstance(data, dict) else None
    if isinstance(entries, list):
        for index, entry in enumerate(entries):
            if isinstance(entry, dict) and entry.get("id") == entry_id:
                return (kind, index)
    return published


# The title of a change request a catalogue edit opens (in the workspace's language, like the
# change requests' other records; the official can change it on the request's page).
CATALOGUE_TITLES = {"departments": "修改部门目录", "materials": "修改材料目录", "fields": "修改字段目录"}


def _write(name: str, new_text: str, seen: str | None, what: str) -> None:
    """Write a catalogue file: through a change request in a git workspace (never to the
    published files), directly in a plain one. Says what happened."""
    if seen is None:
        atomic_write(store().workspace.catalogues_dir / name, new_text)
        audit(current_user.username, "catalogue", name, what)
        flash(gettext("已保存：%(what)s。", what=what), "success")
        return
    changes = store().changes
    assert changes is not None
    kind = name.removesuffix(".yaml")
    title = CATALOGUE_TITLES.get(kind, "修改目录 {name}").format(name=name)
    try:
        result = changes.save(current_user.username, {f"catalogues/{name}": new_text.encode("utf-8")}, seen=seen,
                              message=f"目录：{what}", change_id=working.current_id(), title=title)
    except ChangeError as error:
        abort(error.status, error.text(language()))
    working.remember(result.change)
    if not result.saved:  # the file already says this (as a double-posted form would find it)
        flash(gettext("没有改动，没有保存任何内容。"), "info")
        return
    audit(current_user.username, "catalogue", name, f"{what} #{result.change.id}")
    flash(saved_message(SaveResult(result.saved, None, "", result.change, result.created), what),  # type: ignore[arg-type]
          "success")


class CataloguesView(Protected, BaseView):
    @expose("/")
    def index(self) -> str:
        edited = _edited()
        return self.render("configurator/catalogues.html", catalogues=edited.check.catalogues, pending=edited.pending,
                           problems=messages(edited.check.diagnostics), usage=catalogue_usage(), form=FlaskForm(),
                           change=working.current_id())

    @expose("/new/<kind>/", methods=("POST",))
    def new(self, kind: str) -> Response:
        require("editor", "add")
        if kind not in ("departments", "materials", "fields"):
            abort(404)
        entry: dict[str, Any] = {"id": request.form.get("id", "").strip()}
        entry["label" if kind == "fields" else "name"] = request.form.get("label", "").strip()
        if kind == "fields":
            entry["type"] = request.form.get("type", "text")
        files = _edited().files
        name = f"{kind}.yaml"
        data, seen = files.get(name, (f"{kind}: []\n".encode(), store().published_commit() if store().git_mode else None))
        new_text = apply_edit(data.decode("utf-8"), AppendEntry((kind,), entry))
        others = [(n, b) for n, (b, _) in files.items() if n != name]
        check = check_catalogues([*others, (name, new_text.encode("utf-8"))])
        problems = [d for d in check.diagnostics if d.file == name and d.severity == "error"]
        if problems:
            listed = "; ".join(f"{d.message(language())} — {d.fix(language())}" for d in problems)
            flash(gettext("没有添加：%(problems)s", problems=listed), "error")
        else:
            _write(name, new_text, seen, gettext("添加“%(id)s”", id=entry["id"]))
        return redirect(url_for(".index", change=working.current_id()))

    @expose("/edit/<kind>/<entry_id>/", methods=("GET", "POST"))
    def edit(self, kind: str, entry_id: str) -> str | Response:
        if kind not in ("departments", "materials", "fields"):
            abort(404)
        edited = _edited()
        entry = getattr(edited.check.catalogues, kind).get(entry_id)
        if entry is None:
            abort(404, gettext("目录中没有“%(id)s”。", id=entry_id))
        label_key = "label" if kind == "fields" else "name"
        name = Path(entry.file).name
        form = FlaskForm()
        values = {"id": entry.id, "label": getattr(entry, label_key).get()}
        problems: list[Diagnostic] = []
        if request.method == "POST" and form.validate_on_submit():
            require("editor", "save")
            values = {"id": request.form.get("id", "").strip(), "label": request.form.get("label", "").strip()}
            users = catalogue_usage().get((kind, entry_id), [])
            if values["id"] != entry_id and users:
                flash(gettext("不能把“%(id)s”改名：仍被这些一件事使用：%(users)s。请先在这些一件事中改用新 id，或新建一个条目。",
                              id=entry_id, users=", ".join(users)), "error")
            else:
                files = edited.files
                data, seen = files[name]
                text = data.decode("utf-8")
                where = _entry_path(text, kind, entry_id, entry.path)
                current = raw_value(text, where + (label_key,))
                label_path = where + (label_key, "zh-CN") if isinstance(current, dict) else where + (label_key,)
                new_text = apply_edits(text, [SetValue(where + ("id",), values["id"]), SetValue(label_path, values["label"])])
                others = [(n, b) for n, (b, _) in files.items() if n != name]
                check = check_catalogues([*others, (name, new_text.encode("utf-8"))])
                problems = [d for d in check.diagnostics if d.file == name and d.severity == "error"]
                if not problems:
                    if new_text != text:
                        _write(name, new_text, seen, gettext("修改“%(id)s”：%(new_id)s %(label)s", id=entry_id, new_id=values["id"],
                                                                 label=values["label"]))
                    else:
                        flash(gettext("没有改动，没有保存任何内容。"), "info")
                    return redirect(url_for(".index", change=working.current_id()))
        return self.render("configurator/catalogue_entry.html", kind=kind, entry_id=entry_id, values=values,
                           problems=messages(problems), form=form, change=working.current_id())

    @expose("/delete/<kind>/<entry_id>/", methods=("GET", "POST"))
    def delete(self, kind: str, entry_id: str) -> str | Response:
        if kind not in ("departments", "materials", "fields"):
            abort(404)
        edited = _edited()
        if request.method == "GET":  # ask first, naming the bundles that use it
            found = getattr(edited.check.catalogues, kind).get(entry_id)
            if found is None:
                abort(404, gettext("目录中没有“%(id)s”。", id=entry_id))
            names = {r.id: r.name for r in store().summaries(working.current_change())}
            users_named = [(b, names.get(b, b)) for b in catalogue_usage().get((kind, entry_id), [])]
            label = getattr(found, "label" if kind == "fields" else "name").get(language())
            return self.render("configurator/catalogue_delete.html", kind=kind, entry_id=entry_id, name=label,
                               users=users_named, form=FlaskForm(), change=working.current_id())
        require("editor", "delete")
        users = catalogue_usage().get((kind, entry_id), [])
        if users:
            flash(gettext("不能删除“%(id)s”：仍被这些一件事使用：%(users)s。请先在这些一件事中改用其他条目。",
                          id=entry_id, users=", ".join(users)), "error")
            return redirect(url_for(".index", change=working.current_id()))
        entry = getattr(edited.check.catalogues, kind).get(entry_id)
        if entry is None:
            abort(404)
        name = Path(entry.file).name
        data, seen = edited.files[name]
        text = data.decode("utf-8")
        _write(name, apply_edit(text, DeleteEntry(_entry_path(text, kind, entry_id, entry.path))), seen,
               gettext("删除“%(id)s”", id=entry_id))
        return redirect(url_for(".index", change=working.current_id()))


def _bundles_in_context() -> list[Bundle]:
    """Every bundle that passes its check, as the working context holds them (published: none)."""
    if not store().git_mode:
        return [bundle for p in store().workspace.bundle_files() if (bundle := store().model(p.stem)[0])]
    change = working.current_change()
    checks = (store().check(p.stem, data.decode("utf-8", "replace"), change) for p, data, _ in store().bundle_sources(change))
    return [result.bundle for result in checks if result.bundle is not None]


def catalogue_usage() -> dict[tuple[str, str], list[str]]:
    """Which bundles use each catalogue entry, as the working context holds them (deleting an entry
    in use is refused, also when only a bundle new in the change request uses it)."""
    usage: dict[tuple[str, str], list[str]] = {}
    for bundle in _bundles_in_context():
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


