"""The workspace as a git repository, through the git command line.

`configurator init DIR` seeds a repository with the shipped bundles and catalogues in one commit;
`configurator diff` reads any two versions of the bundles from it. Paths and author names may be
Chinese: every call passes ``-c core.quotepath=false``.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from configurator.data import DATA
from configurator.language.check import check_bundle, check_catalogues
from configurator.language.loader import load_yaml
from configurator.present.semantic_diff import Version

WORKTREE = "WORKTREE"  # the files as they are on disk, not a commit


class GitError(RuntimeError):
    pass


def git(repo: Path, *args: str, input_text: str | None = None) -> str:
    try:
        done = subprocess.run(["git", "-c", "core.quotepath=false", "-C", str(repo), *args], input=input_text,
                              capture_output=True, text=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise GitError(f"git {' '.join(args)}: {error}") from None
    if done.returncode != 0:
        raise GitError(done.stderr.strip() or f"git {' '.join(args)} failed")
    return done.stdout


def init_workspace(target: Path, author: str = "configurator", email: str = "configurator@localhost") -> str:
    """A new git repository at ``target`` holding the shipped bundles and catalogues; the commit id."""
    if target.exists() and any(target.iterdir()):
        raise GitError(f"{target} 已存在且不是空目录")
    target.mkdir(parents=True, exist_ok=True)
    for part in ("bundles", "catalogues", "schemas"):
        shutil.copytree(DATA / part, target / part)
    git(target, "init", "-q", "-b", "main")
    git(target, "add", "-A")
    git(target, "-c", f"user.name={author}", "-c", f"user.email={email}", "commit", "-q", "-m", "初始化：内置的一件事和目录")
    return git(target, "rev-parse", "HEAD").strip()


def _files(repo: Path, revision: str) -> dict[str, bytes]:
    """bundles/*.yaml and catalogues/*.yaml at a revision (or in the work tree)."""
    if revision == WORKTREE:
        return {str(p.relative_to(repo)): p.read_bytes() for folder in ("bundles", "catalogues")
                for p in sorted((repo / folder).glob("*.yaml"))}
    listing = git(repo, "ls-tree", "-r", "--name-only", revision, "--", "bundles", "catalogues")
    files = {}
    for name in listing.splitlines():
        if name.endswith(".yaml") and name.count("/") == 1:
            files[name] = subprocess.run(["git", "-C", str(repo), "show", f"{revision}:{name}"],
                                         capture_output=True, check=True, timeout=60).stdout
    return files


def version_at(repo: Path, revision: str) -> Version:
    files = _files(repo, revision)
    catalogues = check_catalogues([(n, b) for n, b in files.items() if n.startswith("catalogues/")]).catalogues
    data, models = {}, {}
    for name, raw in files.items():
        if not name.startswith("bundles/"):
            continue
        bundle_id = name[len("bundles/"):-len(".yaml")]
        loaded = load_yaml(raw, name)
        if loaded.usable:
            data[bundle_id] = loaded.data
            result = check_bundle(raw, name, catalogues)
            if result.bundle is not None:
                models[bundle_id] = result.bundle
    return Version(data, models, catalogues)


def export(repo: Path, revision: str, target: Path) -> str:
    """Write bundles/ and catalogues/ as they are at ``revision`` into ``target``; the commit id."""
    commit = git(repo, "rev-parse", "--verify", f"{revision}^{{commit}}").strip()
    for name, data in _files(repo, commit).items():
        path = target / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    for folder in ("bundles", "catalogues"):
        (target / folder).mkdir(parents=True, exist_ok=True)
    return commit
