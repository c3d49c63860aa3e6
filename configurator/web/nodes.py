"""Every part of a bundle in forms, driven by the bundle schema (authoring/schemaform): one page per
object (the bundle, an item, one of its orderings...), its lists with add, move up/down and delete
(with a confirmation listing what uses the entry), and the live condition check."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, jsonify, request, url_for
from flask_admin import expose
from flask_babel import gettext
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from configurator.authoring.conditionhelp import check_condition
from configurator.authoring.formedits import (
    FormProblem,
    entry_edits,
    entry_from_form,
    form_values,
    unprintable_problems,
    without_defaults,
)
from configurator.authoring.naming import give_id, suggest_id
from configurator.authoring.newbundle import item_companions
from configurator.authoring.references import KINDS, delete_edits, entry_name, text_of, usages
from configurator.authoring.schemaform import Widget, list_widget, widgets_at
from configurator.authoring.steplimits import steps_following
from configurator.authoring.textedits import AppendEntry, Edit, MoveEntry
from configurator.diagnostics import Diagnostic
from configurator.language.documents import load_shared
from configurator.model import Catalogues
from configurator.web import language, store, working
from configurator.web.access import require
from configurator.web.bundle_pages import BundlePages, followed_note
from configurator.web.feedback import Problem, Spot, messages, place
from configurator.web.forms import named
from configurator.workspace.merging import merge_form_values

Path = tuple[str | int, ...]


def parse_where(where: str) -> Path:
    parts: list[str | int] = [int(p) if p.isdigit() else p for p in where.strip("/").split("/") if p]
    return tuple(parts)


def where_of(path: Path) -> str:
    return "/".join(str(p) for p in path)


def lookup(data: Any, path: Path) -> Any:
    for part in path:
        in_list = isinstance(part, int) and isinstance(data, list) and 0 <= part < len(data)
        in_mapping = isinstance(part, str) and isinstance(data, dict) and part in data
        if not (in_list or in_mapping):
            return None
        data = data[part]
    return data


class Namer:
    """Names as a person reads them, with the catalogues for entries that take their name from there."""

    def __init__(self, data: dict[str, Any], catalogues: Catalogues, lang: str) -> None:
        self.data, self.catalogues, self.lang = data, catalogues, lang

    def __call__(self, kind: str, entry: Any, language: str = "zh-CN") -> str:
        if kind == "materials" and isinstance(entry, dict) and not entry.get("name"):
            found = self.catalogues.materials.get(str(entry.get("material") or entry.get("id")))
            if found:
                return found.name.get(self.lang)
        if kind == "fields" and isinstance(entry, dict) and not entry.get("label"):
            found_field = self.catalogues.fields.get(str(entry.get("field") or entry.get("id")))
            if found_field:
                return found_field.label.get(self.lang)
        return entry_name(kind, entry, self.lang)

    def choices(self, source: str) -> list[tuple[str, str]]:
        """What a picker offers: (id, name), by name only (web/forms.named)."""
        lang = self.lang
        if source in ("departments", "owners"):
            departments = [(d.id, d.name.get(lang)) for d in self.catalogues.departments.values()]
            return named(([("applicant", gettext("申请人"))] if source == "owners" else []) + departments)
        if source == "catalogue_fields":
            return named((f.id, f.label.get(lang)) for f in self.catalogues.fields.values())
        if source == "catalogue_materials":
            return named((m.id, m.name.get(lang)) for m in self.catalogues.materials.values())
        return named((str(e.get("id")), self(source, e)) for e in self.data.get(source) or [] if isinstance(e, dict))

    def crumbs(self, path: Path) -> list[tuple[str, str]]:
        """(label, where) from the bundle down to ``path``, each named."""
        out = [(text_of(self.data.get("name"), self.lang) or str(self.data.get("id")), "")]
        for position, part in enumerate(path):
            if isinstance(part, int):
                kind = str(path[position - 1])
                entry = lookup(self.data, path[:position + 1])
                if entry is None:  # the entry an add page is making: named by its kind ("添加情形问题")
                    words = KINDS.get(kind, (kind, kind))
                    out.append((words[1] if self.lang == "en" else words[0], where_of(path[:position + 1])))
                    continue
                out.append((self(kind, entry), where_of(path[:position + 1])))
            elif position + 1 == len(path):
                label = KINDS.get(part, (part, part))
                out.append((label[1] if self.lang == "en" else label[0], where_of(path)))
        return out

    def situations(self) -> list[dict[str, Any]]:
        """This bundle's situations, for the condition builder."""
        out = []
        for s in self.data.get("situations") or []:
            out.append({"id": s.get("id"), "label": text_of(s.get("label"), self.lang), "type": s.get("type"),
                        "unit": text_of(s.get("unit"), self.lang), "minimum": s.get("minimum"),
                        "maximum": s.get("maximum"),
                        "options": [{"value": o.get("value"), "label": text_of(o.get("label"), self.lang)}
                                    for o in s.get("options") or []]})
        return out


