"""The shared catalogues of departments, materials and fields: list, add, edit, delete."""

from __future__ import annotations

import functools
from collections.abc import Callable
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
    N_,
    raw_value,
)
from configurator.authoring.naming import suggest_id
from configurator.authoring.schemaform import widgets_at
from configurator.authoring.textedits import AppendEntry, DeleteEntry, SetValue, apply_edit, apply_edits
from configurator.diagnostics import Diagnostic, has_errors
from configurator.language.check import CatalogueCheck, check_catalogues
from configurator.model import Bundle
from configurator.web import language, store, working
from configurator.web.access import Protected, require
from configurator.web.bundle_pages import saved_message
from configurator.web.feedback import Problem, Spot, keyed, messages, place
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


# What each catalogue holds, in the official's words (flash messages, commit messages, headings).
KIND_NAMES = {"departments": N_("部门"), "materials": N_("材料"), "fields": N_("字段")}


@functools.cache
def field_types() -> tuple[tuple[str, str, str], ...]:
    """(type, 中文, English) of the field types a catalogue page offers, in the schema's words (the
    bundle editor's choices); 单选 and 多选 need their options, given in a bundle, not here."""
    [type_widget] = [w for w in widgets_at(("fields", 0)) if w.key == "type"]
    return tuple(c for c in type_widget.choices if c[0] not in ("choice", "multi_choice"))


def _label_key(kind: str) -> str:
    return "label" if kind == "fields" else "name"


def _locate(kind: str) -> Callable[[tuple[str | int, ...]], Spot | None]:
    """The entry page's two fields: the name and (under 高级) the id."""
    return keyed({("id",): "id", (_label_key(kind),): "label"},
                 lambda name: gettext("标识（id）") if name == "id" else gettext("名称"))


def _checked(files: dict[str, tuple[bytes, str | None]], name: str, new_text: str) -> list[Diagnostic]:
    """What the check says of the file ``name`` with ``new_text`` in it (its errors block the save)."""
    others = [(n, b) for n, (b, _) in files.items() if n != name]
    return [d for d in check_catalogues([*others, (name, new_text.encode("utf-8"))]).diagnostics if d.file == name]


def _bundle_names(ids: list[str]) -> list[tuple[str, str]]:
    """(id, name) of the bundles ``ids``, named as the working context names them."""
    names = {r.id: r.name for r in store().summaries(working.current_change())}
    return [(b, names.get(b, b)) for b in ids]


