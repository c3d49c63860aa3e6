"""Drafts, review, publish, conflicts and reverts on real git repositories in temporary folders."""

import subprocess

import pytest

from configurator.present.semantic_diff import semantic_diff
from configurator.workspace.drafts import (
    MAIN,
    StaleBranch,
    authors,
    changed_files,
    commit_files,
    draft_branch,
    drafts,
    history,
    publish,
    read_file,
    ref,
    revert,
)
from configurator.workspace.git import init_workspace, version_at

NEWBORN = "bundles/newborn.yaml"


@pytest.fixture
def repo(tmp_path):
    path = tmp_path / "工作区"
    init_workspace(path)
    return path


def edit(repo, branch, old, new, user, expected=None, message="修改"):
    text = (read_file(repo, ref(repo, branch) or MAIN, NEWBORN) or b"").decode("utf-8")
    assert old in text
    return commit_files(repo, branch, {NEWBORN: text.replace(old, new, 1).encode("utf-8")}, author=user,
                        email=f"{user}@example.cn", message=message, expected=expected)


def log(repo, revision=MAIN):
    return subprocess.run(["git", "-c", "core.quotepath=false", "log", "--format=%an|%s", revision], cwd=repo,
                          capture_output=True, text=True, check=True).stdout.splitlines()


def test_each_save_is_a_commit_on_the_editors_draft_by_the_editor(repo):
    before = (repo / NEWBORN).read_text(encoding="utf-8")
    edit(repo, draft_branch("张三"), "{promised: 3, statutory: 20}", "{promised: 2, statutory: 20}", "张三")
    edit(repo, draft_branch("李四"), "version: 1", "version: 2", "李四")
    assert sorted(drafts(repo)) == ["drafts/张三", "drafts/李四"]
    assert authors(repo, "drafts/张三") == {"张三"}
    assert changed_files(repo, "drafts/李四") == [NEWBORN]
    assert (repo / NEWBORN).read_text(encoding="utf-8") == before  # the work tree shows main only
    assert log(repo, "drafts/张三")[0] == "张三|修改"


def test_a_save_against_a_stale_branch_is_refused(repo):
    branch = draft_branch("alice")
    first = edit(repo, branch, "version: 1", "version: 2", "alice")
    edit(repo, branch, "version: 2", "version: 3", "alice", expected=first)
    with pytest.raises(StaleBranch):
        edit(repo, branch, "version: 3", "version: 4", "alice", expected=first)


def test_publish_needs_a_second_person_and_a_clean_check(repo):
    branch = draft_branch("alice")
    edit(repo, branch, "{promised: 3, statutory: 20}", "{promised: 2, statutory: 20}", "alice")
    assert publish(repo, branch, reviewer="alice", email="a@x").reason == "own-change"
    result = publish(repo, branch, reviewer="rita", email="r@x")
    assert result.published
    assert "{promised: 2, statutory: 20}" in (repo / NEWBORN).read_text(encoding="utf-8")  # work tree follows main
    names = [line.split("|")[0] for line in log(repo)]
    assert names[0] == "rita" and "alice" in names  # both authors in git log
    assert drafts(repo) == []


def test_publish_refuses_a_change_that_breaks_a_bundle(repo):
    branch = draft_branch("alice")
    edit(repo, branch, "    department: police\n", "    department: polise\n", "alice")
    result = publish(repo, branch, reviewer="rita", email="r@x")
    assert not result.published and result.reason == "errors"
    assert any(d.code == "E301" for d in result.diagnostics)
    assert "polise" not in (repo / NEWBORN).read_text(encoding="utf-8")


def test_two_drafts_on_one_line_the_second_publish_reports_the_conflict(repo):
    edit(repo, draft_branch("alice"), "{promised: 3, statutory: 20}", "{promised: 2, statutory: 20}", "alice")
    edit(repo, draft_branch("bob"), "{promised: 3, statutory: 20}", "{promised: 1, statutory: 20}", "bob")
    assert publish(repo, draft_branch("alice"), reviewer="rita", email="r@x").published
    main_before = ref(repo, MAIN)
    second = publish(repo, draft_branch("bob"), reviewer="rita", email="r@x")
    assert not second.published and second.reason == "conflict" and second.conflicts == (NEWBORN,)
    assert ref(repo, MAIN) == main_before  # nothing silently overwritten


