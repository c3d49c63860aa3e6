"""trees.write_commit forms git trees and commits itself: each tree is compared with the tree git's
own index builds for the same change (read-tree, update-index, write-tree in a temporary index),
and each commit with the one ``git commit-tree`` makes."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from configurator.workspace import trees
from configurator.workspace.git import GitError, init_workspace, run


def _by_git(repo: Path, base: str, files: dict[str, bytes | None], tmp_path: Path) -> str:
    env = {"GIT_INDEX_FILE": str(tmp_path / "oracle-index")}
    run(repo, "read-tree", base, env=env)
    for path, data in files.items():
        if data is None:
            run(repo, "update-index", "--force-remove", "--", path, env=env)
        else:
            oid = run(repo, "hash-object", "-w", "--stdin", input_bytes=data)[1].decode().strip()
            run(repo, "update-index", "--add", "--cacheinfo", f"100644,{oid},{path}", env=env)
    return run(repo, "write-tree", env=env)[1].decode().strip()


def _tree(repo: Path, base: str, files: dict[str, bytes | None], read: list[bytes | None] | None = None) -> str:
    """The tree of the commit write_commit makes."""
    commit = trees.write_commit(repo, base, files, parents=[base], message="x\n", author=("t", "t@localhost"), read=read)
    return run(repo, "rev-parse", f"{commit}^{{tree}}")[1].decode().strip()


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    root = tmp_path_factory.mktemp("trees") / "ws"
    commit = init_workspace(root)
    return root, commit


@pytest.mark.parametrize("files", [
    {"bundles/newborn.yaml": "id: newborn\n名称: 新\n".encode()},  # replaced
    {"bundles/zz-新的.yaml": b"id: x\n", "bundles/a.yaml": b"id: a\n"},  # added, one before and one after
    {"bundles/a": b"x\n", "bundles/a-b.yaml": b"y\n", "bundles/a.b": b"z\n"},  # names git orders by bytes
    {"bundles-x/q.yaml": b"q\n", "bundles.yaml": b"r\n", "bundlesa": b"s\n"},  # around a folder's name
    {"catalogues/深/层/f.yaml": b"deep\n"},  # new nested folders
    {"bundles/newborn.yaml": None},  # deleted
    {"nothing/here.yaml": None},  # deleting what is not there changes nothing
])
def test_the_tree_is_the_one_git_builds(repo: tuple[Path, str], files: dict[str, bytes | None], tmp_path: Path) -> None:
    root, base = repo
    assert _tree(root, base, files) == _by_git(root, base, files, tmp_path)
    done = subprocess.run(["git", "-C", str(root), "fsck", "--strict", "--no-dangling"], capture_output=True,
                          env={**os.environ, "LC_ALL": "C"}, check=False)
    assert done.returncode == 0, done.stderr


def test_emptying_a_folder_removes_it(repo: tuple[Path, str], tmp_path: Path) -> None:
    root, base = repo
    listing = run(root, "ls-tree", "--name-only", f"{base}:catalogues")[1].decode().split()
    files: dict[str, bytes | None] = {f"catalogues/{name}": None for name in listing}
    tree = _tree(root, base, files)
    assert tree == _by_git(root, base, files, tmp_path)
    assert "catalogues" not in run(root, "ls-tree", "--name-only", tree)[1].decode().split()


def test_bad_paths_and_bases_are_refused(repo: tuple[Path, str]) -> None:
    root, base = repo
    with pytest.raises(GitError):
        _tree(root, base, {"bundles//x.yaml": b"x"})
    with pytest.raises(GitError):
        _tree(root, base, {"bundles/../x.yaml": b"x"})  # git's own check (--strict) refuses it
    with pytest.raises(GitError):
        _tree(root, "0" * 40, {"bundles/x.yaml": b"x"})


def test_trees_read_by_the_caller_give_the_same_tree(repo: tuple[Path, str], tmp_path: Path) -> None:
    from configurator.workspace.objects import read_objects

    root, base = repo
    files: dict[str, bytes | None] = {"bundles/newborn.yaml": b"id: newborn\n", "catalogues/x/y.yaml": b"y\n"}
    read = read_objects(root, trees.folder_names(base, list(files)))
    assert read[-1] is None  # catalogues/x is not there yet
    assert _tree(root, base, files, read) == _by_git(root, base, files, tmp_path)
    with pytest.raises(GitError):  # a file where a folder was expected
        _tree(root, base, files, [read[0], b"id: not a tree\n", None, None])


def test_a_commit_written_in_the_pack_is_the_one_commit_tree_makes(repo: tuple[Path, str], tmp_path: Path) -> None:
    """write_commit forms the commit object itself (in the pack with its tree). git must read it as
    the commit ``git commit-tree`` makes for the same tree, parents, people and message."""
    root, base = repo
    files = {"bundles/newborn.yaml": "id: newborn\n# 改\n".encode()}
    message = "修改 newborn\n\nChange-Request: #7\n"
    made = trees.write_commit(root, base, files, parents=[base], message=message, author=("alice", "alice@localhost"),
                              committer=("rita", "rita@localhost"))
    tree = _tree(root, base, files)
    env = {"GIT_AUTHOR_NAME": "alice", "GIT_AUTHOR_EMAIL": "alice@localhost",
           "GIT_COMMITTER_NAME": "rita", "GIT_COMMITTER_EMAIL": "rita@localhost"}
    by_git = run(root, "commit-tree", tree, "-p", base, input_bytes=message.encode(), env=env)[1].decode().strip()

    def without_dates(commit: str) -> bytes:
        body = run(root, "cat-file", "commit", commit)[1]
        return b"\n".join(line.rsplit(b" ", 2)[0] if line.startswith((b"author ", b"committer ")) else line
                          for line in body.split(b"\n"))

    assert without_dates(made) == without_dates(by_git)
    # author and committer dates, each "seconds zone": the two commits were made moments apart, in one zone
    dates = [[stamp.split() for stamp in run(root, "log", "-1", "--format=%ad|%cd", "--date=raw", c)[1].decode().split("|")]
             for c in (made, by_git)]
    for (ours, our_zone), (theirs, their_zone) in zip(dates[0], dates[1], strict=True):
        assert abs(int(ours) - int(theirs)) < 60 and our_zone == their_zone
    assert run(root, "fsck", "--strict")[0] == 0
    for person in (("a <b>", "a@localhost"), (" alice", "a@localhost"), ("alice.", "a@localhost"), ("", "a@localhost"),
                   ("alice", "a@local>host"), ("ali\nce", "a@localhost")):  # git would rewrite or refuse each
        with pytest.raises(GitError):
            trees.write_commit(root, base, files, parents=[base], message="x\n", author=person)


def test_a_commit_of_no_changed_files_keeps_the_tree(repo: tuple[Path, str]) -> None:
    """Publishing with no version to bump commits the merged tree as it is."""
    root, base = repo
    tree = run(root, "rev-parse", f"{base}^{{tree}}")[1].decode().strip()
    commit = trees.write_commit(root, tree, {}, parents=[base], message="发布\n", author=("alice", "a@localhost"))
    assert run(root, "rev-parse", f"{commit}^{{tree}}")[1].decode().strip() == tree