class CataloguesView(Protected, BaseView):
    @expose("/")
    def index(self) -> str:
        edited = _edited()
        usage = {key: [name for _, name in _bundle_names(ids)] for key, ids in catalogue_usage().items()}
        return self.render("configurator/catalogues.html", catalogues=edited.check.catalogues, pending=edited.pending,
                           problems=messages(edited.check.diagnostics), usage=usage, form=FlaskForm(),
                           change=working.current_id(), field_types=field_types())

    def _entry_page(self, kind: str, values: dict[str, str], diagnostics: list[Diagnostic], where: tuple[Any, ...],
                    entry_id: str | None = None, read: list[Problem] | None = None) -> str:
        """The page of one entry (``entry_id`` None: a new one): every problem beside the field it
        concerns, listed at the top by the field's label (web/feedback.place, as bundle pages do)."""
        placement = place(diagnostics, where, _locate(kind))
        for problem in read or []:
            placement.add(problem)
        return self.render("configurator/catalogue_entry.html", kind=kind, kind_name=gettext(KIND_NAMES[kind]),
                           entry_id=entry_id, values=values, placed=placement.beside, problems=placement.listed,
                           elsewhere=0, form=FlaskForm(), change=working.current_id(), field_types=field_types())

    @expose("/new/<kind>/", methods=("GET", "POST"))
    def new(self, kind: str) -> str | Response:
        if kind not in KIND_NAMES:
            abort(404)
        values = {"id": "", "label": "", "type": "text"}
        if request.method == "GET" or not FlaskForm().validate_on_submit():
            return self._entry_page(kind, values, [], (kind, -1))
        require("editor", "add")
        values.update({key: request.form.get(key, values[key]).strip() for key in values})
        if not values["label"]:
            return self._entry_page(kind, values, [], (kind, -1), read=[_unnamed()])
        edited = _edited()
        taken = getattr(edited.check.catalogues, kind)
        entry: dict[str, Any] = {"id": values["id"] or suggest_id(values["label"], taken), _label_key(kind): values["label"]}
        if kind == "fields":
            entry["type"] = values["type"] or "text"
        name = f"{kind}.yaml"
        data, seen = edited.files.get(name, (f"{kind}: []\n".encode(), store().published_commit() if store().git_mode else None))
        new_text = apply_edit(data.decode("utf-8"), AppendEntry((kind,), entry))
        diagnostics = _checked(edited.files, name, new_text)
        if has_errors(diagnostics):
            return self._entry_page(kind, values, diagnostics, (kind, _count(new_text, kind) - 1))
        _write(name, new_text, seen, gettext("添加%(kind)s“%(name)s”", kind=gettext(KIND_NAMES[kind]), name=values["label"]))
        return redirect(url_for(".index", change=working.current_id()))

    @expose("/edit/<kind>/<entry_id>/", methods=("GET", "POST"))
    def edit(self, kind: str, entry_id: str) -> str | Response:
        if kind not in KIND_NAMES:
            abort(404)
        edited = _edited()
        entry = getattr(edited.check.catalogues, kind).get(entry_id)
        if entry is None:
            abort(404, gettext("目录中没有“%(id)s”。", id=entry_id))
        label_key, name = _label_key(kind), Path(entry.file).name
        data, seen = edited.files[name]
        text = data.decode("utf-8")
        where = _entry_path(text, kind, entry_id, entry.path)
        old = {"id": entry.id, "label": getattr(entry, label_key).get()}
        if request.method == "GET" or not FlaskForm().validate_on_submit():  # its problems, also on reopening
            return self._entry_page(kind, old, [d for d in edited.check.diagnostics if Path(d.file).name == name], where, entry_id)
        require("editor", "save")
        values = {key: request.form.get(key, old[key]).strip() for key in old}
        users = catalogue_usage().get((kind, entry_id), [])
        if values["id"] != entry_id and users:
            return self._entry_page(kind, values, [], where, entry_id, read=[_in_use(old["label"], values["id"], users)])
        if not values["label"]:
            return self._entry_page(kind, values, [], where, entry_id, read=[_unnamed()])
        current = raw_value(text, where + (label_key,))
        label_path = where + (label_key, "zh-CN") if isinstance(current, dict) else where + (label_key,)
        new_text = apply_edits(text, [SetValue(where + ("id",), values["id"]), SetValue(label_path, values["label"])])
        diagnostics = _checked(edited.files, name, new_text)
        if has_errors(diagnostics):
            return self._entry_page(kind, values, diagnostics, where, entry_id)
        if new_text == text:
            flash(gettext("没有改动，没有保存任何内容。"), "info")
        else:
            _write(name, new_text, seen, _edit_said(kind, old, values))
        return redirect(url_for(".index", change=working.current_id()))

    @expose("/delete/<kind>/<entry_id>/", methods=("GET", "POST"))
    def delete(self, kind: str, entry_id: str) -> str | Response:
        if kind not in KIND_NAMES:
            abort(404)
        edited = _edited()
        entry = getattr(edited.check.catalogues, kind).get(entry_id)
        if entry is None:
            abort(404, gettext("目录中没有“%(id)s”。", id=entry_id))
        label = getattr(entry, _label_key(kind)).get(language())
        users = _bundle_names(catalogue_usage().get((kind, entry_id), []))
        if request.method == "GET":  # ask first, naming the bundles that use it
            return self.render("configurator/catalogue_delete.html", kind=kind, kind_name=gettext(KIND_NAMES[kind]),
                               entry_id=entry_id, name=label, users=users, form=FlaskForm(), change=working.current_id())
        require("editor", "delete")
        if users:
            flash(gettext("不能删除“%(name)s”：仍被这些一件事使用：%(users)s。请先在这些一件事中改用其他条目。",
                          name=label, users=gettext("、").join(n for _, n in users)), "error")
            return redirect(url_for(".index", change=working.current_id()))
        name = Path(entry.file).name
        data, seen = edited.files[name]
        text = data.decode("utf-8")
        _write(name, apply_edit(text, DeleteEntry(_entry_path(text, kind, entry_id, entry.path))), seen,
               gettext("删除%(kind)s“%(name)s”", kind=gettext(KIND_NAMES[kind]), name=label))
        return redirect(url_for(".index", change=working.current_id()))


def _unnamed() -> Problem:
    return Problem("error", gettext("请填写名称。"), gettext("标识会根据名称自动生成。"), "", 0, 0,
                   Spot("label", gettext("名称"), "label"))


def _in_use(label: str, new_id: str, users: list[str]) -> Problem:
    """Changing an id that bundles still refer to would break them: refused beside the id."""
    return Problem("error", gettext("不能把“%(name)s”的标识改为“%(id)s”：它仍被这些一件事使用：%(users)s。",
                                    name=label, id=new_id, users=gettext("、").join(n for _, n in _bundle_names(users))),
                   gettext("请保留原来的标识；要换一个，请新建条目，并在这些一件事中改用它。"), "", 0, 0,
                   Spot("id", gettext("标识（id）"), "id"))


def _edit_said(kind: str, old: dict[str, str], new: dict[str, str]) -> str:
    """What an edit of an entry changed, in words (the flash, the commit message, the history)."""
    what = gettext(KIND_NAMES[kind])
    said = []
    if new["label"] != old["label"]:
        said.append(gettext("%(kind)s“%(old)s”改名为“%(new)s”", kind=what, old=old["label"], new=new["label"]))
    if new["id"] != old["id"]:
        said.append(gettext("%(kind)s“%(name)s”的标识改为 %(id)s", kind=what, name=new["label"], id=new["id"]))
    return gettext("；").join(said)


def _count(text: str, kind: str) -> int:
    """How many entries the catalogue text lists (a new one is the last)."""
    from configurator.language.loader import load_yaml

    data = load_yaml(text.encode("utf-8"), "catalogue").data
    entries = data.get(kind) if isinstance(data, dict) else None
    return len(entries) if isinstance(entries, list) else 0


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


