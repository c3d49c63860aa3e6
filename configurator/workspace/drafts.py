"""Drafts, review and publishing on the workspace repository (git plumbing, no checkouts).

- A save is a commit on the editor's draft branch ``drafts/<user>``, authored by that user,
  built with a temporary index (`git commit-tree`), so the work tree is never touched.
- Branches only ever move by compare-and-swap (`git update-ref REF NEW OLD`): two saves or two
  publishes racing can never silently overwrite each other — the second is refused.
- Publishing merges a draft into ``main``: the merged bundles must pass the full check; by default
  nobody publishes their own change (four-eyes); a conflicting change is reported with its files
  and ``main`` is left as it was.
- History is ``git log main -- bundles/<id>.yaml``; a revert is a new draft, reviewed like any other.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from configurator.diagnostics import Diagnostic, has_errors
from configurator.language.check import check_bundle, check_catalogues
from configurator.workspace.git import GitError, git

MAIN = "main"
DRAFT_PREFIX = "drafts/"
_USER = re.compile(r"^[\w.\-]{1,80}$")


class StaleBranch(GitError):
    """The branch moved since it was read: the save or publish is refused, nothing is lost."""


@dataclass(frozen=True)
class Commit:
    id: str
    author: str
    email: str
    date: str
    message: str


@dataclass(frozen=True)
class PublishResult:
    published: bool
    reason: str = ""  # own-change | errors | conflict | nothing
    conflicts: tuple[str, ...] = ()
    diagnostics: tuple[Diagnostic, ...] = ()
    commit: str = ""


def draft_branch(user: str) -> str:
    if not _USER.match(user):
        raise GitError(f"用户名“{user}”不能用作分支名")
    return DRAFT_PREFIX + user


def _env(author: str, email: str, index: Path | None = None) -> dict[str, str]:
    env = dict(os.environ, GIT_AUTHOR_NAME=author, GIT_AUTHOR_EMAIL=email,
               GIT_COMMITTER_NAME=author, GIT_COMMITTER_EMAIL=email)
    if index is not None:
        env["GIT_INDEX_FILE"] = str(index)
    return env


def _run(repo: Path, args: list[str], env: dict[str, str], input_bytes: bytes | None = None) -> str:
    done = subprocess.run(["git", "-c", "core.quotepath=false", "-C", str(repo), *args], input=input_bytes,
                          capture_output=True, env=env, timeout=60, check=False)
    if done.returncode != 0:
        raise GitError(done.stderr.decode("utf-8", "replace").strip() or f"git {' '.join(args)} failed")
    return done.stdout.decode("utf-8", "replace")


_SHA = re.compile(r"^[0-9a-f]{40}$")


def ref(repo: Path, branch: str) -> str | None:
    """The commit a branch points at. Read from the loose ref file when there is one (git
    replaces it atomically): the portal API asks on every request, and a subprocess per
    request would cost more than the answer; packed refs fall back to git."""
    loose = repo / ".git" / "refs" / "heads" / branch
    try:
        text = loose.read_text(encoding="utf-8").strip()
    except OSError:
        text = ""
    if _SHA.match(text):
        return text
    try:
        return git(repo, "rev-parse", "--verify", "-q", f"refs/heads/{branch}").strip() or None
    except GitError:
        return None


def read_file(repo: Path, revision: str, path: str) -> bytes | None:
    done = subprocess.run(["git", "-C", str(repo), "show", f"{revision}:{path}"], capture_output=True, timeout=60,
                          check=False)
    return done.stdout if done.returncode == 0 else None


def commit_files(repo: Path, branch: str, files: dict[str, bytes], *, author: str, email: str, message: str,
                 expected: str | None) -> str:
    """A commit on ``branch`` (created from main when missing) with ``files`` changed. ``expected``
    is the branch commit the change was made against; if the branch moved since, StaleBranch."""
    parent = ref(repo, branch) or ref(repo, MAIN)
    if expected is not None and parent != expected:
        raise StaleBranch(f"分支 {branch} 已被修改（现在是 {str(parent)[:10]}），请基于最新内容重新保存")
    with tempfile.TemporaryDirectory() as folder:
        index = Path(folder) / "index"
        env = _env(author, email, index)
        _run(repo, ["read-tree", parent or "--empty"], env)
        for path, data in files.items():
            blob = _run(repo, ["hash-object", "-w", "--stdin"], env, data).strip()
            _run(repo, ["update-index", "--add", "--cacheinfo", f"100644,{blob},{path}"], env)
        tree = _run(repo, ["write-tree"], env).strip()
        if parent and tree == _run(repo, ["rev-parse", f"{parent}^{{tree}}"], env).strip():
            return parent  # nothing changed: no empty commit
        commit = _run(repo, ["commit-tree", tree, *(["-p", parent] if parent else []), "-m", message], env).strip()
    _move(repo, branch, commit, ref(repo, branch))
    return commit


def _move(repo: Path, branch: str, new: str, old: str | None) -> None:
    """Compare-and-swap: the ref moves only if it still points where we read it."""
    try:
        git(repo, "update-ref", f"refs/heads/{branch}", new, old or "0" * 40)
    except GitError as error:
        raise StaleBranch(f"分支 {branch} 在此期间被修改：{error}") from None


def drafts(repo: Path) -> list[str]:
    """Draft branches with changes not yet on main."""
    listing = git(repo, "for-each-ref", "--format=%(refname:short)", f"refs/heads/{DRAFT_PREFIX}")
    return [b for b in listing.split() if git(repo, "rev-list", "--count", f"{MAIN}..{b}").strip() != "0"]


def authors(repo: Path, branch: str) -> set[str]:
    return set(git(repo, "log", "--format=%an", f"{MAIN}..{branch}").split("\n")) - {""}


def changed_files(repo: Path, branch: str) -> list[str]:
    base = git(repo, "merge-base", MAIN, branch).strip()
    return [f for f in git(repo, "diff", "--name-only", base, branch).splitlines() if f]


def check_tree(repo: Path, tree_or_commit: str) -> list[Diagnostic]:
    """The full check of every bundle as it stands in a tree."""
    names = git(repo, "ls-tree", "-r", "--name-only", tree_or_commit, "--", "bundles", "catalogues").splitlines()
    files = {n: read_file(repo, tree_or_commit, n) or b"" for n in names if n.endswith(".yaml") and n.count("/") == 1}
    catalogue_check = check_catalogues([(n, b) for n, b in files.items() if n.startswith("catalogues/")])
    found = list(catalogue_check.diagnostics)
    for name, data in files.items():
        if name.startswith("bundles/"):
            found += check_bundle(data, name, catalogue_check.catalogues).diagnostics
    return found


def publish(repo: Path, branch: str, *, reviewer: str, email: str, four_eyes: bool = True) -> PublishResult:
    """Merge a draft into main after the full check; refused for own changes (four-eyes)."""
    draft = ref(repo, branch)
    main = ref(repo, MAIN)
    if draft is None or main is None or git(repo, "rev-list", "--count", f"{MAIN}..{branch}").strip() == "0":
        return PublishResult(False, "nothing")
    if four_eyes and reviewer in authors(repo, branch):
        return PublishResult(False, "own-change")
    merged = subprocess.run(["git", "-c", "core.quotepath=false", "-C", str(repo), "merge-tree", "--write-tree",
                             "--name-only", "--no-messages", main, draft], capture_output=True, text=True,
                            timeout=60, check=False)
    lines = merged.stdout.splitlines()
    if merged.returncode == 1:
        return PublishResult(False, "conflict", tuple(line for line in lines[1:] if line))
    if merged.returncode != 0:
        raise GitError(merged.stderr.strip())
    tree = lines[0].strip()
    problems = check_tree(repo, tree)
    if has_errors(problems):
        return PublishResult(False, "errors", diagnostics=tuple(d for d in problems if d.severity == "error"))
    message = f"发布 {branch}（审核：{reviewer}）"
    commit = _run(repo, ["commit-tree", tree, "-p", main, "-p", draft, "-m", message], _env(reviewer, email)).strip()
    _move(repo, MAIN, commit, main)
    _refresh_worktree(repo, main, commit)
    return PublishResult(True, commit=commit)


def _refresh_worktree(repo: Path, old: str, new: str) -> None:
    """Bring the checked-out files from the old main to the new one (the work tree shows what is
    published); a two-tree read-tree refuses rather than overwrite a local edit."""
    try:
        head = git(repo, "symbolic-ref", "--short", "-q", "HEAD").strip()
    except GitError:
        return
    if head == MAIN:
        git(repo, "read-tree", "-m", "-u", old, new)


def history(repo: Path, bundle_id: str) -> list[Commit]:
    out = git(repo, "log", "--first-parent", "--format=%H%x1f%an%x1f%ae%x1f%aI%x1f%s", MAIN, "--",
              f"bundles/{bundle_id}.yaml")
    return [Commit(*line.split("\x1f")) for line in out.splitlines() if line]


def revert(repo: Path, bundle_id: str, to_commit: str, *, user: str, email: str) -> str:
    """A new draft restoring the bundle as it was at ``to_commit`` (reviewed like any change)."""
    path = f"bundles/{bundle_id}.yaml"
    data = read_file(repo, to_commit, path)
    if data is None:
        raise GitError(f"{to_commit[:10]} 中没有 {path}")
    return commit_files(repo, draft_branch(user), {path: data}, author=user, email=email,
                        message=f"恢复 {bundle_id} 到 {to_commit[:10]} 的版本", expected=None)


def remotes(repo: Path) -> list[str]:
    return git(repo, "remote").split()


def push(repo: Path, branch: str, remote: str = "origin") -> None:
    """Push a draft as a branch, so that teams reviewing in pull requests can do so."""
    if remote not in remotes(repo):
        raise GitError(f"没有配置远程仓库“{remote}”")
    git(repo, "push", "-q", remote, f"refs/heads/{branch}:refs/heads/{branch}")


_MARKER = re.compile(r"^(<<<<<<<|=======|>>>>>>>)( |$)", re.MULTILINE)


@dataclass(frozen=True)
class MergeConflict:
    main: str  # the commits the conflict was computed from (resolving checks they did not move)
    draft: str
    files: dict[str, str]  # path → the merged text with conflict markers


def _merge_tree(repo: Path, main: str, draft: str) -> tuple[int, list[str]]:
    done = subprocess.run(["git", "-c", "core.quotepath=false", "-C", str(repo), "merge-tree", "--write-tree",
                           "--name-only", "--no-messages", main, draft], capture_output=True, text=True,
                          timeout=60, check=False)
    if done.returncode not in (0, 1):
        raise GitError(done.stderr.strip())
    return done.returncode, done.stdout.splitlines()


def conflict(repo: Path, branch: str) -> MergeConflict | None:
    """The files a draft conflicts on, as git merges them (with markers), or None."""
    main, draft = ref(repo, MAIN), ref(repo, branch)
    if main is None or draft is None:
        return None
    code, lines = _merge_tree(repo, main, draft)
    if code == 0:
        return None
    tree, paths = lines[0].strip(), [line for line in lines[1:] if line]
    return MergeConflict(main, draft, {p: (read_file(repo, tree, p) or b"").decode("utf-8", "replace") for p in paths})


def resolve(repo: Path, branch: str, resolved: dict[str, str], *, main_seen: str, draft_seen: str,
            reviewer: str, email: str, four_eyes: bool = True) -> PublishResult:
    """Publish a conflicting draft with the reviewer's resolution of each conflicted file."""
    if four_eyes and reviewer in authors(repo, branch):
        return PublishResult(False, "own-change")
    if ref(repo, MAIN) != main_seen or ref(repo, branch) != draft_seen:
        raise StaleBranch("在您解决冲突期间，已发布的内容或这个草稿又有了修改，请重新打开冲突页面")
    code, lines = _merge_tree(repo, main_seen, draft_seen)
    if code == 0:
        return publish(repo, branch, reviewer=reviewer, email=email, four_eyes=four_eyes)
    tree, paths = lines[0].strip(), [line for line in lines[1:] if line]
    unresolved = tuple(p for p in paths if p not in resolved or _MARKER.search(resolved[p]))
    if unresolved:
        return PublishResult(False, "markers", conflicts=unresolved)
    with tempfile.TemporaryDirectory() as folder:
        env = _env(reviewer, email, Path(folder) / "index")
        _run(repo, ["read-tree", tree], env)
        for path in paths:
            blob = _run(repo, ["hash-object", "-w", "--stdin"], env, resolved[path].encode("utf-8")).strip()
            _run(repo, ["update-index", "--add", "--cacheinfo", f"100644,{blob},{path}"], env)
        new_tree = _run(repo, ["write-tree"], env).strip()
    problems = check_tree(repo, new_tree)
    if has_errors(problems):
        return PublishResult(False, "errors", diagnostics=tuple(d for d in problems if d.severity == "error"))
    message = f"发布 {branch}（审核：{reviewer}，解决了冲突：{', '.join(paths)}）"
    commit = _run(repo, ["commit-tree", new_tree, "-p", main_seen, "-p", draft_seen, "-m", message],
                  _env(reviewer, email)).strip()
    _move(repo, MAIN, commit, main_seen)
    _refresh_worktree(repo, main_seen, commit)
    return PublishResult(True, commit=commit)
