"""Editing a bundle in forms: items, materials and the simple sections. Each save: form → edits of the
YAML text → check → commit, or the form again with every problem beside its field and the input kept."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, request
from flask_admin import expose
from flask_babel import gettext
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from configurator.authoring.formedits import (
    ITEM_PATHS,
    MATERIAL_PATHS,
    SECTIONS,
    ordered,
    parse_after,
    raw_value,
    section_edit,
    section_value,
    set_or_delete,
)
from configurator.authoring.naming import give_id
from configurator.authoring.references import text_of
from configurator.authoring.steplimits import steps_following
from configurator.authoring.textedits import AppendEntry, DeleteKey, Edit, SetValue
from configurator.diagnostics import Diagnostic
from configurator.language.documents import load_shared
from configurator.model import Bundle, BundleMaterial, Item
from configurator.planning.compiled import Compiled
from configurator.web import language, store, working
from configurator.web.access import require
from configurator.web.bundle_pages import BundlePages, followed_note
from configurator.web.feedback import Placement, Spot, place, read_problems, wtforms_locate
from configurator.web.forms import ItemForm, MaterialForm, named, picked, shown_section


def shown(placement: Placement, form: FlaskForm | None = None) -> dict[str, Any]:
    """What a form page's templates take from its placement (_problems.html, _beside.html), with
    what the form itself could not read."""
    for unread in read_problems(form) if form is not None else []:
        placement.add(unread)
    return {"placed": placement.beside, "problems": placement.listed, "elsewhere": placement.elsewhere}


def _section_locate(spec: dict[str, Any], entries: list[Any]) -> Callable[[tuple[str | int, ...]], Spot | None]:
    """The fields of a simple section's form: ``<entry>-<key>`` per entry, ``new-<key>`` for the
    one being added; each labelled as the form labels it, after the entry's name when there are several."""
    labels = {key: str(label) for key, label, _ in spec["keys"]}
    new_labels = {key: str(label) for key, label, _ in spec.get("new", [])}

    def locate(tail: tuple[str | int, ...]) -> Spot | None:
        if spec.get("single"):
            index, key = 0, tail[0]
        elif len(tail) == 2 and isinstance(tail[0], int):
            index, key = tail[0], tail[1]
        else:
            return None
        if index == len(entries) and not spec.get("single") and str(key) in new_labels:
            return Spot(f"new-{key}", gettext("新的一项") + " · " + new_labels[str(key)], f"new-{key}")
        if index < len(entries) and str(key) in labels:
            name = f"{index}-{key}"
            entry = entries[index]
            named_as = "" if spec.get("single") or not isinstance(entry, dict) else \
                f"{text_of(entry.get('label') or entry.get('name'), language()) or entry.get('id', '')} · "
            return Spot(name, named_as + labels[str(key)], name)
        return None
    return locate


