"""The base of the pages of one bundle: read it as this user edits it; save a list of edits."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_admin import BaseView
from flask_login import current_user
from werkzeug.wrappers import Response

from configurator.authoring.textedits import Edit, EditError, apply_edits
from configurator.diagnostics import Diagnostic, has_errors
from configurator.model import Bundle
from configurator.web import store
from configurator.web.access import Protected
from configurator.web.models import audit
from configurator.workspace.store import Conflict, NotFound


class BundlePages(Protected, BaseView):
    """What every page of one bundle needs: reading it as the user edits it, and saving edits."""

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