def _values_seen(bundle_id: str, seen: str, path: Path, widgets: tuple[Widget, ...]) -> dict[str, Any] | None:
    """The form's values as the page showed them when it was opened (None: not known)."""
    text = store().text_seen(bundle_id, seen)
    if text is None:
        return None
    entry = lookup(load_shared(text.encode("utf-8"), "x").data, path)
    return form_values(widgets, entry) if isinstance(entry, dict) else None


def _taken(entries: Any, key: str = "id") -> list[str]:
    """The ids (or option values) a list's entries already have: a new one's generated id avoids them."""
    return [str(e.get(key)) for e in entries or [] if isinstance(e, dict) and e.get(key) is not None]


def _label_of(key: str, widgets: tuple[Widget, ...], lang: str) -> str:
    """A form field's label (``time_limit.promised`` → 时限 · 承诺时限)."""
    labels, level = [], widgets
    for part in key.split("."):
        found = next((w for w in level if w.key == part), None)
        if found is None:
            break
        labels.append(found.label(lang))
        level = found.children
    return " · ".join(labels) or key


def _locate(names: set[str], widgets: tuple[Widget, ...], lang: str) -> Callable[[Path], Spot | None]:
    """The fields of a schema-driven form: a dotted key per value (``time_limit.promised``), a text's
    Chinese box for the text (``name.zh-CN``), each labelled as the form labels it."""
    def locate(tail: Path) -> Spot | None:
        key = ".".join(str(p) for p in tail if not isinstance(p, int))
        name = key if key in names else key + ".zh-CN" if key + ".zh-CN" in names else None
        return None if name is None else _spot(name, widgets, lang)
    return locate


def _spot(name: str, widgets: tuple[Widget, ...], lang: str) -> Spot:
    label = gettext("修改说明") if name == "message" else _label_of(name, widgets, lang)
    return Spot(name, label, "message" if name == "message" else "f-" + name.replace(".", "-"))


