"""The base of the pages of one bundle: read it as this user edits it; save a list of edits.

In a git workspace an edit goes to a change request: the user's working context (working.py),
else the editor's open one that already touches the bundle, else a new one opened by the save,
which then becomes the working context. Every save says where it went and what happened.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, request, url_for
from flask_admin import BaseView
from flask_babel import gettext, ngettext
from flask_login import current_user
from markupsafe import Markup, escape
from werkzeug.wrappers import Response

from configurator.authoring.steplimits import Followed
from configurator.authoring.textedits import Edit, EditError, apply_edits
from configurator.diagnostics import Diagnostic, has_errors
from configurator.model import Bundle
from configurator.web import language, store, working
from configurator.web.access import Protected
from configurator.web.labels import STATE_NAMES
from configurator.web.models import audit
from configurator.workspace.changes import ChangeError
from configurator.workspace.store import Conflict, NotFound, SaveResult


def followed_note(followed: list[Followed]) -> str:
    """What a save changed besides what was asked: steps whose time limit followed an item's promise."""
    return "".join(gettext("；环节“%(step)s”的时限随之改为 %(days)d 个工作日", step=f.name, days=f.days) for f in followed)


def saved_message(result: SaveResult, what: str) -> Markup:
    """What happened to a save, said plainly (with a link to the change request)."""
    if result.change is None:
        return Markup(escape(gettext("已保存：%(what)s。", what=what)))
    change = result.change
    link = Markup('<a href="{}">#{} {}</a>').format(url_for("changes.detail", change_id=change.id), change.id,
                                                    change.title)
    # The translated sentence is escaped, then the link goes in: the message stays markup-safe.
    slots = {"what": "{what}", "link": "{link}", "state": "{state}", "then": "{then}"}
    if result.created:
        sentence = gettext("已保存：%(what)s。新建了变更申请 %(link)s（%(state)s）。%(then)s", **slots)
    else:
        sentence = gettext("已保存：%(what)s。已保存到变更申请 %(link)s（%(state)s）。%(then)s", **slots)
    then = gettext("审核人员将看到这次修改。") if change.state == "submitted" else gettext("在那里提交审核后，由另一位审核人员发布。")
    return Markup(escape(sentence)).format(what=what, link=link, state=STATE_NAMES[change.state], then=then)


class BundlePages(Protected, BaseView):
    """What every page of one bundle needs: reading it as the user edits it, and saving edits."""

    def render(self, template: str, **kwargs: Any) -> str:
        bundle_id = kwargs.get("bundle_id")
        if bundle_id and store().git_mode and current_user.is_authenticated and "editing_change" not in kwargs:
            kwargs.update(self._change_context(bundle_id))
        return str(super().render(template, **kwargs))

    def _change_context(self, bundle_id: str) -> dict[str, Any]:
        changes = store().changes
        if changes is None:
            return {}
        editing = working.editing(bundle_id)
        behind = changes.behind(editing) if editing is not None else []
        return {"editing_change": editing, "behind": behind, "state_names": STATE_NAMES}

    def _bundle(self, bundle_id: str) -> tuple[str, str, Bundle | None, list[Diagnostic]]:
        try:
            text, version = store().read(bundle_id, current_user.username, working.current_id())
        except NotFound:
            abort(404, gettext("没有一件事“%(id)s”。", id=bundle_id))
        result = store().check(bundle_id, text, working.editing(bundle_id))
        return text, version, result.bundle, result.diagnostics

    def _editable(self, bundle_id: str) -> tuple[str, str, Bundle]:
        """Text, version and model of a bundle that has no errors; otherwise off to its source."""
        text, version, bundle, _ = self._bundle(bundle_id)
        if bundle is None:
            flash(gettext("这个一件事还有错误，请先在“源文件”中改正。"), "error")
            abort(redirect(url_for(".source", bundle_id=bundle_id)))
        return text, version, bundle

    def _store_save(self, bundle_id: str, text: str, version: str) -> SaveResult:
        """store().save for this user; a change request's refusal becomes a clear HTTP answer."""
        try:
            return store().save(bundle_id, text, version, user=current_user.username,
                                message=request.form.get("message", "").strip(), change=working.current_id())
        except ChangeError as error:
            abort(error.status, error.text(language()))

    def _after_save(self, bundle_id: str, result: SaveResult, what: str) -> None:
        working.remember(result.change)
        if result.saved:
            target = f"#{result.change.id}" if result.change else ""
            audit(current_user.username, "save", bundle_id, f"{what} {target}".strip())
            warnings = [d for d in result.diagnostics if d.severity != "error"]
            message = saved_message(result, what)
            if warnings:  # saved, and said so: the warnings do not block it
                listed = "; ".join(d.message(language()) for d in warnings[:3])
                message += ngettext("有 %(num)d 个提醒：%(listed)s", "有 %(num)d 个提醒：%(listed)s", len(warnings), listed=listed)
            flash(message, "warning" if warnings else "success")
        elif not has_errors(result.diagnostics):
            flash(gettext("没有改动，没有保存任何内容。"), "info")

    def _save(self, bundle_id: str, text: str, version: str, edits: list[Edit], what: str,
              redirect_to: str | None = None) -> Response | tuple[list[Diagnostic], Conflict | None]:
        """Apply, check and save; every outcome says what happened: saved (where, with how many
        warnings), nothing changed, or the problems (returned: the page shows them, input kept)."""
        try:
            new_text = apply_edits(text, edits)
        except EditError as error:
            abort(400, gettext("无法修改：%(error)s", error=error))
        try:
            result = self._store_save(bundle_id, new_text, version)
        except Conflict as conflict:
            return store().check(bundle_id, new_text, working.editing(bundle_id)).diagnostics, conflict
        self._after_save(bundle_id, result, what)
        if result.saved or not has_errors(result.diagnostics):
            return redirect(_same_page(result, redirect_to))
        return result.diagnostics, None

    # ---- preview and simulator


def _same_page(result: SaveResult, page: str | None = None) -> str:
    """The page again (or ``page``), on the change request the save went to."""
    page = page or request.path
    if result.change is None:
        return page
    anchor = ""
    if "#" in page:
        page, anchor = page.split("#", 1)
        anchor = "#" + anchor
    return f"{page}{'&' if '?' in page else '?'}change={result.change.id}{anchor}"
