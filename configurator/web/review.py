"""Review and publishing of drafts."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_admin import BaseView, expose
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from configurator.diagnostics import Diagnostic
from configurator.web import language, store
from configurator.web.access import Protected, require
from configurator.web.feedback import messages
from configurator.web.models import AuditEntry, audit, db


class ChangesView(Protected, BaseView):
    """Drafts waiting for review: semantic and line diff, check results; publish or send back."""

    role = "editor"

    @expose("/")
    def index(self) -> str:
        from configurator.present.semantic_diff import semantic_diff
        from configurator.workspace import drafts as git_drafts
        from configurator.workspace.git import git, version_at

        if not store().git_mode:
            return self.render("configurator/changes.html", enabled=False, rows=[], form=FlaskForm())
        repo = store().workspace.root
        main = version_at(repo, git_drafts.MAIN)
        rows = []
        for branch in git_drafts.drafts(repo):
            changes = semantic_diff(main, version_at(repo, branch))
            problems = [d for d in git_drafts.check_tree(repo, branch) if d.severity == "error"]
            base = git(repo, "merge-base", git_drafts.MAIN, branch).strip()
            comments = db.session.execute(db.select(AuditEntry).filter_by(action="send-back", target=branch)
                                          .order_by(AuditEntry.at.desc()).limit(1)).scalars().all()
            rows.append({"branch": branch, "authors": sorted(git_drafts.authors(repo, branch)),
                         "changes": [c.text() for c in changes], "errors": messages(problems),
                         "diff": git(repo, "diff", base, branch, "--", "bundles", "catalogues"),
                         "comment": comments[0].detail if comments else ""})
        return self.render("configurator/changes.html", enabled=True, rows=rows, form=FlaskForm(),
                           four_eyes=self._four_eyes(), remotes=git_drafts.remotes(repo))

    @expose("/push/", methods=("POST",))
    def push(self) -> Response:
        from configurator.workspace import drafts as git_drafts
        from configurator.workspace.git import GitError

        require("editor")
        branch = request.form.get("branch", "")
        if not branch.startswith(git_drafts.DRAFT_PREFIX):
            abort(400, "没有这个草稿。")
        try:
            git_drafts.push(store().workspace.root, branch)
        except GitError as error:
            flash(f"推送失败：{error}", "error")
        else:
            audit(current_user.username, "push", branch)
            flash(f"已把 {branch} 推送到远程仓库，可以在那里发起合并请求。", "success")
        return redirect(url_for(".index"))

    def _four_eyes(self) -> bool:
        from flask import current_app

        return bool(current_app.config.get("FOUR_EYES", True))

    @expose("/publish/", methods=("POST",))
    def publish(self) -> Response:
        from configurator.workspace import drafts as git_drafts

        require("reviewer")
        branch = request.form.get("branch", "")
        if not branch.startswith(git_drafts.DRAFT_PREFIX):
            abort(400, "没有这个草稿。")
        result = git_drafts.publish(store().workspace.root, branch, reviewer=current_user.username,
                                    email=f"{current_user.username}@localhost", four_eyes=self._four_eyes())
        if result.published:
            audit(current_user.username, "publish", branch, result.commit)
            flash(f"已发布 {branch}。", "success")
        elif result.reason == "own-change":
            flash("不能发布自己的修改：请另一位审核人员发布（四眼原则）。", "error")
        elif result.reason == "errors":
            flash("发布被拒绝：合并后有错误 — " + "；".join(d.message(language()) for d in result.diagnostics[:5]), "error")
        elif result.reason == "conflict":
            flash(f"与已发布的内容冲突（{', '.join(result.conflicts)}），已发布的内容没有改动。"
                  "请在下面解决冲突后发布，或退回给编辑者。", "error")
            return redirect(url_for(".resolve", branch=branch))
        else:
            flash("这个草稿没有需要发布的改动。", "info")
        return redirect(url_for(".index"))

    @expose("/resolve/", methods=("GET", "POST"))
    def resolve(self) -> str | Response:
        from configurator.workspace import drafts as git_drafts

        require("reviewer")
        branch = request.values.get("branch", "")
        if not branch.startswith(git_drafts.DRAFT_PREFIX):
            abort(400, "没有这个草稿。")
        repo = store().workspace.root
        form = FlaskForm()
        found = git_drafts.conflict(repo, branch)
        if found is None:
            flash("这个草稿没有冲突。", "info")
            return redirect(url_for(".index"))
        texts = dict(found.files)
        problems: list[Diagnostic] = []
        if request.method == "POST" and form.validate_on_submit():
            texts = {path: request.form.get(f"file-{index}", "").replace("\r\n", "\n")
                     for index, path in enumerate(found.files)}
            try:
                result = git_drafts.resolve(repo, branch, texts, main_seen=request.form.get("main", ""),
                                            draft_seen=request.form.get("draft", ""), reviewer=current_user.username,
                                            email=f"{current_user.username}@localhost",
                                            four_eyes=self._four_eyes())
            except git_drafts.StaleBranch as error:
                flash(str(error), "error")
            else:
                if result.published:
                    audit(current_user.username, "publish", branch, f"{result.commit}（解决冲突）")
                    flash(f"已解决冲突并发布 {branch}。", "success")
                    return redirect(url_for(".index"))
                if result.reason == "markers":
                    flash("还有未解决的冲突标记（<<<<<<< ======= >>>>>>>）：" + ", ".join(result.conflicts), "error")
                elif result.reason == "own-change":
                    flash("不能发布自己的修改（四眼原则）。", "error")
                problems = list(result.diagnostics)
        return self.render("configurator/resolve.html", branch=branch, conflict=found, texts=texts, form=form,
                           problems=messages(problems), main=request.form.get("main", found.main),
                           draft=request.form.get("draft", found.draft))

    @expose("/send-back/", methods=("POST",))
    def send_back(self) -> Response:
        require("reviewer")
        branch = request.form.get("branch", "")
        comment = request.form.get("comment", "").strip()
        if not comment:
            flash("退回时请写明原因。", "error")
        else:
            audit(current_user.username, "send-back", branch, comment)
            flash(f"已退回 {branch}。", "success")
        return redirect(url_for(".index"))


