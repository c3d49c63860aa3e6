"""The regions page: a read-only table of regions × bundles with every difference from the
standard and the violations flagged; and each region file's YAML source, edited like a bundle's:
checked in full before anything is written, and in a git workspace saved to a change request
(never to the published files), so a second person reviews it before it is published.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from flask import abort, flash, redirect, request, url_for
from flask_admin import BaseView, expose
from flask_babel import gettext
from flask_login import current_user
from werkzeug.wrappers import Response

from configurator.diagnostics import Diagnostic, has_errors
from configurator.language.region_rules import ASPECTS
from configurator.planning.calendar_files import read_calendars
from configurator.present.region_report import region_cells
from configurator.web import language, store, working
from configurator.web.access import Protected, require
from configurator.web.api import published
from configurator.web.bundle_pages import saved_message
from configurator.web.feedback import messages, problem
from configurator.web.models import audit
from configurator.web.region_api import published_calendar_sources, published_region_sources, published_regions
from configurator.workspace import git
from configurator.workspace.changes import ChangeError, Stale
from configurator.workspace.regions import CALENDARS_DIR, REGIONS_DIR, check_region_sources
from configurator.workspace.store import SaveResult, atomic_write, version_of

_CODE = re.compile(r"[1-9][0-9]{5}")
_CALENDAR_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,40}")
_NEW_REGION = '# yaml-language-server: $schema=../schemas/region.schema.json\ncode: "{code}"\nname: 地区名称\n{parent}'


class RegionsView(Protected, BaseView):
    @expose("/")
    def index(self) -> str:
        state = published()
        regions = published_regions()
        resolved = [regions.resolved(code) for code in regions.valid_codes(allow_deviations=True)]
        cells = region_cells(resolved, state.bundles)
        table = {(c.region, c.bundle): c for c in cells}
        problems = [(d.file, problem(d)) for d in sorted(regions.diagnostics, key=lambda d: d.severity != "error")
                    if d.code != "E604"]
        codes = sorted(f.filename.rsplit("/", 1)[-1].removesuffix(".yaml") for f in regions.files)
        calendars = [n.rsplit("/", 1)[-1].removesuffix(".yaml") for n, _ in published_calendar_sources()]
        return self.render("configurator/regions.html", regions=resolved, bundles=sorted(state.bundles), table=table,
                           aspects=ASPECTS, problems=problems, has_errors=has_errors(regions.diagnostics), codes=codes, calendars=calendars,
                           violations=sum(len(c.violations) for c in cells), lang=language())

    @expose("/new/")
    def new(self) -> Response:
        code = request.args.get("code", "").strip()
        if not _CODE.fullmatch(code):
            flash(gettext("行政区划代码是六位数字（GB/T 2260），如 330106。"), "error")
            return redirect(url_for(".index"))
        return redirect(url_for(".source", code=code))

    @expose("/calendars/new/")
    def new_calendar(self) -> Response:
        name = request.args.get("name", "").strip()
        if not _CALENDAR_NAME.fullmatch(name):
            flash(gettext("日历文件名只含小写字母、数字、下划线和连字符，如 2027。"), "error")
            return redirect(url_for(".index"))
        return redirect(url_for(".calendar_source", calendar=name))

    def _read(self, path: str) -> tuple[str | None, str]:
        """The file as this user edits it (None: not there yet) and the token a save must present."""
        root = store().workspace.root
        if store().git_mode:
            changes = store().changes
            assert changes is not None
            change = changes.for_editing(current_user.username, path, working.current_id())
            commit = changes.head(change) if change else store().published_commit()
            data = git.read_file(root, commit, path)
            return (data.decode("utf-8", "replace") if data is not None else None), commit
        file = root / path
        data = file.read_bytes() if file.exists() else None
        return (data.decode("utf-8", "replace") if data is not None else None), version_of(data or b"")

    @expose("/<code>/source/", methods=("GET", "POST"))
    def source(self, code: str) -> str | Response:
        if not _CODE.fullmatch(code):
            abort(404, gettext("行政区划代码是六位数字。"))
        parent = "" if code.endswith("0000") else f'parent: "{code[:2]}0000"\n'
        return self._source_page(f"{REGIONS_DIR}/{code}.yaml", gettext("地区 %(code)s", code=code),
                                 _NEW_REGION.format(code=code, parent=parent),
                                 _region_problems, url_for(".source", code=code))

    # (not "name": flask-admin's BaseView takes that argument itself)
    @expose("/calendars/<calendar>/source/", methods=("GET", "POST"))
    def calendar_source(self, calendar: str) -> str | Response:
        """A working-day calendar file (calendars/<name>.yaml): a year's arrangement or local holidays."""
        if not _CALENDAR_NAME.fullmatch(calendar):
            abort(404, gettext("日历文件名只含小写字母、数字、下划线和连字符，如 2027 或 hangzhou。"))
        skeleton = f"year: {calendar}\nsource: 国务院办公厅关于{calendar}年部分节假日安排的通知\nholidays: []\nworkdays: []\n" \
            if calendar.isdigit() and len(calendar) == 4 else 'regions: ["330000"]\nholidays: []\n'
        return self._source_page(f"{CALENDARS_DIR}/{calendar}.yaml", gettext("日历 %(name)s", name=calendar), skeleton, _calendar_problems,
                                 url_for(".calendar_source", calendar=calendar))

    def _source_page(self, path: str, what: str, skeleton: str, problems_of: Callable[[str, bytes], list[Diagnostic]],
                     here: str) -> str | Response:
        text, seen = self._read(path)
        text = skeleton if text is None else text
        problems: list[Diagnostic] = []
        conflict = None
        if request.method == "POST":
            require("editor", "save")
            text = request.form.get("text", "").replace("\r\n", "\n")
            seen = request.form.get("seen", "")
            problems = problems_of(path, text.encode("utf-8"))
            if not has_errors(problems) and self._unchanged(path, text, seen):
                flash(gettext("没有改动，没有保存任何内容。"), "info")
                return redirect(here)
            if not has_errors(problems):
                outcome = self._save(path, what, text, seen, here)
                if isinstance(outcome, Response):
                    return outcome
                conflict = outcome
        return self.render("configurator/region_source.html", path=path, text=text, seen=seen,
                           problems=messages(problems), conflict=conflict)

    def _unchanged(self, path: str, text: str, seen: str) -> bool:
        """The text is what the file holds at the version the form was opened at: nothing to write
        (and no change request to open). A version naming nothing is left to the save to refuse."""
        if store().git_mode:
            if not git.is_full_id(seen):
                return False
            found = git.read_file(store().workspace.root, seen, path)
        else:
            file = store().workspace.root / path
            found = file.read_bytes() if file.exists() else None
            if version_of(found or b"") != seen:
                return False
        return found == text.encode("utf-8")

    def _save(self, path: str, what: str, text: str, seen: str, here: str) -> Response | dict[str, str]:
        """Write, or say why not (a conflict keeps the input on the page)."""
        message = request.form.get("message", "").strip() or gettext("修改%(what)s", what=what)
        if not store().git_mode:
            file = store().workspace.root / path
            current = file.read_bytes() if file.exists() else b""
            if version_of(current) != seen:
                return {"difference": current.decode("utf-8", "replace")}
            file.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(file, text)
            audit(current_user.username, "region", path, message)
            flash(gettext("已保存：%(what)s。", what=what), "success")
            return redirect(here)
        changes = store().changes
        assert changes is not None
        try:
            result = changes.save(current_user.username, {path: text.encode("utf-8")}, seen=seen, message=message,
                                  change_id=working.current_id(), title=f"修改{_said(path)}")
        except Stale as stale:
            return {"difference": (stale.current or b"").decode("utf-8", "replace")}
        except ChangeError as error:
            abort(error.status, error.text(language()))
        working.remember(result.change)
        audit(current_user.username, "region", path, f"{message} #{result.change.id}")
        flash(saved_message(SaveResult(result.saved, None, "", result.change, result.created), what),  # type: ignore[arg-type]
              "success")
        return redirect(f"{here}?change={result.change.id}")


def _said(path: str) -> str:
    """A region or calendar file as a change request's title names it (in the workspace's language,
    like the request's other records): the region's code or the calendar's name."""
    name = path.rsplit("/", 1)[-1].removesuffix(".yaml")
    return f"地区 {name}" if path.startswith(REGIONS_DIR) else f"日历 {name}"


def _region_problems(path: str, data: bytes) -> list[Diagnostic]:
    """The new text's problems, checked with the other published region files and bundles."""
    state = published()
    others = [(n, b) for n, b in published_region_sources() if n != path]
    found = check_region_sources([*others, (path, data)], state.bundles, state.catalogues)
    return [d for d in found.diagnostics if d.file == path]


def _calendar_problems(path: str, data: bytes) -> list[Diagnostic]:
    """The new text's problems, checked with the other published calendar files (one file per year)."""
    others = [(n, b) for n, b in published_calendar_sources() if n != path]
    return [d for d in read_calendars([*others, (path, data)])[1] if d.file == path]
