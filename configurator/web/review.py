"""Change requests (变更申请) in the admin: list, open, and everything a review needs on one page.

A thin shell over configurator/workspace/changes.py: every action is one library call; the
page reads the change request, its branch and main, and shows title, description, authors, the
semantic and line diff against the merge base with the current main, check results, figure
deltas with anything worse for citizens flagged, the changed bundles beside the published ones,
and the comment thread. Publish carries the branch head and main the reviewer saw.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, request, url_for
from flask_admin import BaseView, expose
from flask_babel import gettext
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from configurator.web import language, store, working
from configurator.web.access import Protected, require
from configurator.web.labels import EVENT_NAMES, STATE_NAMES
from configurator.web.models import audit
from configurator.workspace.changes import OPEN, ChangeError, ChangeRequests
from configurator.workspace.records import Record


def _changes() -> ChangeRequests:
    found = store().changes
    if found is None:
        abort(404, gettext("这个工作区不是 git 仓库，没有变更申请。"))
    return found


def _back() -> str:
    """Where a form posted from another page returns to: a path of this site, nothing else."""
    target = request.form.get("next", "")
    return target if target.startswith("/") and not target.startswith("//") and "\\" not in target else ""


def _visible(change_id: int) -> Record:
    changes = _changes()
    try:
        change = changes.get(change_id)
    except ChangeError as error:
        abort(404, error.text(language()))
    if not changes.may_see(change, current_user.username, current_user.role):
        abort(403, gettext("您不能查看这个变更申请。"))
    return change


class ChangesView(Protected, BaseView):
    """Change requests: the list, one change request's review page, and its actions."""

    role = "editor"

    @expose("/")
    def index(self) -> str:
        changes = store().changes
        if changes is None:
            return self.render("configurator/changes.html", enabled=False, groups=[], form=FlaskForm())
        changes.reconcile()
        visible = [c for c in changes.records.all() if changes.may_see(c, current_user.username, current_user.role)]
        order = ("submitted", "publishing", "returned", "draft", "published", "withdrawn")
        groups = [(state, STATE_NAMES[state], [c for c in visible if c.state == state]) for state in order]
        return self.render("configurator/changes.html", enabled=True, groups=groups, form=FlaskForm())

    @expose("/new/", methods=("POST",))
    def new(self) -> Response:
        require("editor", "create-change")
        form = FlaskForm()
        if not form.validate_on_submit():
            abort(400, gettext("表单已失效，请刷新后重试。"))
        title = request.form.get("title", "").strip()
        if not title:
            flash(gettext("请填写变更申请的标题。"), "error")
            return redirect(url_for(".index"))
        created = _changes().create(current_user.username, title, request.form.get("description", ""))
        assert created is not None
        working.remember(created)
        audit(current_user.username, "change-create", f"#{created.id}", title)
        flash(gettext("已新建变更申请 #%(id)d“%(title)s”，它现在是您的当前变更申请：您在各页面的修改（一件事、目录、地区）都保存到这里，"
                      "直到您提交审核或切换到别的变更申请。", id=created.id, title=created.title), "success")
        return redirect(_back() or url_for(".detail", change_id=created.id))

    @expose("/work/", methods=("POST",))
    def work(self) -> Response:
        """Switch the working context to one of the user's own open change requests (or to none:
        the next save opens a new one), then back to the page the switch was made on."""
        require("editor", "switch-change")
        if not FlaskForm().validate_on_submit():
            abort(400, gettext("表单已失效，请刷新后重试。"))
        raw = request.form.get("to", "")
        if raw == "none":
            working.remember_none()
            flash(gettext("已不再使用变更申请：下次保存时会新建一个。"), "info")
        else:
            chosen = next((c for c in working.current().mine if str(c.id) == raw), None)
            if chosen is None:  # not a number of the user's own open requests: nothing changes
                abort(409, gettext("只能切换到您自己的、还没有发布或撤回的变更申请。"))
            working.remember(chosen)
            flash(gettext("现在的修改保存到变更申请 #%(id)d“%(title)s”。", id=chosen.id, title=chosen.title), "success")
        return redirect(_back() or url_for("admin.index"))

    @expose("/<int:change_id>/")
    def detail(self, change_id: int) -> str:
        from configurator.web.review_page import review_context

        change = _visible(change_id)
        context: dict[str, Any] = review_context(_changes(), change, language())
        return self.render("configurator/change.html", change=change, state_names=STATE_NAMES, event_names=EVENT_NAMES,
                           form=FlaskForm(),
                           open_states=OPEN, **context)

    def _act(self, change_id: int, role: str, action: str) -> Record:
        require(role, action)
        if not FlaskForm().validate_on_submit():
            abort(400, gettext("表单已失效，请刷新后重试。"))
        return _visible(change_id)

    @expose("/<int:change_id>/<action>/", methods=("POST",))
    def act(self, change_id: int, action: str) -> Response:
        changes = _changes()
        user = current_user.username
        roles = {"submit": "editor", "withdraw": "editor", "comment": "editor", "edit": "editor", "push": "editor",
                 "send-back": "reviewer", "publish": "reviewer"}
        if action not in roles:
            abort(404)
        change = self._act(change_id, roles[action], action)
        try:
            if action == "submit":
                changes.submit(change, user)
                working.forget(change.id)
                flash(gettext("已提交审核。审核人员会看到这个变更申请。接下来的修改会保存到新的变更申请，"
                              "或在页面上方切换到您的其他变更申请。"), "success")
            elif action == "withdraw":
                if user != change.author and not current_user.can("reviewer"):
                    abort(403, gettext("只有作者或审核人员能撤回。"))
                changes.withdraw(change, user)
                working.forget(change.id)
                flash(gettext("已撤回这个变更申请；它的分支保留在仓库中。"), "success")
            elif action == "comment":
                changes.comment(change, user, request.form.get("comment", ""))
                flash(gettext("已添加评论。"), "success")
            elif action == "edit":
                changes.edit_text(change, user, request.form.get("title", ""), request.form.get("description", ""))
                flash(gettext("已保存标题和说明。"), "success")
            elif action == "send-back":
                changes.send_back(change, user, request.form.get("comment", ""))
                flash(gettext("已退回修改；作者修改后重新提交前，它不能发布。"), "success")
            elif action == "push":
                from configurator.workspace import git

                git.push(store().workspace.root, change.branch)
                flash(gettext("已把 %(branch)s 推送到远程仓库，可以在那里发起合并请求。", branch=change.branch), "success")
            else:
                return self._publish(changes, change)
        except ChangeError as error:
            abort(error.status, error.text(language()))
        except Exception as error:  # a git failure (push to a missing remote...) is said, not a 500
            from configurator.workspace.git import GitError

            if not isinstance(error, GitError):
                raise
            flash(gettext("操作失败：%(error)s", error=error), "error")
        audit(user, f"change-{action}", f"#{change.id}", request.form.get("comment", "")[:500])
        return redirect(url_for(".detail", change_id=change.id))

    def _publish(self, changes: ChangeRequests, change: Record) -> Response:
        result = changes.publish(change, current_user.username, seen_head=request.form.get("head", ""),
                                 seen_main=request.form.get("main", ""))
        if result.published:
            audit(current_user.username, "publish", f"#{change.id}", result.commit)
            bumped = gettext("，").join(gettext("%(bundle)s 版本 %(version)s", bundle=b, version=v) for b, v in result.bumped.items())
            if bumped:
                flash(gettext("已发布变更申请 #%(id)d。（%(versions)s）", id=change.id, versions=bumped), "success")
            else:
                flash(gettext("已发布变更申请 #%(id)d。", id=change.id), "success")
            return redirect(url_for(".detail", change_id=change.id))
        reasons = {
            "own-change": gettext("不能发布自己参与修改的变更申请：请另一位审核人员发布（四眼原则）。"),
            "moved": gettext("在您查看之后，这个变更申请或已发布的版本又有了修改。请查看最新的内容后再发布。"),
            "state": gettext("只有“待审核”的变更申请可以发布。"),
            "busy": gettext("发布版本正被另一个操作占用（main 分支被锁定），什么都没有改动。请稍后再发布。"),
            "nothing": gettext("这个变更申请没有需要发布的改动。"),
            "conflict": gettext("与已发布的内容有冲突，已发布的内容没有改动。请先“从发布版本更新”并逐项解决冲突；"
                                "解决后的内容需要再次审核。"),
        }
        if result.reason == "errors":
            listed = "; ".join(f"{d.file}:{d.line}:{d.column} {d.message(language())}" for d in result.diagnostics[:5])
            flash(gettext("发布被拒绝：合并后有错误 — %(problems)s", problems=listed), "error")
        else:
            flash(reasons.get(result.reason) or gettext("没有发布。"), "error")
        return redirect(url_for(".detail", change_id=change.id))

    @expose("/<int:change_id>/update/", methods=("GET", "POST"))
    def update(self, change_id: int) -> str | Response:
        from configurator.web.review_page import conflict_labels, parse_choices, update_rows

        require("editor", "update")
        change = _visible(change_id)
        changes = _changes()
        if current_user.username not in changes.authors(change) and not current_user.can("reviewer"):
            abort(403, gettext("只有作者或审核人员能更新这个变更申请。"))
        plan = changes.plan_update(change)
        if plan is None:
            flash(gettext("已经是最新的发布版本，无需更新。"), "info")
            return redirect(url_for(".detail", change_id=change_id))
        form = FlaskForm()
        problems: list[str] = []
        labels = conflict_labels(plan, changes.repo, language())
        if request.method == "POST" and form.validate_on_submit():
            choices, problems = parse_choices(plan, request.form, labels)
            if not problems:
                try:
                    changes.update(change, current_user.username, seen_head=request.form.get("head", ""),
                                   seen_main=request.form.get("main", ""), choices=choices)
                except ChangeError as error:
                    flash(error.text(language()), "error")
                else:
                    audit(current_user.username, "change-update", f"#{change.id}", plan.main)
                    flash(gettext("已从发布版本更新。"), "success")
                    return redirect(url_for(".detail", change_id=change_id))
        return self.render("configurator/change_update.html", change=change, plan=plan, rows=update_rows(plan, labels),
                           form=form, problems=problems)

    # ---- the URLs of the draft-per-user review, kept working

    @expose("/publish/", methods=("POST",))
    @expose("/send-back/", methods=("POST",))
    @expose("/push/", methods=("POST",))
    @expose("/resolve/", methods=("GET", "POST"))
    def legacy(self) -> Response:
        change = _changes().records.by_branch(request.values.get("branch", ""))
        if change is None:
            abort(404, gettext("没有这个草稿。"))
        flash(gettext("审核现在在变更申请的页面中进行。"), "info")
        return redirect(url_for(".detail", change_id=change.id))
