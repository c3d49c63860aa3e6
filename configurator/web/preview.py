"""Preview of the generated artifacts and the case simulator."""

from __future__ import annotations

from typing import Any

from flask import abort, jsonify, redirect, request, url_for
from flask_admin import expose
from flask_babel import gettext
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from configurator.diagnostics import Diagnostic
from configurator.language.check import CatalogueCheck
from configurator.model import Bundle
from configurator.planning.compiled import Compiled
from configurator.planning.plan import AnswerValueError, parse_answer
from configurator.present.explain import explanation
from configurator.web import language, preview_parts, store, working
from configurator.web.bundle_pages import BundlePages
from configurator.web.feedback import messages
from configurator.web.security import allow_inline_scripts_of


def visible_commit(revision: str) -> str:
    """The commit ``revision`` names, when this user may see it: ``main`` or the full id of a
    published commit (anyone), or of a commit on a change request the user may see. 400 for
    anything else (nothing from a request reaches git as an option), 404 unknown, 403 not yours."""
    from flask_login import current_user

    from configurator.workspace import git

    repo = store().workspace.root
    main = store().published_commit()
    if revision == git.MAIN:
        return main
    if not git.is_full_id(revision):
        abort(400, gettext("版本只能是 main 或完整的 40 位提交编号。"))
    if not git.exists(repo, revision):
        abort(404, gettext("没有版本“%(version)s”。", version=revision))
    if git.is_ancestor(repo, revision, main):
        return revision
    changes = store().changes
    if changes is not None:
        for change in changes.records.all():
            head = git.ref(repo, change.branch)
            if head and changes.may_see(change, current_user.username, current_user.role) \
                    and git.is_ancestor(repo, revision, head):
                return revision
    abort(403, gettext("您不能查看这个未发布的版本。"))


class PreviewPages(BundlePages):
    """The artifacts as portals will get them, and the case simulator."""

    def _previewed(self, bundle_id: str) -> tuple[str, Bundle | None, list[Diagnostic], tuple[tuple[object, ...], CatalogueCheck]]:
        """The text shown: as this user edits it, or at ``ref`` (a commit they may see); with the
        catalogues it is checked against (those of the change request or commit it is read from)."""
        revision = request.args.get("ref", "").strip()
        if revision and store().git_mode:  # e.g. ?ref=main: what portals get
            from configurator.workspace.git import read_file

            # At a commit the user may see, whether or not the bundle is in their own version: a
            # reviewer previews a bundle that exists only in the change request under review.
            commit = visible_commit(revision)
            data = read_file(store().workspace.root, commit, f"bundles/{bundle_id}.yaml")
            if data is None:
                abort(404, gettext("版本“%(version)s”中没有这个一件事。", version=revision))
            text = data.decode("utf-8", "replace")
            result = store().check(bundle_id, text, commit)
            return text, result.bundle, result.diagnostics, store().catalogues_at(commit)
        text, _, bundle, diagnostics = self._bundle(bundle_id)
        return text, bundle, diagnostics, working.catalogues(bundle_id)

    @expose("/<bundle_id>/preview/")
    def preview(self, bundle_id: str) -> str | Response:
        text, bundle, diagnostics, (stamp, catalogues) = self._previewed(bundle_id)
        if bundle is None:
            return self.render("configurator/preview.html", bundle_id=bundle_id, bundle=None,
                               problems=messages(diagnostics))
        key = preview_parts.key(bundle_id, text, language(), stamp)
        form_html = preview_parts.form_html(key, bundle, language(), catalogues.catalogues)
        allow_inline_scripts_of(form_html)  # the sandboxed srcdoc frame inherits our CSP
        query: dict[str, Any] = {k: v for k, v in request.args.items() if k in ("change", "ref")}
        return self.render("configurator/preview.html", bundle_id=bundle_id, bundle=bundle, problems=[],
                           form_html=form_html, parts_url=url_for(".preview_parts", bundle_id=bundle_id, **query))

    @expose("/<bundle_id>/preview/parts/")
    def preview_parts(self, bundle_id: str) -> Response:
        """The figures, the diagram and the notice of the same text as the page (JSON of HTML)."""
        text, bundle, _, (stamp, catalogues) = self._previewed(bundle_id)
        if bundle is None:
            abort(409, gettext("这个一件事有错误，无法预览。"))
        found = preview_parts.parts(preview_parts.key(bundle_id, text, language(), stamp), bundle, language(),
                                    catalogues.catalogues)
        response = jsonify(found)
        response.headers["Cache-Control"] = "private, no-store"
        return response

    @expose("/<bundle_id>/simulate/", methods=("GET", "POST"))
    def simulate(self, bundle_id: str) -> str | Response:
        text, version, bundle, diagnostics = self._bundle(bundle_id)
        if bundle is None:
            return redirect(url_for(".preview", bundle_id=bundle_id))
        # the preview's compiled model for this text: its cases are enumerated once for both pages
        stamp, catalogues = working.catalogues(bundle_id)
        compiled = preview_parts.compiled(preview_parts.key(bundle_id, text, language(), stamp), bundle, language(),
                                          catalogues.catalogues)
        answers: dict[str, Any] = {}
        errors: dict[str, str] = {}
        result = None
        if request.method == "POST":
            for situation in bundle.situations:
                if situation.type == "multi_choice":
                    raw = ",".join(request.form.getlist(situation.id))
                else:
                    raw = request.form.get(situation.id, "")
                if raw.strip() == "" and not (situation.type == "multi_choice" and situation.allow_none):
                    continue
                try:
                    answers[situation.id] = parse_answer(situation, raw)
                except ValueError as error:
                    errors[situation.id] = error.text(language()) if isinstance(error, AnswerValueError) else str(error)
            if not errors:
                result = _with_todays_due_date(compiled, answers)
        material_names = {m.id: compiled.material_name(m) for m in bundle.materials}
        return self.render("configurator/simulate.html", bundle_id=bundle_id, bundle=bundle, compiled=compiled,
                           material_names=material_names,
                           question_labels={s.id: compiled.text(s.label) for s in bundle.situations},
                           item_names={i.id: compiled.text(i.name) for i in bundle.items},
                           answers=answers, errors=errors, result=result, form=FlaskForm())


def _with_todays_due_date(compiled: Compiled, answers: dict[str, Any]) -> dict[str, Any]:
    """The case as if received today (China time): "今天受理，预计 X 月 X 日前办结". Without a
    known holiday arrangement for the dates involved, the case is shown without dates."""
    import datetime as dt

    from configurator.planning.calendar import CalendarError
    from configurator.web.api import published_calendar

    today = dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).date()
    try:
        return explanation(compiled, answers, published_calendar(), today)
    except CalendarError as error:
        result = explanation(compiled, answers)
        result["calendar_problem"] = error.text(language())
        return result

