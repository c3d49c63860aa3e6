"""The one git layer: every git command the package runs goes through ``run`` in this module.

- One error type, ``GitError``, carrying the command and git's own stderr.
- Nothing from a request reaches git as an option: branch names are checked against
  ``BRANCH``, commit ids must be 40 hex digits (``commit_id``), and revisions are passed after
  ``--end-of-options`` where git accepts it. Long texts (commit messages, file contents) travel on
  stdin, never as one argument.
- Commits are built with plumbing (``trees.write_commit`` forms the objects and unpacks them
  with ``git unpack-objects --strict``), so the shared index and the work tree are never needed; branches move only by compare-and-swap
  (``update_ref`` with the old value). A ref lock left by a killed process is removed once it is
  older than any real git command takes (``STALE_LOCK_SECONDS``).
- Objects and refs are flushed to disk before a command returns (``core.fsync=committed``):
  a save that is acknowledged survives a power cut.

Paths and author names may be Chinese: every call passes ``-c core.quotepath=false``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from configurator.data import DATA

WORKTREE = "WORKTREE"  # the files as they are on disk, not a commit
MAIN = "main"
ZERO = "0" * 40
STALE_LOCK_SECONDS = 10.0
_SHA = re.compile(r"^[0-9a-f]{40}$")
# Branch names the admin creates or accepts: no leading dash, no "..", no "@{", no control characters.
BRANCH = re.compile(r"^(?!-)(?!.*\.\.)(?!.*@\{)(?!.*//)[\w][\w./\-]{0,120}(?<![./])$")


class GitError(RuntimeError):
    """A git command failed; ``stderr`` is what git said."""

    def __init__(self, message: str, stderr: str = "", command: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.stderr = stderr
        self.command = tuple(command)


class RefMoved(GitError):
    """A compare-and-swap found the ref somewhere else: nothing was changed."""


def commit_id(text: str) -> str:
    """``text`` when it is a full commit id (40 lowercase hex digits); GitError otherwise."""
    if not isinstance(text, str) or not _SHA.match(text):
        raise GitError(f"“{str(text)[:60]}”不是完整的提交编号（40 位十六进制）")
    return text


def is_full_id(text: str) -> bool:
    return isinstance(text, str) and bool(_SHA.match(text))


def branch_name(text: str) -> str:
    if not isinstance(text, str) or not BRANCH.match(text) or text.endswith(".lock"):
        raise GitError(f"“{str(text)[:60]}”不是有效的分支名")
    return text


def _git_dir(repo: Path) -> Path:
    return repo / ".git" if (repo / ".git").is_dir() else repo


def run(repo: Path, *args: str, input_bytes: bytes | None = None, env: Mapping[str, str] | None = None,
        ok: tuple[int, ...] = (0,)) -> tuple[int, bytes]:
    """Run one git command; GitError unless its exit code is in ``ok``."""
    command = ["git", "-c", "core.quotepath=false", "-c", "core.fsync=committed", "-C", str(repo), *args]
    full_env = dict(os.environ, GIT_TERMINAL_PROMPT="0", GIT_OPTIONAL_LOCKS="0")
    full_env.update(env or {})
    try:
        done = subprocess.run(command, input=input_bytes, capture_output=True, env=full_env, timeout=120, check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise GitError(f"git {' '.join(args[:3])}: {error}", str(error), args) from None
    if done.returncode not in ok:
        stderr = done.stderr.decode("utf-8", "replace").strip()
        raise GitError(stderr or f"git {' '.join(args[:3])} failed ({done.returncode})", stderr, args)
    return done.returncode, done.stdout


def git(repo: Path, *args: str, input_text: str | None = None) -> str:
    """A git command's output as text."""
    data = input_text.encode("utf-8") if input_text is not None else None
    return run(repo, *args, input_bytes=data)[1].decode("utf-8", "replace")


# ---- reading


