"""Change requests (变更申请): review through git that never loses, hides or bypasses work.

A change request is an ordinary git branch (``changes/<id>``) started from the published
``main``, plus a row in the database (title, description, author, state; records.py says why
there). States::

    草稿 draft ─submit→ 待审核 submitted ─publish→ (正在发布 publishing) → 已发布 published
                         │   ↑ resubmit
                  send back  │
                         ↓   │
                   退回修改 returned          any open state ─withdraw→ 已撤回 withdrawn

- **A save** is a commit built on the branch head the editor last saw (``seen``): when a file
  the save writes differs between ``seen`` and the current head, the save is refused with
  ``Stale`` and nothing is written; otherwise the commit goes on the current head and the branch
  moves by compare-and-swap (retried when another file's save moved it meanwhile). A save is
  acknowledged only once the branch points at its commit, so no acknowledged commit dangles,
  and only while the change request is still open or main holds the commit (``landed``).
- **Always current**: ``behind`` lists what was published since the branch point; ``update``
  merges main into the branch by the bundle's structure (merging.py) and commits the merge with
  the resolutions of any field-level conflicts. The review diff is the branch against its merge
  base with the current main, so published work never shows as reverted.
- **Publish** checks the merged tree in full, bumps ``version`` of each changed bundle, writes a
  merge commit carrying title, description, ``Co-authored-by:`` and ``Reviewed-by:`` trailers,
  and moves ``main`` only if it is still the commit the reviewer saw. Nobody publishes their own
  change (four-eyes, configurable). Publish claims the row before it reads the branch, so save
  and publish decide through one arbiter (publishing.py). A crash between moving main and
  recording the state is repaired by ``reconcile`` (main is the truth).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from configurator.diagnostics import Diagnostic
from configurator.workspace import git, trees
from configurator.workspace.git import MAIN, GitError, RefMoved
from configurator.workspace.merging import FieldConflict, FileMerge
from configurator.workspace.objects import read_objects
from configurator.workspace.records import Record, Records

DRAFT, SUBMITTED, RETURNED, PUBLISHED, WITHDRAWN = "draft", "submitted", "returned", "published", "withdrawn"
PUBLISHING = "publishing"  # a reviewer's publish has claimed it (publishing.py): saves wait for the outcome
OPEN = (DRAFT, SUBMITTED, RETURNED)
STATE_NAMES = {DRAFT: "草稿", SUBMITTED: "待审核", RETURNED: "退回修改", PUBLISHED: "已发布", WITHDRAWN: "已撤回",
               PUBLISHING: "正在发布"}
STATE_NAMES_EN = {DRAFT: "draft", SUBMITTED: "in review", RETURNED: "returned for changes", PUBLISHED: "published",
                  WITHDRAWN: "withdrawn", PUBLISHING: "being published"}
LEGACY_PREFIX = "drafts/"  # one draft branch per user, before change requests
_SAVE_ATTEMPTS = 8
# A publish takes seconds (the full check of the merged tree); a save that finds one under way waits
# this long for its outcome, and a claim this old was left by a process that died (reconcile).
CLAIM_WAIT = 60.0
CLAIM_STALE = dt.timedelta(minutes=5)


class ChangeError(Exception):
    """A request the state machine refuses; the message says why (nothing was changed)."""

    def __init__(self, message: str, status: int = 409, en: str = "") -> None:
        super().__init__(message)
        self.status, self.en = status, en or message

    def text(self, lang: str) -> str:
        """The reason in the user's language (Chinese, or English with lang=en)."""
        return self.en if lang == "en" else str(self)


class Stale(ChangeError):
    """A file changed on the branch since the editor read it: the save is refused, nothing lost."""

    def __init__(self, message: str, path: str, current: bytes | None, head: str, en: str = "") -> None:
        super().__init__(message, en=en)
        self.path, self.current, self.head = path, current, head


@dataclass(frozen=True)
class SaveOutcome:
    saved: bool  # False when the files were unchanged
    change: Record
    commit: str  # the branch head after the save
    created: bool = False  # a new change request was opened for this save


MISSING_CHOICE = object()
# A commit message, or how to write it from the files as they were before the save (path → bytes).
Message = str | Callable[[Mapping[str, bytes | None]], str]


