"""Publishing a change request, and repairing what a crash while publishing leaves.

Publish and save decide through one arbiter, the change request's row (records.py): publish
first claims the row (``submitted → publishing``, one conditional UPDATE) and only then reads
the branch head; a save moves the branch first and then reads the row (changes.py,
``ChangeRequests.landed``). So a save that still finds its change request open after moving the
branch moved it before any claim, and whatever a later publish reads contains it; a save that
finds the row claimed waits for the publish and is acknowledged only if main holds its commit.
No acknowledged save is left on a change request that was published without it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import socket
from dataclasses import dataclass

from configurator.diagnostics import Diagnostic, has_errors
from configurator.workspace import git, trees
from configurator.workspace.changes import (
    CLAIM_STALE,
    DRAFT,
    LEGACY_PREFIX,
    OPEN,
    PUBLISHED,
    PUBLISHING,
    SUBMITTED,
    ChangeRequests,
    PublishOutcome,
    person,
)
from configurator.workspace.git import MAIN, Merge, RefMoved
from configurator.workspace.records import Record


@dataclass(frozen=True)
class Readiness:
    """Whether a change request can be published as it stands (``head`` onto ``main``), and why not.

    The one statement of the rule: ``publish`` enforces it after claiming the change request, and
    the review page shows it (the publish button, the conflicts, the errors of the merged tree)."""

    base: str  # where the change request's saves start: its merge base with main
    paths: tuple[str, ...]  # the files it changes from there
    merged: Merge | None  # main and the head merged (None: nothing to merge)
    problems: tuple[Diagnostic, ...]  # the check of the merged tree (of the head when they conflict)
    reason: str  # "" (publishable) | state | nothing | conflict | errors

    @property
    def publishable(self) -> bool:
        return not self.reason


def readiness(changes: ChangeRequests, change: Record, head: str, main: str) -> Readiness:
    """A change request is publishable when it is submitted, changes something, merges with main
    without conflict and the merged tree has no errors (``change.state`` as read before a claim)."""
    repo = changes.repo
    base = git.merge_base(repo, main, head) or change.base
    paths = tuple(git.changed_paths(repo, base, head))
    merged = git.merge_tree(repo, main, head) if paths else None
    problems = tuple(changes.check_tree(merged.tree if merged is not None and merged.clean else head)) if paths else ()
    if change.state != SUBMITTED:
        reason = "state"
    elif merged is None:
        reason = "nothing"
    elif not merged.clean:
        reason = "conflict"
    elif has_errors(problems):
        reason = "errors"
    else:
        reason = ""
    return Readiness(base, paths, merged, problems, reason)


def publish(changes: ChangeRequests, change: Record, reviewer: str, *, seen_head: str, seen_main: str) -> PublishOutcome:
    """Publish exactly what the reviewer saw (``seen_head`` on ``seen_main``), or nothing."""
    if change.state != SUBMITTED:
        return PublishOutcome(False, "state")
    if changes.four_eyes and reviewer in changes.authors(change):
        return PublishOutcome(False, "own-change")
    if not changes.records.move(change.id, (SUBMITTED,), PUBLISHING, published_commit=_claimant()):
        return PublishOutcome(False, "state")  # another reviewer, or the state changed meanwhile
    outcome = PublishOutcome(False, "state")
    try:
        outcome = _publish_claimed(changes, change, reviewer, seen_head=seen_head, seen_main=seen_main)
    finally:
        if not outcome.published:  # the claim is given back: saves go on as before
            changes.records.move(change.id, (PUBLISHING,), SUBMITTED, published_commit=None)
    return outcome


def _publish_claimed(changes: ChangeRequests, change: Record, reviewer: str, *, seen_head: str,
                     seen_main: str) -> PublishOutcome:
    from configurator.workspace.versions import bump_versions

    repo = changes.repo
    head, main = changes.head(change), changes.main()  # read after the claim: no save slips in unseen
    if head != seen_head or main != seen_main:
        return PublishOutcome(False, "moved")
    ready = readiness(changes, change, head, main)
    if ready.reason == "conflict" and ready.merged is not None:
        return PublishOutcome(False, "conflict", conflicts=ready.merged.conflicts)
    if ready.reason == "errors":
        return PublishOutcome(False, "errors", diagnostics=tuple(d for d in ready.problems if d.severity == "error"))
    if not ready.publishable or ready.merged is None:
        return PublishOutcome(False, ready.reason or "nothing")
    merged = ready.merged
    bumped_files, bumped = bump_versions(repo, main, merged.tree, [p for p in ready.paths if p.startswith("bundles/")])
    authors = changes.authors(change)
    lines = [f"{change.title}（变更申请 #{change.id}）", "", change.description or "（无修改说明）", "",
             f"Change-Request: #{change.id}"]
    lines += [f"Co-authored-by: {name} <{person(name)[1]}>" for name in authors[1:]]
    lines += [f"Reviewed-by: {reviewer} <{person(reviewer)[1]}>"]
    commit = trees.write_commit(repo, merged.tree, bumped_files, parents=[main, head],
                                message="\n".join(lines) + "\n", author=person(change.author),
                                committer=person(reviewer))
    try:
        git.update_ref(repo, MAIN, commit, main)
    except RefMoved as error:
        return PublishOutcome(False, "busy" if ".lock" in error.stderr else "moved")
    record_published(changes, change, reviewer, commit)
    git.sync_worktree(repo)
    return PublishOutcome(True, commit=commit, bumped=bumped)


def record_published(changes: ChangeRequests, change: Record, reviewer: str, commit: str) -> None:
    if changes.records.move(change.id, (*OPEN, PUBLISHING), PUBLISHED, reviewer=reviewer, published_commit=commit,
                            default_key=None):
        changes.records.add_event(change.id, reviewer, "publish", commit)


def _claimant() -> str:
    """Who claims a change request to publish it (kept in ``published_commit`` until it is one):
    this process on this machine, so that a claim left by a killed process is known at once."""
    return f"{os.getpid()}@{hashlib.sha256(socket.gethostname().encode()).hexdigest()[:8]}"


def _abandoned(change: Record, now: dt.datetime) -> bool:
    pid, _, machine = (change.published_commit or "").partition("@")
    if machine == _claimant().partition("@")[2] and pid.isdigit() and int(pid) != os.getpid():
        try:
            os.kill(int(pid), 0)  # signal 0: only asks whether the process exists
        except ProcessLookupError:
            return True
        except OSError:
            pass
    claimed = change.updated_at if change.updated_at.tzinfo else change.updated_at.replace(tzinfo=dt.UTC)
    return now - claimed > CLAIM_STALE  # another machine's, or a process that cannot be asked


def reconcile(changes: ChangeRequests) -> None:
    """Repair what a crash can leave: a change request whose head is on main but whose state was
    not yet recorded; a claim to publish whose process died (at once when it ran on this machine,
    else after CLAIM_STALE); legacy ``drafts/<user>`` branches appear as change requests."""
    repo, main = changes.repo, changes.main()
    now = dt.datetime.now(dt.UTC)
    for change in changes.records.all((*OPEN, PUBLISHING)):
        head = git.ref(repo, change.branch)
        if head and head != change.base and git.is_ancestor(repo, head, main):
            merges = [c for c in git.log(repo, [main], first_parent=True, limit=200) if head in c.parents[1:]]
            if merges:
                record_published(changes, change, merges[-1].committer, merges[-1].id)
                continue
        if change.state == PUBLISHING and _abandoned(change, now):
            changes.records.move(change.id, (PUBLISHING,), SUBMITTED, published_commit=None)
    for branch, commit in git.branches(repo, LEGACY_PREFIX).items():
        if changes.records.by_branch(branch) is None and not git.is_ancestor(repo, commit, main):
            user = branch[len(LEGACY_PREFIX):]
            base = git.merge_base(repo, main, commit) or main
            changes.records.create(title=f"{user} 的草稿", description="（由旧的草稿分支迁移而来）", author=user,
                                   state=DRAFT, base=base, branch=branch)