def ref(repo: Path, branch: str) -> str | None:
    """The commit a branch points at. Read from the loose ref file when there is one (git
    replaces it atomically): the portal API asks on every request, and a subprocess per
    request would cost more than the answer; packed refs fall back to git."""
    if not BRANCH.match(branch):
        return None
    try:
        text = (_git_dir(repo) / "refs" / "heads" / branch).read_text(encoding="utf-8").strip()
    except OSError:
        text = ""
    if _SHA.match(text):
        return text
    code, out = run(repo, "rev-parse", "--verify", "-q", "--end-of-options", f"refs/heads/{branch}^{{commit}}",
                    ok=(0, 1, 128))
    found = out.decode().strip()
    return found if code == 0 and _SHA.match(found) else None


def exists(repo: Path, commit: str) -> bool:
    code, _ = run(repo, "cat-file", "-e", f"{commit_id(commit)}^{{commit}}", ok=(0, 1, 128))
    return code == 0


def read_file(repo: Path, revision: str, path: str) -> bytes | None:
    """A file's bytes at a commit (or branch), None when it is not there."""
    code, out = run(repo, "cat-file", "blob", f"{revision}:{path}", ok=(0, 1, 128))
    return out if code == 0 else None


def blob_id(repo: Path, revision: str, path: str) -> str:
    """The object id of a file or folder at a revision ("" when it is not there)."""
    code, out = run(repo, "rev-parse", "-q", "--verify", "--end-of-options", f"{revision}:{path}", ok=(0, 1, 128))
    return out.decode().strip() if code == 0 else ""


def tree_files(repo: Path, revision: str, folders: Sequence[str] = ("bundles", "catalogues")) -> dict[str, bytes]:
    """``<folder>/*.yaml`` at a revision, read in one batch."""
    listing = git(repo, "ls-tree", "-r", "-z", "--end-of-options", revision, "--", *folders)
    wanted = []
    for record in listing.split("\0"):
        if not record:
            continue
        meta, name = record.split("\t", 1)
        if name.endswith(".yaml") and name.count("/") == 1 and meta.split()[1] == "blob":
            wanted.append((name, meta.split()[2]))
    if not wanted:
        return {}
    _, out = run(repo, "cat-file", "--batch", input_bytes="".join(f"{oid}\n" for _, oid in wanted).encode())
    files, position = {}, 0
    for name, _ in wanted:
        header_end = out.index(b"\n", position)
        size = int(out[position:header_end].split()[2])
        files[name] = out[header_end + 1:header_end + 1 + size]
        position = header_end + 1 + size + 1
    return files


def merge_base(repo: Path, one: str, other: str) -> str | None:
    code, out = run(repo, "merge-base", "--end-of-options", one, other, ok=(0, 1))
    return out.decode().strip() or None if code == 0 else None


def is_ancestor(repo: Path, ancestor: str, descendant: str) -> bool:
    code, _ = run(repo, "merge-base", "--is-ancestor", "--end-of-options", ancestor, descendant, ok=(0, 1))
    return code == 0


def changed_paths(repo: Path, old: str, new: str) -> list[str]:
    out = git(repo, "diff", "--name-only", "-z", "--no-renames", "--end-of-options", old, new, "--")
    return [p for p in out.split("\0") if p]


def diff(repo: Path, old: str, new: str, paths: Sequence[str] = ("bundles", "catalogues")) -> str:
    return git(repo, "diff", "--no-color", "--no-ext-diff", "--end-of-options", old, new, "--", *paths)


def tree_of(repo: Path, commit: str) -> str:
    return git(repo, "rev-parse", "--verify", "--end-of-options", f"{commit}^{{tree}}").strip()


@dataclass(frozen=True)
class Commit:
    id: str
    author: str
    email: str
    date: str
    message: str  # the subject line
    committer: str = ""
    body: str = ""
    parents: tuple[str, ...] = ()

    def trailers(self, key: str) -> list[str]:
        prefix = f"{key}:"
        return [line[len(prefix):].strip() for line in self.body.splitlines() if line.startswith(prefix)]