@dataclass(frozen=True)
class UpdatePlan:
    head: str
    main: str
    files: dict[str, bytes | None]  # changed on main only: taken as published
    merges: list[FileMerge]  # changed on both sides: merged by structure

    @property
    def conflicts(self) -> list[tuple[str, int, FieldConflict]]:
        return [(m.path, i, c) for m in self.merges for i, c in enumerate(m.conflicts)]


@dataclass(frozen=True)
class PublishOutcome:
    published: bool
    reason: str = ""  # own-change | errors | conflict | moved | state | nothing
    commit: str = ""
    conflicts: tuple[str, ...] = ()
    diagnostics: tuple[Diagnostic, ...] = ()
    bumped: dict[str, str] = field(default_factory=dict)


def _closed(change: Record, *, during: bool = False) -> ChangeError:
    """The refusal of a save to a change request that is not open (any more)."""
    zh, en = STATE_NAMES[change.state], STATE_NAMES_EN[change.state]
    if during:
        return ChangeError(f"变更申请 #{change.id} 在您保存的同时{zh}，这次保存没有包含在其中，没有保存任何内容；"
                           "请重新打开页面，再修改一次（将保存到新的变更申请）", en=(
                           f"change request #{change.id} was {en} while you saved: this save is not part of it and "
                           "nothing was saved; open the page again and make the change once more (it goes to a new "
                           "change request)"))
    if change.state == PUBLISHING:
        return ChangeError(f"变更申请 #{change.id} 正在发布，不能再保存到其中；请稍后重新打开页面", en=(
            f"change request #{change.id} is being published: nothing more can be saved to it; open the page again shortly"))
    return ChangeError(f"变更申请 #{change.id} {zh}，不能再保存到其中；请新建一个", en=(
        f"change request #{change.id} is {en}: nothing more can be saved to it; open a new one"))


def person(username: str) -> git.Person:
    return (username, f"{username}@localhost")


