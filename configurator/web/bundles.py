"""The home page, the bundle list, a bundle's overview, its history and its YAML source."""

from __future__ import annotations

import datetime as dt

from flask import abort, flash, redirect, request, url_for
from flask_admin import AdminIndexView, expose
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from configurator.diagnostics import has_errors
from configurator.web import language, store
from configurator.web.access import Protected, require
from configurator.web.editing import EditingPages
from configurator.web.feedback import messages
from configurator.web.models import audit
from configurator.web.preview import PreviewPages
from configurator.workspace.store import Conflict


class HomeView(Protected, AdminIndexView):
    @expose("/")
    def index(self) -> str:
        rows = store().summaries()
        return self.render("configurator/home.html", rows=rows,
                           errors=sum(1 for r in rows if r.errors), items=sum(r.items for r in rows))



class BundlesView(EditingPages, PreviewPages):
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
                           problems=messages(diagnostics), catalogues=catalogues,
                           department_name=lambda d: catalogues.departments[d].name.get(language())
                           if d in catalogues.departments else d)

    # ---- items

    @expose("/<bundle_id>/history/", methods=("GET", "POST"))
    def history(self, bundle_id: str) -> str | Response:
        from configurator.language.loader import load_yaml
        from configurator.present.semantic_diff import diff_data
        from configurator.workspace import drafts as git_drafts
        from configurator.workspace.git import GitError

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
                           problems=messages(diagnostics), conflict=conflict)

