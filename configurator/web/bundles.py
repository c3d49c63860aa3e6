"""The home page, the bundle list, a bundle's overview, its history and its YAML source."""

from __future__ import annotations

import datetime as dt

from flask import abort, flash, redirect, request, url_for
from flask_admin import AdminIndexView, expose
from flask_babel import gettext
from flask_login import current_user
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from werkzeug.wrappers import Response

from configurator.web import language, store, working
from configurator.web.access import Protected, require
from configurator.web.creation import CreationPages
from configurator.web.editing import EditingPages
from configurator.web.feedback import messages
from configurator.web.labels import STATE_NAMES
from configurator.web.models import audit
from configurator.web.nodes import NodePages
from configurator.web.preview import PreviewPages
from configurator.workspace.changes import DRAFT, RETURNED, SUBMITTED
from configurator.workspace.records import Record
from configurator.workspace.store import Conflict


class HomeView(Protected, AdminIndexView):
    @expose("/")
    def index(self) -> str:
        rows = store().summaries(working.current_change())
        return self.render("configurator/home.html", rows=rows, work=_work(), state_names=STATE_NAMES,
                           errors=sum(1 for r in rows if r.errors), items=sum(r.items for r in rows))


def _work() -> list[tuple[Record, str]]:
    """What waits for this user, first thing: their requests sent back (with the reviewer's words),
    their drafts, and, for a reviewer, others' requests waiting for review."""
    changes = store().changes
    if not store().git_mode or changes is None:
        return []
    user = current_user.username
    found: list[tuple[Record, str]] = []
    for change in changes.mine(user):
        said = ""
        if change.state == RETURNED:
            said = next((e.text for e in reversed(changes.records.events(change.id)) if e.kind == "send-back"), "")
        found.append((change, said))
    if current_user.can("reviewer"):
        found += [(change, "") for change in changes.records.all((SUBMITTED,)) if change.author != user]
    order = {RETURNED: 0, SUBMITTED: 1, DRAFT: 2}
    return sorted(found, key=lambda pair: (order.get(pair[0].state, 3), -pair[0].id))