class ChangeRequests:
    """The change requests of one workspace repository."""

    def __init__(self, repo: Path, records: Records, *, four_eyes: bool = True) -> None:
        self.repo = repo
        self.records = records
        self.four_eyes = four_eyes
        self._checked: dict[str, list[Diagnostic]] = {}
        self._behind: dict[tuple[str, str], list[git.Commit]] = {}

    # ---- finding

    def get(self, change_id: int) -> Record:
        found = self.records.get(change_id)
        if found is None:
            raise ChangeError(f"没有变更申请 #{change_id}", 404, f"there is no change request #{change_id}")
        return found

    def head(self, change: Record) -> str:
        """The branch head (the branch point when nothing was saved yet or the branch is gone)."""
        return git.ref(self.repo, change.branch) or change.base

    def main(self) -> str:
        found = git.ref(self.repo, MAIN)
        if found is None:
            raise GitError("工作区没有 main 分支")
        return found

    def mine(self, user: str) -> list[Record]:
        return [r for r in self.records.all(OPEN) if r.author == user]

    def for_editing(self, user: str, path: str, preferred: int | None = None) -> Record | None:
        """Where a user's edit of ``path`` goes: the change request they chose (when it is theirs
        and open), else their open one that already touches the file; None: a save opens a new one."""
        if preferred:
            chosen = self.records.get(preferred)
            if chosen is not None and chosen.author == user and chosen.state in OPEN:
                return chosen
        default = self.records.by_default_key(f"{user}\x1f{path}")
        if default is not None and default.state in OPEN:
            return default
        for change in self.mine(user):
            if path in self.changed_paths(change):
                return change
        return None

    def changed_paths(self, change: Record) -> list[str]:
        head, main = self.head(change), self.main()
        base = git.merge_base(self.repo, main, head) or change.base
        return git.changed_paths(self.repo, base, head)

    def behind(self, change: Record) -> list[git.Commit]:
        """What was published since the branch point (newest first): the banner's content. Kept
        per (main, head): shown on every page of a bundle, and two commits' history never changes."""
        head, main = self.head(change), self.main()
        found = self._behind.get((main, head))
        if found is None:
            found = git.log(self.repo, [main, f"^{head}"], first_parent=True, limit=50)
            self._remember_behind(main, head, found)
        return list(found)

    def _remember_behind(self, main: str, head: str, found: list[git.Commit]) -> None:
        if len(self._behind) >= 64:
            self._behind.clear()
        self._behind[(main, head)] = found

    def authors(self, change: Record) -> list[str]:
        """The change request's author and everyone with a commit on it since its merge base."""
        head, main = self.head(change), self.main()
        names = [c.author for c in git.log(self.repo, [head, f"^{main}"])] if head != main else []
        return list(dict.fromkeys([change.author, *reversed(names)]))

    def may_see(self, change: Record, user: str, role: str) -> bool:
        """Viewers see published history only; editors their own and those under review;
        reviewers and admins everything."""
        if role in ("reviewer", "admin"):
            return True
        if role == "editor":
            return change.author == user or change.state in (SUBMITTED, PUBLISHING, PUBLISHED)
        return False

    # ---- creating and saving

    def create(self, user: str, title: str, description: str = "", *, default_for: str | None = None) -> Record | None:
        title = title.strip()[:200] or "未命名的修改"
        key = f"{user}\x1f{default_for}" if default_for else None
        created = self.records.create(title=title, description=description.strip(), author=user, state=DRAFT,
                                      base=self.main(), default_key=key)
        if created is not None:
            self.records.add_event(created.id, user, "create", title)
        return created

    def commit_files(self, change: Record, files: Mapping[str, bytes | None], *, user: str, message: Message,
                     seen: str) -> SaveOutcome:
        """Commit ``files`` (path → bytes, None deletes) to a change request. ``seen`` is the commit
        the user read them at: a file that changed on the branch since is refused (Stale). The
        message may be a function of the files as they were (read here anyway)."""
        change = self.get(change.id)  # as it is now, not as the page found it
        if change.state not in OPEN:
            raise _closed(change)
        if user != change.author and user not in self.authors(change):
            raise ChangeError(f"变更申请 #{change.id} 是 {change.author} 的，您不能保存到其中", 403,
                              f"change request #{change.id} belongs to {change.author}: you cannot save to it")
        git.commit_id(seen)
        paths = list(files)
        for _ in range(_SAVE_ATTEMPTS):
            current = git.ref(self.repo, change.branch)
            head = current or change.base
            # One git process reads what the checks below need: that ``seen`` exists, and each
            # file at the head and at ``seen``; and the head's trees the new tree is formed from.
            found = read_objects(self.repo, [f"{seen}^{{commit}}", *(f"{head}:{p}" for p in paths),
                                             *(f"{seen}:{p}" for p in paths), *trees.folder_names(head, paths)])
            if found[0] is None:
                raise ChangeError("表单中的版本在工作区中不存在；请重新打开页面", 400,
                                  "the version in the form is not in the workspace; open the page again")
            at_head = dict(zip(paths, found[1:len(paths) + 1], strict=True))
            for path, before in zip(paths, found[len(paths) + 1:2 * len(paths) + 1], strict=True):
                if at_head[path] != before:
                    raise Stale(f"{path} 在您打开之后已在变更申请 #{change.id} 中被修改", path, at_head[path], head,
                                f"{path} was changed in change request #{change.id} after you opened it")
            if all(at_head[p] == data for p, data in files.items()):
                return SaveOutcome(False, change, head)
            text = message(at_head) if callable(message) else message
            if "\x00" in text:  # git refuses a commit message with NUL: say so before writing anything
                raise ChangeError("修改说明中有看不见的控制字符（NUL），没有保存任何内容；请删除后再保存", 400,
                                  "the change description contains an invisible control character (NUL): nothing "
                                  "was saved; delete it and save again")
            commit = trees.write_commit(self.repo, head, files, parents=[head], message=text, author=person(user),
                                        read=found[2 * len(paths) + 1:])  # read above
            try:
                git.update_ref(self.repo, change.branch, commit, current)
            except RefMoved:
                continue  # another save moved the branch: try again on its head
            self.landed(change, commit, head)
            # The new commit's one parent is the old head, and main cannot reach a commit this new:
            # what main has that the branch lacks is unchanged (the next page needs no git log).
            for (main, old_head), behind in list(self._behind.items()):
                if old_head == head:
                    self._remember_behind(main, commit, behind)
            return SaveOutcome(True, change, commit)
        raise ChangeError("分支一直在被修改，请稍后再保存", en="the branch keeps changing; save again shortly")

    def save(self, user: str, files: Mapping[str, bytes | None], *, seen: str, message: Message,
             change_id: int | None = None, title: str = "") -> SaveOutcome:
        """Save to the chosen change request, or the user's default one for the (first) file,
        opened on the first save; the database's unique key keeps racing first saves to one."""
        path = next(iter(files))
        change = self.get(change_id) if change_id else self.for_editing(user, path)
        created = False
        if change is None:
            change = self.create(user, title or f"修改 {path}", default_for=path)
            created = change is not None
            change = change or self.records.by_default_key(f"{user}\x1f{path}")
            if change is None:
                raise ChangeError("无法新建变更申请，请重试", en="could not open a change request; try again")
        outcome = self.commit_files(change, files, user=user, message=message, seen=seen)
        return SaveOutcome(outcome.saved, outcome.change, outcome.commit, created)

    def landed(self, change: Record, commit: str, previous: str) -> None:
        """After the branch moved from ``previous`` to ``commit``: is the save acknowledged? Yes
        while the change request is still open (a publish claims the row before it reads the
        head, so it will see this commit), or when main holds the commit; otherwise the branch
        goes back and the save is refused (ChangeError), so nothing is acknowledged and stranded."""
        deadline = time.monotonic() + CLAIM_WAIT
        now = self.get(change.id)
        while now.state == PUBLISHING and time.monotonic() < deadline:
            time.sleep(0.05)
            now = self.get(change.id)
        if now.state in OPEN or git.is_ancestor(self.repo, commit, self.main()):
            return
        if now.state == PUBLISHING:  # a publish still under way: its outcome is not known
            raise ChangeError(f"变更申请 #{change.id} 正在发布，无法确认这次保存是否包含在内；请稍后重新打开页面查看",
                              503, f"change request #{change.id} is being published: whether this save is part of it "
                              "cannot be confirmed yet; open the page again shortly")
        back = previous
        if now.state == PUBLISHED and now.published_commit:  # back to the head that was published (other refused saves go too)
            back = next(iter(git.log(self.repo, [now.published_commit], limit=1)[0].parents[1:]), previous)
        for _ in range(_SAVE_ATTEMPTS):
            current = git.ref(self.repo, change.branch)
            if current is None or git.is_ancestor(self.repo, current, back):
                break
            try:
                git.update_ref(self.repo, change.branch, back, current)
            except RefMoved:
                continue
        raise _closed(now, during=True)

    # ---- the state machine

    def _move(self, change: Record, user: str, from_states: tuple[str, ...], to_state: str, kind: str, text: str = "",
              **values: object) -> Record:
        if not self.records.move(change.id, from_states, to_state, **values):
            now = self.get(change.id)
            raise ChangeError(f"变更申请 #{change.id} 现在是“{STATE_NAMES[now.state]}”，不能这样操作",
                              en=f"change request #{change.id} is now “{STATE_NAMES_EN[now.state]}”: that cannot be done")
        self.records.add_event(change.id, user, kind, text)
        return self.get(change.id)

    def submit(self, change: Record, user: str) -> Record:
        if user not in self.authors(change):
            raise ChangeError("只有作者能提交审核", 403, "only an author can submit it for review")
        if not self.changed_paths(change):
            raise ChangeError("这个变更申请还没有改动，无需提交", en="this change request has no changes yet: nothing to submit")
        kind = "resubmit" if change.state == RETURNED else "submit"
        return self._move(change, user, (DRAFT, RETURNED), SUBMITTED, kind)

    def send_back(self, change: Record, user: str, comment: str) -> Record:
        if not comment.strip():
            raise ChangeError("退回时请写明原因", 400, "say why when you send it back")
        return self._move(change, user, (SUBMITTED,), RETURNED, "send-back", comment.strip())

    def withdraw(self, change: Record, user: str) -> Record:
        return self._move(change, user, OPEN, WITHDRAWN, "withdraw", default_key=None)

    def comment(self, change: Record, user: str, text: str) -> None:
        if not text.strip():
            raise ChangeError("评论不能为空", 400, "a comment cannot be empty")
        self.records.add_event(change.id, user, "comment", text.strip()[:5000])

    def edit_text(self, change: Record, user: str, title: str, description: str) -> None:
        if user != change.author:
            raise ChangeError("只有作者能修改标题和说明", 403, "only an author can change the title and description")
        if self.get(change.id).state not in OPEN:  # what was published (or withdrawn) is the record of it
            raise ChangeError(f"变更申请 #{change.id} 已{STATE_NAMES[change.state]}，标题和说明不能再修改",
                              en=f"change request #{change.id} is {STATE_NAMES_EN[change.state]}: its title and "
                              "description can no longer be changed")
        self.records.change(change.id, title=title.strip()[:200] or change.title, description=description.strip())

    # ---- bringing a change request up to date

    def plan_update(self, change: Record) -> UpdatePlan | None:
        """How main would merge into the branch; None when the branch already contains main."""
        from configurator.workspace.merging import merge_text

        head, main = self.head(change), self.main()
        if git.is_ancestor(self.repo, main, head):
            return None
        base = git.merge_base(self.repo, main, head) or change.base
        theirs, ours = set(git.changed_paths(self.repo, base, main)), set(git.changed_paths(self.repo, base, head))
        files = {p: git.read_file(self.repo, main, p) for p in sorted(theirs - ours)}
        merges = []
        for path in sorted(theirs & ours):
            found = merge_text(path, *(git.read_file(self.repo, c, path) for c in (base, main, head)))
            merges.append(found)
        return UpdatePlan(head, main, files, merges)

    def update(self, change: Record, user: str, *, seen_head: str, seen_main: str,
               choices: Mapping[tuple[str, int], Any] | None = None) -> str:
        """Merge main into the branch (a merge commit by ``user``) with each field conflict decided
        by ``choices[(file, index)]``; refused when the branch or main moved since the user looked."""
        from configurator.workspace.merging import resolve

        if change.state not in OPEN:
            raise ChangeError(f"变更申请 #{change.id} 已{STATE_NAMES[change.state]}",
                              en=f"change request #{change.id} is {STATE_NAMES_EN[change.state]}")
        plan = self.plan_update(change)
        if plan is None:
            raise ChangeError("已经是最新的，无需更新", en="already up to date: nothing to update")
        if plan.head != seen_head or plan.main != seen_main:
            raise ChangeError("在您查看之后，变更申请或发布版本又有了修改；请重新打开更新页面",
                              en="the change request or the published version changed after you looked; open the update page again")
        files = dict(plan.files)
        for merge in plan.merges:
            wanted = [(choices or {}).get((merge.path, i), MISSING_CHOICE) for i in range(len(merge.conflicts))]
            if any(w is MISSING_CHOICE for w in wanted):
                raise ChangeError(f"{merge.path} 还有没有决定的冲突", 400, f"{merge.path} still has undecided conflicts")
            files[merge.path] = resolve(merge, wanted).encode("utf-8")
        commit = trees.write_commit(self.repo, plan.head, files, parents=[plan.head, plan.main],
                                    message=f"从发布版本更新（main {plan.main[:10]}）\n", author=person(user))
        git.update_ref(self.repo, change.branch, commit, git.ref(self.repo, change.branch) and plan.head)
        self.landed(change, commit, plan.head)
        self.records.add_event(change.id, user, "update", plan.main)
        return commit

    # ---- publishing

    def check_tree(self, tree_or_commit: str) -> list[Diagnostic]:
        """The full check of every bundle and catalogue in a tree (cached: trees never change)."""
        from configurator.language.check import check_bundle, check_catalogues
        from configurator.workspace.regions import check_region_tree

        tree = git.tree_of(self.repo, tree_or_commit)
        if tree in self._checked:
            return self._checked[tree]
        files = git.tree_files(self.repo, tree, ("bundles", "catalogues", "regions", "calendars"))
        catalogue_check = check_catalogues([(n, b) for n, b in files.items() if n.startswith("catalogues/")])
        found = list(catalogue_check.diagnostics)
        models = {}
        for name, data in files.items():
            if name.startswith("bundles/"):
                result = check_bundle(data, name, catalogue_check.catalogues)
                found += result.diagnostics
                if result.bundle is not None:
                    models[result.bundle.id] = result.bundle
        found += check_region_tree(files, models, catalogue_check.catalogues)
        if len(self._checked) > 32:
            self._checked.clear()
        self._checked[tree] = found
        return found

    def publish(self, change: Record, reviewer: str, *, seen_head: str, seen_main: str) -> PublishOutcome:
        """Publish exactly what the reviewer saw (``seen_head`` on ``seen_main``), or nothing (publishing.py)."""
        from configurator.workspace.publishing import publish

        return publish(self, change, reviewer, seen_head=seen_head, seen_main=seen_main)

    def reconcile(self) -> None:
        """Repair what a crash can leave (publishing.py)."""
        from configurator.workspace.publishing import reconcile

        reconcile(self)