def test_two_drafts_on_different_lines_both_publish(repo):
    edit(repo, draft_branch("alice"), "{promised: 3, statutory: 20}", "{promised: 2, statutory: 20}", "alice")
    edit(repo, draft_branch("bob"), "version: 1", "version: 2", "bob")
    assert publish(repo, draft_branch("alice"), reviewer="rita", email="r@x").published
    assert publish(repo, draft_branch("bob"), reviewer="rita", email="r@x").published
    text = (repo / NEWBORN).read_text(encoding="utf-8")
    assert "{promised: 2, statutory: 20}" in text and "version: 2" in text


def test_history_and_a_revert_that_is_itself_a_reviewable_change(repo):
    first = ref(repo, MAIN)
    edit(repo, draft_branch("alice"), "version: 1", "version: 2", "alice", message="升级版本")
    publish(repo, draft_branch("alice"), reviewer="rita", email="r@x")
    assert [c.message for c in history(repo, "newborn")][0].startswith("发布 drafts/alice")
    revert(repo, "newborn", first, user="bob", email="b@x")
    assert drafts(repo) == ["drafts/bob"]
    changes = semantic_diff(version_at(repo, MAIN), version_at(repo, "drafts/bob"))
    assert [c.text() for c in changes] == ["newborn: 版本 2 → 1"]
    assert publish(repo, "drafts/bob", reviewer="rita", email="r@x").published
    assert "version: 1" in (repo / NEWBORN).read_text(encoding="utf-8")


def test_push_drafts_to_a_bare_remote(repo, tmp_path):
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", str(remote)], check=True)
    subprocess.run(["git", "-C", str(repo), "remote", "add", "origin", str(remote)], check=True)
    edit(repo, draft_branch("alice"), "version: 1", "version: 2", "alice")
    subprocess.run(["git", "-C", str(repo), "push", "-q", "origin", "main", "drafts/alice"], check=True)
    branches = subprocess.run(["git", "-C", str(remote), "branch", "--format=%(refname:short)"],
                              capture_output=True, text=True, check=True).stdout.split()
    assert sorted(branches) == ["drafts/alice", "main"]


def test_build_from_a_ref_takes_the_published_bundles_and_records_the_commit(repo, tmp_path, monkeypatch):
    import json

    from click.testing import CliRunner

    from configurator.cli import main
    published = ref(repo, MAIN)
    path = repo / NEWBORN
    path.write_text(path.read_text(encoding="utf-8").replace("version: 1", "version: 9"), encoding="utf-8")
    monkeypatch.chdir(repo)
    result = CliRunner().invoke(main, ["build", "--ref", "main", "--out", str(tmp_path / "dist")])
    assert result.exit_code == 0, result.output
    index = json.loads((tmp_path / "dist/index.json").read_text(encoding="utf-8"))
    assert index["source"] == {"commit": published, "ref": "main", "uncommitted_changes": False}
    assert next(b for b in index["bundles"] if b["id"] == "newborn")["version"] == "1"  # not the edit on disk
    assert CliRunner().invoke(main, ["build", "--ref", "no-such-ref", "--out", str(tmp_path / "x")]).exit_code == 2


def test_an_interrupted_save_leaves_the_workspace_usable_and_loses_nothing(repo):
    branch = draft_branch("alice")
    first = edit(repo, branch, "version: 1", "version: 2", "alice")
    lock = repo / ".git" / "refs" / "heads" / "drafts" / "alice.lock"
    lock.write_text("", encoding="utf-8")  # as if another git process died holding the ref
    with pytest.raises(StaleBranch):  # refused with a message, not a half-done save
        edit(repo, branch, "version: 2", "version: 3", "alice")
    assert ref(repo, branch) == first  # the saved draft is intact
    lock.unlink()
    edit(repo, branch, "version: 2", "version: 3", "alice")
    assert b"version: 3" in read_file(repo, branch, NEWBORN)
    assert subprocess.run(["git", "fsck", "--no-progress"], cwd=repo, capture_output=True).returncode == 0


def test_branch_lookup_reads_loose_and_packed_refs_alike(repo):
    commit = edit(repo, draft_branch("alice"), "version: 1", "version: 2", "alice")
    assert ref(repo, "drafts/alice") == commit
    subprocess.run(["git", "-C", str(repo), "pack-refs", "--all"], check=True)
    assert not (repo / ".git/refs/heads/drafts/alice").exists()
    assert ref(repo, "drafts/alice") == commit and ref(repo, "nope") is None