def log(repo: Path, revisions: Sequence[str], paths: Sequence[str] = (), *, first_parent: bool = False,
        limit: int = 200) -> list[Commit]:
    options = ["--first-parent"] if first_parent else []
    out = git(repo, "log", *options, f"--max-count={limit}", "-z",
              "--format=%H%x1f%an%x1f%ae%x1f%aI%x1f%s%x1f%cn%x1f%b%x1f%P", "--end-of-options", *revisions, "--", *paths)
    commits = []
    for record in out.split("\0"):
        if record.strip():
            parts = record.split("\x1f")
            commits.append(Commit(parts[0].strip(), parts[1], parts[2], parts[3], parts[4], parts[5], parts[6].strip(),
                                  tuple(parts[7].split())))
    return commits


def branches(repo: Path, prefix: str) -> dict[str, str]:
    """Branch name → commit for every branch under ``refs/heads/<prefix>``."""
    out = git(repo, "for-each-ref", "--format=%(refname)%00%(objectname)", f"refs/heads/{prefix}")
    found = {}
    for line in out.splitlines():
        name, _, commit = line.partition("\0")
        found[name[len("refs/heads/"):]] = commit
    return found


# ---- writing


Person = tuple[str, str]  # name, email


def _person_env(author: Person) -> dict[str, str]:
    return {"GIT_AUTHOR_NAME": author[0], "GIT_AUTHOR_EMAIL": author[1],
            "GIT_COMMITTER_NAME": author[0], "GIT_COMMITTER_EMAIL": author[1]}


def _remove_stale_lock(repo: Path, refname: str) -> bool:
    """A ref lock older than any git command takes was left by a killed process: remove it."""
    removed = False
    for lock in (_git_dir(repo) / f"{refname}.lock", _git_dir(repo) / "packed-refs.lock"):
        try:
            age = time.time() - lock.stat().st_mtime
        except OSError:
            continue
        if age > STALE_LOCK_SECONDS:
            lock.unlink(missing_ok=True)
            removed = True
    return removed


def update_ref(repo: Path, branch: str, new: str, old: str | None) -> None:
    """Compare-and-swap: ``refs/heads/<branch>`` moves to ``new`` only if it is still at ``old``
    (None: only if it does not exist yet). RefMoved when it is not."""
    refname = f"refs/heads/{branch_name(branch)}"
    for attempt in range(2):
        try:
            run(repo, "update-ref", "--end-of-options", refname, commit_id(new), commit_id(old) if old else ZERO)
            return
        except GitError as error:
            if attempt == 0 and ".lock" in error.stderr and _remove_stale_lock(repo, refname):
                continue
            raise RefMoved(f"分支 {branch} 在此期间被修改或正被占用：{error.stderr}", error.stderr, error.command) from None


@dataclass(frozen=True)
class Merge:
    clean: bool
    tree: str
    conflicts: tuple[str, ...]


def merge_tree(repo: Path, ours: str, theirs: str) -> Merge:
    code, out = run(repo, "merge-tree", "--write-tree", "--name-only", "--no-messages", commit_id(ours), commit_id(theirs),
                    ok=(0, 1))
    lines = out.decode("utf-8", "replace").splitlines()
    return Merge(code == 0, lines[0].strip(), tuple(line for line in lines[1:] if line))


def remotes(repo: Path) -> list[str]:
    return git(repo, "remote").split()


def push(repo: Path, branch: str, remote: str = "origin") -> None:
    if remote not in remotes(repo):
        raise GitError(f"没有配置远程仓库“{remote}”")
    name = branch_name(branch)
    run(repo, "push", "-q", "--end-of-options", remote, f"refs/heads/{name}:refs/heads/{name}")


def fsck(repo: Path) -> str:
    """Problems `git fsck` finds ("" when the repository is consistent)."""
    code, out = run(repo, "fsck", "--no-progress", "--no-dangling", ok=(0, 1, 2))
    return out.decode("utf-8", "replace") if code else ""


# ---- the work tree (a convenience for people using git directly; nothing is served from it)