class EditingPages(BundlePages):
    """Items, materials and the simple sections, edited in forms."""

    def _item_form(self, bundle: Bundle, index: int) -> ItemForm:
        catalogues = working.catalogues(bundle.id)[1].catalogues
        form = ItemForm()
        lang = language()
        form.department.choices = picked((d.id, d.name.get(lang)) for d in catalogues.departments.values())
        compiled = Compiled(bundle, catalogues, lang)
        form.fields.choices = picked((f.id, compiled.text(compiled.fields[f.id].label)) for f in bundle.fields)
        form.materials.choices = picked((m.id, compiled.material_name(m)) for m in bundle.materials)
        return form

    @expose("/<bundle_id>/items/<int:index>/", methods=("GET", "POST"))
    def item(self, bundle_id: str, index: int) -> str | Response:
        text, version, bundle = self._editable(bundle_id)
        if not 0 <= index < len(bundle.items):
            abort(404, gettext("没有这个事项。"))
        item = bundle.items[index]
        form = self._item_form(bundle, index)
        problems = store().check(bundle_id, text, working.editing(bundle_id)).diagnostics  # its warnings, until a save says more
        conflict = None
        if request.method == "GET":
            _fill_item_form(form, item, version)
        elif form.validate_on_submit():
            require("editor", "save")
            base = ("items", index)
            edits = _item_edits(form, item, base, text)
            data = load_shared(text.encode("utf-8"), "x").data  # the steps handling it keep up with its promise
            before = data["items"][index]
            after = {**before, "time_limit": {**(before.get("time_limit") or {}), "promised": form.promised.data}}
            followers, followed = steps_following(data, item.id, before, after) if form.promised.data != item.promised_days \
                else ([], [])
            outcome = self._save(bundle_id, text, form.version.data, edits + followers,
                                 gettext("事项“%(name)s”", name=item.name.get(language())) + followed_note(followed))
            if isinstance(outcome, Response):
                return outcome
            problems, conflict = outcome
        placement = place(problems, ("items", index), wtforms_locate(form, ITEM_PATHS))
        return self.render("configurator/item.html", bundle_id=bundle_id, bundle=bundle, item=item, index=index,
                           form=form, conflict=conflict, **shown(placement, form))

    # ---- materials

    def _material_form(self, bundle: Bundle) -> MaterialForm:
        catalogues = working.catalogues(bundle.id)[1].catalogues
        form = MaterialForm()
        lang = language()
        form.material.choices = picked((m.id, m.name.get(lang)) for m in catalogues.materials.values())
        departments = picked((d.id, d.name.get(lang)) for d in catalogues.departments.values())
        items = picked((i.id, i.name.get(lang)) for i in bundle.items)
        form.shared_from.choices = [SelectChoice("", "—"), *departments]
        form.produced_by.choices = [SelectChoice("", "—"), *items]
        form.used_by.choices = items
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
            require("editor", "add")
            catalogues = working.catalogues(bundle_id)[1].catalogues
            entry: dict[str, Any] = {"id": (form.id.data or "").strip(), "material": form.material.data}
            if entry["id"] == entry["material"]:
                del entry["material"]
            for key in ("name", "source", "shared_from", "produced_by", "form", "requirement", "when"):
                value = (getattr(form, key).data or "").strip()
                if value and not (key == "requirement" and value == "required"):
                    entry[key] = value
            if form.count.data and form.count.data != 1:
                entry["count"] = form.count.data
            picked = catalogues.materials.get(form.material.data or "")
            entry = give_id("materials", entry, {m.id for m in bundle.materials},
                            picked.name.get() if picked is not None else "")
            edits: list[Edit] = [AppendEntry(("materials",), entry)]
            for item_index, item in enumerate(bundle.items):
                if item.id in (form.used_by.data or []):
                    edits.append(AppendEntry(("items", item_index, "materials"), entry["id"]))
            outcome = self._save(bundle_id, text, form.version.data, edits, gettext("新增材料“%(name)s”", name=_entry_name(entry, picked)))
            if isinstance(outcome, Response):
                return outcome
            problems, conflict = outcome
        placement = place(problems, ("materials", len(bundle.materials)), wtforms_locate(form, MATERIAL_PATHS))
        return self.render("configurator/material.html", bundle_id=bundle_id, bundle=bundle, form=form,
                           conflict=conflict, **shown(placement, form))

    # ---- simple sections

    @expose("/<bundle_id>/section/<section>/", methods=("GET", "POST"))
    def section(self, bundle_id: str, section: str) -> str | Response:
        if section not in SECTIONS:
            abort(404, gettext("没有这个部分。"))
        spec = shown_section(SECTIONS[section])
        text, version, bundle = self._editable(bundle_id)
        from configurator.language.loader import load_yaml

        data = load_yaml(text.encode("utf-8"), "x").data
        entries = [data] if spec.get("single") else list(data.get(section, []))
        prefix: tuple[Any, ...] = () if spec.get("single") else (section,)
        form = FlaskForm()
        submitted: dict[str, Any] = {}
        problems: list[Diagnostic] = []
        conflict = None
        if request.method == "POST" and form.validate_on_submit():
            require("editor", "save")
            edits: list[Edit] = []
            for index, entry in enumerate(entries):
                base = prefix if spec.get("single") else prefix + (index,)
                for key, _, kind in spec["keys"]:
                    name = f"{index}-{key}"
                    value = request.form.getlist(name) if kind.startswith("multi:") else request.form.get(name, "")
                    submitted[name] = value
                    edit = section_edit(base + (key,), kind, value, entry.get(key))
                    if edit is not None:
                        edits.append(edit)
            new_entry = {key: request.form.get(f"new-{key}", "").strip() for key, _, _ in spec.get("new", [])}
            submitted.update({f"new-{k}": v for k, v in new_entry.items()})
            if any(new_entry.values()):
                edits.append(AppendEntry((section,), {k: v for k, v in new_entry.items() if v}))
            outcome = self._save(bundle_id, text, request.form.get("seen", ""), edits, spec["title"])
            if isinstance(outcome, Response):
                return outcome
            problems, conflict = outcome
        catalogues = working.catalogues(bundle_id)[1].catalogues
        sources = {"departments": named((d.id, d.name.get(language())) for d in catalogues.departments.values()),
                   "fields": named((f.id, f.label.get(language())) for f in catalogues.fields.values())}
        if request.method == "GET":
            problems = store().check(bundle_id, text, working.editing(bundle_id)).diagnostics  # its warnings
        placement = place(problems, prefix, _section_locate(spec, entries))
        return self.render("configurator/section.html", bundle_id=bundle_id, bundle=bundle, spec=spec,
                           section=section, entries=entries, values=section_value, submitted=submitted,
                           posted=request.method == "POST", sources=sources, version=version,
                           conflict=conflict, form=form, **shown(placement, form))

    @expose("/<bundle_id>/materials/<int:index>/", methods=("GET", "POST"))
    def material(self, bundle_id: str, index: int) -> str | Response:
        text, version, bundle = self._editable(bundle_id)
        if not 0 <= index < len(bundle.materials):
            abort(404, gettext("没有这份材料。"))
        material = bundle.materials[index]
        form = self._material_form(bundle)
        del form.used_by  # which items use it is edited on each item's page
        current = {"id": material.id, "material": material.catalogue_id,
                   "name": material.name.get() if material.name else "", "source": material.source,
                   "shared_from": material.shared_from or "", "produced_by": ",".join(material.produced_by),
                   "form": material.form or "", "requirement": material.requirement,
                   "when": material.when.text if material.when else ""}
        problems = store().check(bundle_id, text, working.editing(bundle_id)).diagnostics  # its warnings, until a save says more
        conflict = None
        if request.method == "GET":
            form.version.data = version
            for key, value in current.items():
                if key == "produced_by":
                    value = material.produced_by[0] if len(material.produced_by) == 1 else ""
                form[key].data = value
            form.count.data = material.count
        elif form.validate_on_submit():
            require("editor", "save")
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
            what = gettext("材料“%(name)s”", name=_material_name(bundle, material))
            outcome = self._save(bundle_id, text, form.version.data, edits, what)
            if isinstance(outcome, Response):
                return outcome
            problems, conflict = outcome
        placement = place(problems, ("materials", index), wtforms_locate(form, MATERIAL_PATHS))
        return self.render("configurator/material.html", bundle_id=bundle_id, bundle=bundle, form=form,
                           conflict=conflict, editing=material.id, editing_name=_material_name(bundle, material),
                           **shown(placement, form))

    # ---- history (git workspaces)