class BundlesView(CreationPages, EditingPages, NodePages, PreviewPages):
    @expose("/")
    def index(self) -> str:
        change = working.current_change()
        rows = store().summaries(change)
        changes = store().changes
        # the bundles the working context adds or changes, marked in the list
        in_change = {p[len("bundles/"):-len(".yaml")] for p in changes.changed_paths(change)
                     if p.startswith("bundles/")} if change is not None and changes is not None else set()
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
        departments = working.catalogues()[1].catalogues.departments
        return self.render("configurator/bundles.html", rows=rows, departments=departments, query=query,
                           lead=lead, validity=validity, in_change=in_change,
                           when=lambda ts: dt.datetime.fromtimestamp(ts).strftime("%Y-%m-%d %H:%M"))

    @expose("/<bundle_id>/")
    def overview(self, bundle_id: str) -> str:
        text, version, bundle, diagnostics = self._bundle(bundle_id)
        catalogues = working.catalogues(bundle_id)[1].catalogues
        names: dict[str, str] = {}
        said: dict[str, str] = {}
        if bundle is not None:
            from configurator.language.describe import describe
            from configurator.planning.compiled import Compiled

            compiled = Compiled(bundle, catalogues, language())
            names = {m.id: compiled.material_name(m) for m in bundle.materials}
            said = {m.id: describe(m.when.expr, bundle, language()) for m in bundle.materials if m.when}
        return self.render("configurator/bundle.html", bundle_id=bundle_id, bundle=bundle,
                           problems=messages(diagnostics), catalogues=catalogues, material_names=names, said=said,
                           department_name=lambda d: catalogues.departments[d].name.get(language())
                           if d in catalogues.departments else d)

    # ---- items

    @expose("/<bundle_id>/history/", methods=("GET", "POST"))
    def history(self, bundle_id: str) -> str | Response:
        from configurator.language.loader import load_yaml
        from configurator.present.semantic_diff import diff_data, file_in_words, names_in
        from configurator.workspace import git
        from configurator.workspace.changes import ChangeError

        bundle = self._bundle(bundle_id)[2]  # 404 for an unknown bundle
        name = bundle.name.get(language()) if bundle is not None else bundle_id
        form = FlaskForm()
        changes = store().changes
        if not store().git_mode or changes is None:
            return self.render("configurator/history.html", bundle_id=bundle_id, name=name, enabled=False, commits=[],
                               shown=None, changes=[], form=form)
        repo = store().workspace.root
        path = f"bundles/{bundle_id}.yaml"
        main = store().published_commit()
        commits = git.log(repo, [main], [path], first_parent=True)
        published_ids = {c.id for c in commits}
        if request.method == "POST" and form.validate_on_submit():
            require("editor", "restore")
            chosen = request.form.get("commit", "")
            if chosen not in published_ids:  # a full id of a published version, nothing else
                abort(404, gettext("没有这个已发布的版本。"))
            data = git.read_file(repo, chosen, path)
            if data is None:
                abort(404, gettext("这个版本中没有这个一件事。"))
            target = working.editing(bundle_id)  # the whole file is replaced: read where it goes
            seen = changes.head(target) if target is not None else main
            title, said = _restore_said(path, git.read_file(repo, seen, path) or b"", data,
                                        next(c.date for c in commits if c.id == chosen))
            try:
                result = changes.save(current_user.username, {path: data}, seen=seen, message=said,
                                      change_id=target.id if target is not None else None, title=title)
            except ChangeError as error:
                abort(error.status, error.text(language()))
            working.remember(result.change)
            audit(current_user.username, "revert", bundle_id, chosen)
            link = Markup('<a href="{}">#{}</a>').format(url_for("changes.detail", change_id=result.change.id), result.change.id)
            flash(Markup(escape(gettext("已把这个版本存入变更申请 %(link)s，提交审核后由另一位审核人员发布。", link="{link}")))
                  .format(link=link), "success")
            return redirect(url_for(".history", bundle_id=bundle_id))
        shown, compare = None, []
        chosen = request.args.get("commit", "")
        if chosen and chosen in published_ids:
            old = git.read_file(repo, chosen, path) or b""
            new = git.read_file(repo, main, path) or b""
            shown = {"commit": chosen, "text": old.decode("utf-8", "replace")}
            old_data, new_data = load_yaml(old, "old").data, load_yaml(new, "new").data
            if isinstance(old_data, dict) and isinstance(new_data, dict):
                named = file_in_words(path, new_data, language())  # 一件事“…”, not its file's id
                names = names_in(old_data, new_data, catalogues=store().catalogues(), lang=language())
                compare = [c.text() for c in diff_data(named, old_data, new_data, lang=language(), names=names)]
        rows = [{"id": c.id, "date": c.date, "author": c.author,
                 "authors": [c.author, *[a.split(" <")[0] for a in c.trailers("Co-authored-by")]],
                 "reviewers": [r.split(" <")[0] for r in c.trailers("Reviewed-by")],
                 "message": c.message, "body": c.body} for c in commits]
        return self.render("configurator/history.html", bundle_id=bundle_id, name=name, enabled=True, commits=rows,
                           shown=shown, changes=compare, form=form)

    # ---- source

    @expose("/<bundle_id>/source/", methods=("GET", "POST"))
    def source(self, bundle_id: str) -> str | Response:
        text, version, _, diagnostics = self._bundle(bundle_id)
        conflict = None
        if request.method == "POST":
            require("editor", "save")
            submitted = request.form.get("text", "").replace("\r\n", "\n")
            try:
                result = self._store_save(bundle_id, submitted, request.form.get("version", ""))
            except Conflict as found:
                conflict = found
                text, diagnostics = submitted, store().check(bundle_id, submitted).diagnostics
            else:
                self._after_save(bundle_id, result, gettext("源文件"))
                if result.saved:
                    return redirect(url_for(".source", bundle_id=bundle_id,
                                            change=result.change.id if result.change else None))
                text, version, diagnostics = submitted, result.version, result.diagnostics
        return self.render("configurator/source.html", bundle_id=bundle_id, text=text, version=version,
                           problems=messages(diagnostics), conflict=conflict)


def _restore_said(path: str, current: bytes, restored: bytes, published: str) -> tuple[str, str]:
    """A restore's title and commit message, in words (the workspace's language, as change requests'
    records are): the bundle by its name, the version by when it was published, then what the
    restore changes in the text it replaces."""
    from configurator.language.loader import load_yaml
    from configurator.present.semantic_diff import file_in_words, message_lines

    old, new = load_yaml(current, "current").data, load_yaml(restored, "restored").data
    named = file_in_words(path, new if isinstance(new, dict) else {}, "zh-CN")
    title = f"恢复{named}到 {published[:16].replace('T', ' ')} 发布的版本"
    lines = message_lines(path, old, new, store().catalogues(), 10)
    return title, "\n".join([title, "", *lines]) if lines else title