def sync_worktree(repo: Path) -> bool:
    """Bring checked-out files from the commit they show up to main (a two-tree read-tree that
    refuses rather than overwrite a local edit). Best effort: what is served comes from main's
    commit, so a failure here is reported as False, never as a failed publish."""
    marker = _git_dir(repo) / "configurator-worktree"
    main = ref(repo, MAIN)
    code, out = run(repo, "symbolic-ref", "-q", "HEAD", ok=(0, 1))
    if code != 0 or out.decode().strip() != f"refs/heads/{MAIN}" or main is None:
        return False
    try:
        shown = marker.read_text(encoding="utf-8").strip()
    except OSError:
        shown = ""
    if not _SHA.match(shown):
        # First use: the work tree shows whichever commit its index matches; assume the one before main.
        shown = git(repo, "log", "-1", "--format=%H", "--end-of-options", f"{MAIN}~1").strip() if _has_parent(repo) else main
    if shown == main:
        return True
    lock = _git_dir(repo) / "index.lock"
    try:
        if time.time() - lock.stat().st_mtime > STALE_LOCK_SECONDS:
            lock.unlink(missing_ok=True)
    except OSError:
        pass
    try:
        run(repo, "read-tree", "-m", "-u", "--end-of-options", shown, main)
    except GitError:
        return False
    temporary = marker.with_suffix(".tmp")
    temporary.write_text(main + "\n", encoding="utf-8")
    temporary.replace(marker)
    return True


def _has_parent(repo: Path) -> bool:
    return run(repo, "rev-parse", "-q", "--verify", f"{MAIN}~1", ok=(0, 1, 128))[0] == 0


def source_commit(workspace_root: Path) -> dict[str, Any] | None:
    """The git commit the bundles come from, and whether bundle files differ from it."""
    if not (workspace_root / ".git").exists():
        return None
    try:
        commit = git(workspace_root, "rev-parse", "HEAD").strip()
        changes = git(workspace_root, "status", "--porcelain", "--", "bundles", "catalogues")
    except GitError:
        return None
    return {"commit": commit, "uncommitted_changes": bool(changes.strip())}


def init_workspace(target: Path, author: str = "configurator", email: str = "configurator@localhost") -> str:
    """A new git repository at ``target`` holding the shipped bundles and catalogues; the commit id."""
    if target.exists() and any(target.iterdir()):
        raise GitError(f"{target} 已存在且不是空目录")
    target.mkdir(parents=True, exist_ok=True)
    for part in ("bundles", "catalogues", "schemas"):
        shutil.copytree(DATA / part, target / part)
    git(target, "init", "-q", "-b", MAIN)
    git(target, "add", "-A")
    run(target, "commit", "-q", "-F", "-", input_bytes="初始化：内置的一件事和目录".encode(),
        env=_person_env((author, email)))
    commit = git(target, "rev-parse", "HEAD").strip()
    (_git_dir(target) / "configurator-worktree").write_text(commit + "\n", encoding="utf-8")
    return commit


# ---- whole versions of the bundles, as bytes (versions.py loads and checks them)


def bundle_files(repo: Path, revision: str) -> dict[str, bytes]:
    """bundles/*.yaml and catalogues/*.yaml at a revision (or in the work tree)."""
    if revision == WORKTREE:
        return {str(p.relative_to(repo)): p.read_bytes() for folder in ("bundles", "catalogues")
                for p in sorted((repo / folder).glob("*.yaml"))}
    return tree_files(repo, revision)


def resolve_revision(repo: Path, revision: str) -> str:
    """The commit a user-given revision names (a branch or a commit id), or GitError."""
    if _SHA.match(revision) and exists(repo, revision):
        return revision
    found = ref(repo, revision) if BRANCH.match(revision) else None
    if found is None:
        code, out = run(repo, "rev-parse", "--verify", "-q", "--end-of-options", f"{revision}^{{commit}}", ok=(0, 1, 128))
        if code != 0 or revision.startswith("-"):
            raise GitError(f"没有版本“{revision}”")
        found = out.decode().strip()
    return found


def export(repo: Path, revision: str, target: Path) -> str:
    """Write bundles/ and catalogues/ as they are at ``revision`` into ``target``; the commit id."""
    commit = resolve_revision(repo, revision)
    for name, data in bundle_files(repo, commit).items():
        path = target / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    for folder in ("bundles", "catalogues"):
        (target / folder).mkdir(parents=True, exist_ok=True)
    return commit