def _entry_name(entry: dict[str, Any], picked: Any) -> str:
    """A new material's name: its own, else the catalogue material's it was picked from."""
    name = entry.get("name")
    return str(name or (picked.name.get(language()) if picked is not None else entry.get("id", "")))


def _material_name(bundle: Bundle, material: BundleMaterial) -> str:
    """A material as the official knows it: its name here, else the catalogue's."""
    catalogues = working.catalogues(bundle.id)[1].catalogues
    return Compiled(bundle, catalogues, language()).material_name(material)


def _fill_item_form(form: ItemForm, item: Item, version: str) -> None:
    """The item form as the page opens: the item's values as they are saved."""
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


def _item_edits(form: ItemForm, item: Item, base: tuple[Any, ...], text: str) -> list[Edit]:
    """The edits of the fields the posted form changed (the followers of a raised promise apart)."""
    name = form.name.data.strip()
    # Only what changed becomes an edit: each edit re-reads the file, and a form saved
    # without changes must leave it untouched anyway.
    name_path: tuple[Any, ...] = base + ("name", "zh-CN")
    if name != item.name.get() and len(item.name.translations) == 1 and isinstance(raw_value(text, base + ("name",)), str):
        name_path = base + ("name",)  # written as plain text, not as {zh-CN: ...}
    changes: list[tuple[Any, Any, Edit]] = [
        (name, item.name.get(), SetValue(name_path, name)),
        (form.department.data, item.department, SetValue(base + ("department",), form.department.data)),
        (form.promised.data, item.promised_days, SetValue(base + ("time_limit", "promised"), form.promised.data)),
        (form.visits.data, item.visits, SetValue(base + ("visits",), form.visits.data)),
        (form.steps.data, item.steps, SetValue(base + ("steps",), form.steps.data)),
        ((form.code.data or "").strip() or None, item.code,
         set_or_delete(base + ("code",), (form.code.data or "").strip())),
        (form.statutory.data, item.statutory_days, set_or_delete(base + ("time_limit", "statutory"), form.statutory.data)),
        ((form.when.data or "").strip() or None, item.when.text if item.when else None,
         set_or_delete(base + ("when",), (form.when.data or "").strip())),
        (ordered(form.fields.data, item.fields), list(item.fields),
         set_or_delete(base + ("fields",), ordered(form.fields.data, item.fields))),
        (ordered(form.materials.data, item.materials), list(item.materials),
         set_or_delete(base + ("materials",), ordered(form.materials.data, item.materials))),
        (parse_after(form.after.data or ""), [{"item": a.item, "reason": a.reason.get()} for a in item.after],
         set_or_delete(base + ("after",), parse_after(form.after.data or ""))),
    ]
    return [edit for new, old, edit in changes if new != old]