class NodePages(BundlePages):
    """Schema-driven editing of any object of a bundle, and its lists."""

    def _context(self, bundle_id: str) -> tuple[str, str, dict[str, Any], Namer]:
        text, version, _ = self._editable(bundle_id)
        data = load_shared(text.encode("utf-8"), "x").data
        return text, version, data, Namer(data, working.catalogues(bundle_id)[1].catalogues, language())

    def _render(self, bundle_id: str, path: Path, widgets: tuple[Widget, ...], values: dict[str, Any], data: dict[str, Any],
                namer: Namer, version: str, *, new: str | None = None, problems: list[Diagnostic] | None = None,
                form_problems: list[FormProblem] | None = None, entry: Any = None, conflict: Any = None,
                clashes: list[str] | None = None) -> str:
        lang = language()
        placement = place(problems or [], path, _locate(set(values), widgets, lang))
        for form_problem in form_problems or []:  # what the form could not read: beside its field too
            placement.add(Problem("error", form_problem.en if lang == "en" else form_problem.zh, "", "", 0, 0,
                                  _spot(form_problem.name, widgets, lang)))
        lists = []
        if new is None:
            for w in widgets:
                if w.kind == "list":
                    rows = [(index, namer(w.key, e)) for index, e in enumerate((entry or {}).get(w.key) or [])]
                    lists.append((w, rows))
        return self.render("configurator/node.html", bundle_id=bundle_id, path=path, where=where_of(path),
                           widgets=widgets, values=values, lists=lists, crumbs=namer.crumbs(path), namer=namer,
                           version=version, new=new, placed=placement.beside, problems=placement.listed,
                           elsewhere=placement.elsewhere, form=FlaskForm(), conflict=conflict,
                           clashes=[_label_of(key, widgets, language()) for key in clashes or []],
                           bundle_name=text_of(data.get("name"), language()),
                           situations=namer.situations(), taken=_taken(lookup(data, path[:-1])) if new else [])

    @expose("/<bundle_id>/edit/", methods=("GET", "POST"))
    @expose("/<bundle_id>/edit/<path:where>", methods=("GET", "POST"))
    def node(self, bundle_id: str, where: str = "") -> str | Response:
        text, version, data, namer = self._context(bundle_id)
        path = parse_where(where)
        if path and not isinstance(path[-1], int):
            abort(404, gettext("没有这个部分。"))
        try:
            widgets = widgets_at(path)
        except KeyError:
            abort(404, gettext("没有这个部分。"))
        entry = lookup(data, path)
        if not isinstance(entry, dict):
            abort(404, gettext("没有这个部分。"))
        values = form_values(widgets, entry)
        if request.method == "POST" and FlaskForm().validate_on_submit():
            require("editor", "save")
            submitted = {key: request.form.getlist(key) if isinstance(value, list) else request.form.get(key, "")
                         for key, value in values.items()}
            submitted["id"] = values.get("id", "")  # ids are fixed once made: others refer to them
            seen = request.form.get("seen", "")
            submitted, clashes = merge_form_values(submitted, values, _values_seen(bundle_id, seen, path, widgets))
            if clashes is not None and not clashes:
                seen = version  # only others' fields changed meanwhile: this save goes onto theirs
            new_entry, form_problems = entry_from_form(widgets, submitted, entry)
            form_problems += unprintable_problems({"message": request.form.get("message", "")})
            if form_problems:
                return self._render(bundle_id, path, widgets, submitted, data, namer, version,
                                    form_problems=form_problems, entry=entry)
            edits = entry_edits(path, widgets, entry, new_entry)
            what = f"“{namer.crumbs(path)[-1][0]}”"
            if path[:1] == ("items",) and len(path) == 2:  # the steps handling it keep up with its promise
                followers, followed = steps_following(data, str(entry.get("id", "")), entry, new_entry)
                edits, what = edits + followers, what + followed_note(followed)
            outcome = self._save(bundle_id, text, seen, edits, what)
            if isinstance(outcome, Response):
                return outcome
            problems, conflict = outcome
            return self._render(bundle_id, path, widgets, submitted, data, namer, version, problems=problems, entry=entry,
                                conflict=conflict, clashes=clashes or [])
        return self._render(bundle_id, path, widgets, values, data, namer, version, entry=entry,
                            problems=store().check(bundle_id, text, working.editing(bundle_id)).diagnostics)  # its warnings

    @expose("/<bundle_id>/add/<path:where>", methods=("GET", "POST"))
    def add(self, bundle_id: str, where: str) -> str | Response:
        text, version, data, namer = self._context(bundle_id)
        path = parse_where(where)
        try:
            widget = list_widget(path)
        except (KeyError, IndexError):
            abort(404, gettext("没有这个列表。"))
        if lookup(data, path[:-1]) is None:
            abort(404, gettext("没有这个列表。"))
        current = lookup(data, path) or []
        widgets = widget.children
        values = form_values(widgets, {})
        parent = path[:-1]
        back = url_for(".node", bundle_id=bundle_id, where=where_of(parent)) if parent else url_for(".node", bundle_id=bundle_id)
        if request.method == "POST" and FlaskForm().validate_on_submit():
            require("editor", "add")
            submitted = {key: request.form.getlist(key) if isinstance(value, list) else request.form.get(key, "")
                         for key, value in values.items()}
            if any(w.kind == "list" and w.key == "options" for w in widgets):  # a new question's options, a line each
                submitted["options.lines"] = request.form.get("options.lines", "")[:20000]
            new_entry, form_problems = entry_from_form(widgets, submitted, {})
            form_problems += unprintable_problems({"message": request.form.get("message", "")})
            if form_problems:
                return self._render(bundle_id, path + (len(current),), widgets, submitted, data, namer, version,
                                    new=where, form_problems=form_problems)
            new_entry = without_defaults(str(path[-1]), new_entry)
            if len(path) == 1:  # an entry of a bundle's list is referred to by its id: given one when left empty
                new_entry = give_id(str(path[0]), new_entry, _taken(current), namer(str(path[0]), new_entry))
            elif path[-1] == "options" and not str(new_entry.get("value") or "").strip():  # so is an option, by its value
                label = text_of(new_entry.get("label"), "zh-CN")
                if label:
                    value = suggest_id(label, _taken(current, "value"))
                    new_entry = {"value": value, **{k: v for k, v in new_entry.items() if k != "value"}}
            edits: list[Edit] = [AppendEntry(path, new_entry)]
            if path == ("items",):
                edits += item_companions(data, new_entry, with_step=bool(request.form.get("with_step")))
            kind = KINDS.get(str(path[-1]), (str(path[-1]), str(path[-1])))
            what = f"{kind[1] if language() == 'en' else kind[0]}“{namer(str(path[-1]), new_entry)}”"
            outcome = self._save(bundle_id, text, request.form.get("seen", ""), edits, what, redirect_to=back)
            if isinstance(outcome, Response):
                return outcome
            problems, conflict = outcome
            return self._render(bundle_id, path + (len(current),), widgets, submitted, data, namer, version,
                                new=where, problems=problems, conflict=conflict)
        return self._render(bundle_id, path + (len(current),), widgets, values, data, namer, version, new=where)

    @expose("/<bundle_id>/move/<path:where>", methods=("POST",))
    def move(self, bundle_id: str, where: str) -> str | Response:
        text, version, data, namer = self._context(bundle_id)
        path = parse_where(where)
        container = lookup(data, path[:-1])
        step = -1 if request.form.get("step") == "up" else 1
        if not FlaskForm().validate_on_submit() or not isinstance(container, list) or not isinstance(path[-1], int) \
                or not 0 <= path[-1] + step < len(container):
            abort(400, gettext("无法移动这一项。"))
        require("editor", "move")
        parent = path[:-2]
        back = url_for(".node", bundle_id=bundle_id, where=where_of(parent)) if parent else url_for(".node", bundle_id=bundle_id)
        name = namer(str(path[-2]), container[path[-1]])
        outcome = self._save(bundle_id, text, request.form.get("seen", ""), [MoveEntry(path, step)],
                             gettext("“%(name)s”的顺序", name=name), redirect_to=back + f"#list-{path[-2]}")
        if isinstance(outcome, Response):
            return outcome
        return self._render(bundle_id, parent, widgets_at(parent), form_values(widgets_at(parent), lookup(data, parent)),
                            data, namer, version, problems=outcome[0], entry=lookup(data, parent))

    @expose("/<bundle_id>/delete/<path:where>", methods=("GET", "POST"))
    def delete(self, bundle_id: str, where: str) -> str | Response:
        text, version, data, namer = self._context(bundle_id)
        path = parse_where(where)
        entry = lookup(data, path)
        if entry is None or not path or not isinstance(path[-1], int):
            abort(404, gettext("没有这一项。"))
        section = str(path[-2])
        name = namer(section, entry)
        uses = usages(data, section, str(entry.get("id", ""))) if len(path) == 2 and isinstance(entry, dict) else []
        parent = path[:-2]
        back = url_for(".node", bundle_id=bundle_id, where=where_of(parent)) if parent else url_for(".node", bundle_id=bundle_id)
        problems: list[Diagnostic] = []
        if request.method == "POST" and FlaskForm().validate_on_submit():
            require("editor", "delete")
            kind = KINDS.get(section, (section, section))
            what = gettext("删除%(kind)s“%(name)s”", kind=kind[1] if language() == "en" else kind[0], name=name)
            outcome = self._save(bundle_id, text, request.form.get("seen", ""), delete_edits(data, path), what,
                                 redirect_to=back)
            if isinstance(outcome, Response):
                return outcome
            problems = outcome[0]
        uses = usages(data, section, str(entry.get("id", "")), namer) if len(path) == 2 and isinstance(entry, dict) else uses
        return self.render("configurator/delete.html", bundle_id=bundle_id, name=name, section=section,
                           kind=KINDS.get(section, (section, section)), uses=uses, back=back, version=version,
                           problems=messages(problems), form=FlaskForm(), crumbs=namer.crumbs(path))

    @expose("/<bundle_id>/condition-check/")
    def condition_check(self, bundle_id: str) -> Response:
        _, _, bundle, _ = self._bundle(bundle_id)
        if bundle is None:
            return jsonify({"ok": False, "sentence": "", "problems": [gettext("这个一件事还有错误，无法检查条件。")]})
        what = request.args.get("what", "items")
        return jsonify(check_condition(bundle, request.args.get("text", "")[:2000], language(), what).as_dict())

    @expose("/suggest-id/")
    def suggest(self) -> Response:
        taken = request.args.getlist("taken")
        return jsonify({"id": suggest_id(request.args.get("name", "")[:200], taken)})
