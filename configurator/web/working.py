"""The working context: the change request an official's edits go to, kept across pages.

An official starts or picks a change request once; every edit after that — a bundle, a catalogue
entry, a new bundle, a retirement, a region or calendar file — goes into it, on every page, until
they submit it or switch to another. Nothing from the browser is trusted for this: the number is
kept server side with the login (``models.UserSession.working_change``), and on every request the
change request it names is looked up again and used only while it is the user's own and still
open. A number in a link (``?change=N``, as older pages and bookmarks carry) is a request to
switch, checked the same way. What is not used — published, withdrawn, someone else's, no such
number — is said on the page, and the edits then go to a new change request the next save opens.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import abort, flash, g, request
from flask_babel import gettext
from flask_login import current_user

from configurator.language.check import CatalogueCheck
from configurator.web import store
from configurator.web.labels import STATE_NAMES
from configurator.web.models import set_working_change, working_change
from configurator.workspace.changes import OPEN
from configurator.workspace.records import Record


@dataclass(frozen=True)
class Context:
    """This request's working context."""

    change: Record | None  # where this user's edits go (None: the next save opens one)
    mine: list[Record] = field(default_factory=list)  # the user's open change requests, to switch to
    enabled: bool = False  # a git workspace and an editor: there are change requests to work in


def _refusal(found: Record | None, number: int) -> str:
    """Why a change request is not used as the working context ("" when it can be)."""
    if found is None or found.author != current_user.username:
        # someone else's request is not named by its title: the number is all the user gave
        return str(gettext("变更申请 #%(id)d 不是您的，您的修改不会保存到其中。", id=number))
    if found.state not in OPEN:
        return str(gettext("变更申请 #%(id)d“%(title)s”%(state)s，不再接收修改；下次保存时会新建一个变更申请，"
                       "您也可以在上方切换到您的其他变更申请。", id=number, title=found.title,
                       state=STATE_NAMES[found.state]))
    return ""


def _asked() -> int | None | str:
    """The number a link asks for (``?change=N``); "bad" when it is not a number at all."""
    raw = request.args.get("change", request.form.get("change", "") if request.method == "POST" else "")
    if raw == "":
        return None
    return int(raw) if raw.isdigit() and len(raw) < 10 else "bad"


def _resolve() -> Context:
    changes = store().changes
    if changes is None or not store().git_mode or not current_user.is_authenticated or not current_user.can("editor"):
        return Context(None)
    mine = changes.mine(current_user.username)
    by_id = {c.id: c for c in mine}
    asked = _asked()
    if asked == "bad":
        if request.method == "POST":
            abort(400, gettext("链接中的变更申请编号无效，没有保存任何内容。"))
        flash(gettext("链接中的变更申请编号无效，没有使用。"), "warning")
    elif isinstance(asked, int):
        chosen = by_id.get(asked)
        if chosen is not None:
            set_working_change(current_user, chosen.id)
            return Context(chosen, mine, True)
        found = changes.records.get(asked)
        if request.method == "POST":  # a save naming a request it cannot go to is refused, not sent elsewhere
            abort(403 if found is None or found.author != current_user.username else 409, _refusal(found, asked))
        flash(_refusal(found, asked), "warning")
    remembered = working_change(current_user)
    if remembered is None:
        return Context(None, mine, True)
    chosen = by_id.get(remembered)
    if chosen is None:  # published, withdrawn or gone since: said once, then forgotten
        flash(_refusal(changes.records.get(remembered), remembered), "warning")
        set_working_change(current_user, None)
    return Context(chosen, mine, True)


def check_request() -> None:
    """Before every admin page: the working context checked again (nothing for the public API,
    the login pages and static files, which read no change request)."""
    if request.path.startswith("/admin") and not request.path.startswith("/admin/static/"):
        current()


def current() -> Context:
    """This request's working context (worked out once per request)."""
    if "working_context" not in g:
        g.working_context = Context(None)  # while resolving: the page of a refusal shows no bar
        g.working_context = _resolve()
    found: Context = g.working_context
    return found


def current_change() -> Record | None:
    return current().change


def current_id() -> int | None:
    found = current().change
    return found.id if found is not None else None


def editing(bundle_id: str) -> Record | None:
    """The change request this user's edits of a bundle go to: the working context, else their
    open one that already changes the bundle (None: the next save opens one)."""
    kept: dict[str, Record | None] = g.setdefault("working_editing", {})
    if bundle_id not in kept:
        kept[bundle_id] = store().editing(bundle_id, current_user.username if current_user.is_authenticated else None,
                                          current_id())
    return kept[bundle_id]


def catalogues(bundle_id: str | None = None) -> tuple[tuple[object, ...], CatalogueCheck]:
    """The catalogues as the change request being worked in holds them (with a cache key): the
    entries it adds are offered in the forms of the bundles edited in it before publish."""
    return store().catalogues_at(editing(bundle_id) if bundle_id else current_change())


def _forget_cached() -> None:
    g.pop("working_context", None)
    g.pop("working_editing", None)


def remember(change: Record | None) -> None:
    """After a save went to ``change`` (perhaps opened by it): the user's next edits go there too."""
    if not current_user.is_authenticated or change is None or change.author != current_user.username:
        return  # a co-author's save to another's request leaves the user's own context alone
    set_working_change(current_user, change.id if change.state in OPEN else None)
    _forget_cached()


def remember_none() -> None:
    """No change request: the next save opens a new one (which is then kept)."""
    if current_user.is_authenticated:
        set_working_change(current_user, None)
        _forget_cached()


def forget(change_id: int) -> None:
    """A change request the user submitted or withdrew is no longer where their edits go."""
    if current_user.is_authenticated and working_change(current_user) == change_id:
        set_working_change(current_user, None)
        _forget_cached()
