"""Change requests on real git repositories in temporary folders: saves, states, publish, update."""

import subprocess

import pytest
from sqlalchemy import create_engine

from configurator.workspace import git, trees
from configurator.workspace.changes import ChangeError, ChangeRequests, Stale
from configurator.workspace.git import MAIN, init_workspace, read_file, ref
from configurator.workspace.records import Records

NEWBORN = "bundles/newborn.yaml"


@pytest.fixture
def repo(tmp_path):
    path = tmp_path / "工作区"
    init_workspace(path)
    return path


@pytest.fixture
def changes(repo, tmp_path):
    return ChangeRequests(repo, Records(create_engine(f"sqlite:///{tmp_path / 'meta.db'}")))


def text_at(repo, commit, path=NEWBORN):
    return (read_file(repo, commit, path) or b"").decode("utf-8")


def save(changes, user, old, new, *, seen=None, change_id=None, path=NEWBORN):
    """An edit of one line, made against ``seen`` (default: what the user would read now)."""
    if seen is None:
        chosen = changes.get(change_id) if change_id else changes.for_editing(user, path)
        seen = changes.head(chosen) if chosen else ref(changes.repo, MAIN)
    text = text_at(changes.repo, seen, path)
    assert old in text, old
    return changes.save(user, {path: text.replace(old, new, 1).encode("utf-8")}, seen=seen, message=f"{user}: {new}",
                        change_id=change_id)


def git_log(repo, *args):
    return subprocess.run(["git", "-c", "core.quotepath=false", "log", *args], cwd=repo, capture_output=True,
                          text=True, check=True).stdout


def publish(changes, change, reviewer="rita"):
    change = changes.get(change.id)
    return changes.publish(change, reviewer, seen_head=changes.head(change), seen_main=changes.main())


def test_a_save_opens_a_change_request_on_an_ordinary_branch_and_leaves_main_alone(changes, repo):
    main = ref(repo, MAIN)
    outcome = save(changes, "alice", "version: 1", "version: 2")
    assert outcome.saved and outcome.created and outcome.change.branch == f"changes/{outcome.change.id}"
    assert ref(repo, outcome.change.branch) == outcome.commit and ref(repo, MAIN) == main
    assert git_log(repo, "-1", "--format=%an", outcome.change.branch).strip() == "alice"
    second = save(changes, "alice", "version: 2", "version: 3")  # the open one for the bundle is reused
    assert second.change.id == outcome.change.id and not second.created


def test_a_save_against_a_stale_view_of_the_file_is_refused_and_writes_nothing(changes, repo):
    first = save(changes, "alice", "version: 1", "version: 2")
    seen = ref(repo, MAIN)  # alice's second tab still shows the published file
    with pytest.raises(Stale):
        save(changes, "alice", "version: 1", "version: 5", seen=seen, change_id=first.change.id)
    assert ref(repo, first.change.branch) == first.commit


def test_saves_of_other_files_on_a_moved_branch_are_kept(changes, repo):
    first = save(changes, "alice", "version: 1", "version: 2")
    seen = first.commit
    save(changes, "alice", "version: 1", "version: 2", path="bundles/retirement.yaml", change_id=first.change.id)
    # seen is behind the branch now, but newborn.yaml did not change since: the save goes on top.
    third = save(changes, "alice", "version: 2", "version: 3", seen=seen, change_id=first.change.id)
    head = third.commit
    assert "version: 3" in text_at(repo, head) and "version: 2" in text_at(repo, head, "bundles/retirement.yaml")


def test_states_submit_send_back_resubmit_publish_and_four_eyes(changes, repo):
    change = save(changes, "alice", "{promised: 3, statutory: 20}", "{promised: 2, statutory: 20}").change
    with pytest.raises(ChangeError):
        changes.send_back(change, "rita", "no")  # not submitted yet
    change = changes.submit(change, "alice")
    assert publish(changes, change, "alice").reason == "own-change"
    change = changes.send_back(change, "rita", "请补充说明")
    assert change.state == "returned" and publish(changes, change).reason == "state"
    change = changes.submit(change, "alice")
    result = publish(changes, change)
    assert result.published and result.bumped == {"newborn": "2"}
    published = ref(repo, MAIN)
    assert "{promised: 2, statutory: 20}" in text_at(repo, published) and "version: 2" in text_at(repo, published)
    body = git_log(repo, "-1", "--format=%an|%cn|%B", MAIN)
    assert body.startswith("alice|rita|") and "Reviewed-by: rita" in body and f"Change-Request: #{change.id}" in body
    assert changes.get(change.id).state == "published" and changes.get(change.id).reviewer == "rita"
    assert git.fsck(repo) == ""


def test_publish_refuses_what_the_reviewer_did_not_see(changes, repo):
    change = changes.submit(save(changes, "alice", "version: 1", "version: 2").change, "alice")
    seen_head, seen_main = changes.head(change), changes.main()
    save(changes, "alice", "{promised: 3, statutory: 20}", "{promised: 1, statutory: 20}", change_id=change.id)
    result = changes.publish(changes.get(change.id), "rita", seen_head=seen_head, seen_main=seen_main)
    assert not result.published and result.reason == "moved" and ref(repo, MAIN) == seen_main


def test_publish_refuses_a_change_that_breaks_a_bundle(changes, repo):
    change = save(changes, "alice", "    department: police\n", "    department: polise\n").change
    result = publish(changes, changes.submit(change, "alice"))
    assert not result.published and result.reason == "errors" and any(d.code == "E301" for d in result.diagnostics)


def test_update_merges_by_structure_and_the_diff_then_shows_only_mine(changes, repo):
    a = save(changes, "alice", "{promised: 3, statutory: 20}", "{promised: 2, statutory: 20}").change
    b = save(changes, "bob", "visits: 1  # 在助产机构一次办结", "visits: 2  # 在助产机构一次办结").change
    assert publish(changes, changes.submit(a, "alice")).published
    assert [c.message for c in changes.behind(b)][0].startswith("修改 bundles/newborn.yaml")
    plan = changes.plan_update(b)
    assert plan is not None and plan.conflicts == []
    changes.update(b, "bob", seen_head=plan.head, seen_main=plan.main)
    head = changes.head(changes.get(b.id))
    text = text_at(repo, head)
    assert "{promised: 2, statutory: 20}" in text and "visits: 2  # 在助产机构一次办结" in text  # comment kept
    assert "version: 2" in text  # the publish's version bump came along
    assert changes.behind(changes.get(b.id)) == []
    base = git.merge_base(repo, changes.main(), head)
    diff = git.diff(repo, base, head)
    assert "+visits: 2" in diff and "promised" not in diff and "version" not in diff


def test_the_same_field_changed_twice_is_a_field_level_conflict(changes, repo):
    a = save(changes, "alice", "{promised: 3, statutory: 20}", "{promised: 2, statutory: 20}").change
    b = save(changes, "bob", "{promised: 3, statutory: 20}", "{promised: 1, statutory: 20}").change
    assert publish(changes, changes.submit(a, "alice")).published
    plan = changes.plan_update(b)
    [(path, index, found)] = plan.conflicts
    assert (found.original, found.published, found.mine) == (3, 2, 1) and found.label.endswith(".time_limit.promised")
    with pytest.raises(ChangeError):
        changes.update(b, "bob", seen_head=plan.head, seen_main=plan.main)  # undecided
    changes.update(b, "bob", seen_head=plan.head, seen_main=plan.main, choices={(path, index): 1})
    text = text_at(repo, changes.head(changes.get(b.id)))
    assert "{promised: 1, statutory: 20}" in text and "<<<<<<<" not in text


def test_a_crash_between_moving_main_and_recording_the_state_is_repaired(changes, repo):
    change = changes.submit(save(changes, "alice", "version: 1", "version: 2").change, "alice")
    head, main = changes.head(change), changes.main()
    merged = git.merge_tree(repo, main, head)
    commit = trees.write_commit(repo, merged.tree, {}, parents=[main, head], author=("alice", "a@x"),
                                committer=("rita", "r@x"), message="发布\n\nReviewed-by: rita <rita@localhost>\n")
    git.update_ref(repo, MAIN, commit, main)  # as if the process died right after this
    changes.reconcile()
    assert changes.get(change.id).state == "published"


def test_legacy_draft_branches_appear_as_change_requests(changes, repo):
    main = ref(repo, MAIN)
    files: dict[str, bytes | None] = {NEWBORN: text_at(repo, main).replace("version: 1", "version: 4").encode()}
    git.update_ref(repo, "drafts/张三", trees.write_commit(repo, main, files, parents=[main], message="旧草稿",
                                                         author=("张三", "z@x")), None)
    changes.reconcile()
    [found] = changes.records.all()
    assert found.branch == "drafts/张三" and found.author == "张三" and found.state == "draft"


def test_a_stale_ref_lock_is_recovered_and_a_fresh_one_is_respected(changes, repo):
    import os
    import time

    first = save(changes, "alice", "version: 1", "version: 2")
    lock = repo / ".git" / "refs" / "heads" / "changes" / f"{first.change.id}.lock"
    lock.write_text("", encoding="utf-8")  # as if a git process died holding the ref
    old = time.time() - 3600
    os.utime(lock, (old, old))
    second = save(changes, "alice", "version: 2", "version: 3")
    assert second.saved and not lock.exists()
    lock.write_text("", encoding="utf-8")  # a lock just taken: someone is moving the branch
    with pytest.raises(ChangeError):
        save(changes, "alice", "version: 3", "version: 4")
    assert ref(repo, first.change.branch) == second.commit
    lock.unlink()
    assert git.fsck(repo) == ""


def test_push_a_change_request_branch_to_a_bare_remote(changes, repo, tmp_path):
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", str(remote)], check=True)
    subprocess.run(["git", "-C", str(repo), "remote", "add", "origin", str(remote)], check=True)
    change = save(changes, "alice", "version: 1", "version: 2").change
    git.push(repo, change.branch)
    assert git.ref(remote, change.branch) == changes.head(change)
    with pytest.raises(git.GitError):
        git.push(repo, "--upload-pack=touch x")


@pytest.mark.parametrize("hostile", ["--output=x", "-x", "..", "main..x", "@{-1}", "a//b", "x.lock", "HEAD~1", ""])
def test_hostile_names_never_reach_git(hostile):
    with pytest.raises(git.GitError):
        git.branch_name(hostile) if not hostile.startswith("HEAD") else git.commit_id(hostile)
    with pytest.raises(git.GitError):
        git.commit_id(hostile)


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
    assert next(b for b in index["bundles"] if b["id"] == "newborn")["version"] == "1"
    assert CliRunner().invoke(main, ["build", "--ref", "no-such-ref", "--out", str(tmp_path / "x")]).exit_code == 2
    assert CliRunner().invoke(main, ["build", "--ref", "--output=x", "--out", str(tmp_path / "y")]).exit_code == 2
    assert not (repo / "x").exists()


def test_a_save_whose_branch_moves_after_a_whole_publish_is_refused_and_taken_back(changes, repo, monkeypatch):
    """The interleaving that stranded saves: the save found its change request open, then a
    publish read the head, published it and closed the request, then the save moved the branch."""
    change = changes.submit(save(changes, "alice", "version: 1", "version: 2").change, "alice")
    published_head, real = changes.head(change), git.update_ref

    def publish_first(repo_, branch, new, old):
        if branch == change.branch:
            monkeypatch.setattr(git, "update_ref", real)
            assert publish(changes, change).published
        return real(repo_, branch, new, old)

    monkeypatch.setattr(git, "update_ref", publish_first)
    with pytest.raises(ChangeError) as refused:
        save(changes, "alice", "version: 2", "version: 2\n# 第二次保存", change_id=change.id)
    assert "在您保存的同时已发布" in str(refused.value) and "was published while you saved" in refused.value.text("en")
    assert ref(repo, change.branch) == published_head  # nothing refused is left on the published branch
    assert "第二次保存" not in text_at(repo, ref(repo, MAIN))
    assert changes.get(change.id).state == "published"


def test_a_save_that_lands_while_a_publish_runs_waits_for_it_and_is_refused_if_not_published(changes, repo,
                                                                                            monkeypatch):
    import threading

    change = changes.submit(save(changes, "alice", "version: 1", "version: 2").change, "alice")
    seen_head, seen_main, real_update, real_check = changes.head(change), changes.main(), git.update_ref, changes.check_tree
    checking, results, threads = threading.Event(), [], []

    def slow_check(tree):  # the publish has read the head; it goes on once the save moved the branch
        checking.set()
        for _ in range(200):
            if ref(repo, change.branch) != seen_head:
                break
            threading.Event().wait(0.05)
        return real_check(tree)

    def publish_meanwhile(repo_, branch, new, old):
        if branch == change.branch and not checking.is_set():
            reviewer = threading.Thread(target=lambda: results.append(
                changes.publish(changes.get(change.id), "rita", seen_head=seen_head, seen_main=seen_main)))
            reviewer.start()
            threads.append(reviewer)
            assert checking.wait(30)
        return real_update(repo_, branch, new, old)

    monkeypatch.setattr(changes, "check_tree", slow_check)
    monkeypatch.setattr(git, "update_ref", publish_meanwhile)
    with pytest.raises(ChangeError, match="在您保存的同时已发布"):
        save(changes, "alice", "version: 2", "version: 2\n# 发布时保存", change_id=change.id)
    threads[0].join(30)
    assert results and results[0].published
    assert ref(repo, change.branch) == seen_head
    assert "发布时保存" not in text_at(repo, ref(repo, MAIN))


def test_the_publish_rule_is_stated_once_and_publish_keeps_it(changes, repo):
    """readiness (publishing.py) is what the review page shows and what publish enforces: submitted,
    changing something, merging cleanly, no errors in the merged tree. No Flask here."""
    from configurator.workspace.publishing import readiness

    def ready(change):
        change = changes.get(change.id)
        return readiness(changes, change, changes.head(change), changes.main())

    draft = save(changes, "alice", "version: 1", "version: 2").change
    assert ready(draft).reason == "state" and ready(draft).paths == (NEWBORN,)
    assert ready(changes.submit(draft, "alice")).publishable

    broken = save(changes, "bob", "    department: hrss\n", "    department: hrsss\n",
                  path="bundles/retirement.yaml").change
    broken = changes.submit(broken, "bob")
    found = ready(broken)
    assert found.reason == "errors" and any(d.code == "E301" for d in found.problems)
    assert publish(changes, broken).reason == "errors"

    clash = save(changes, "carol", "version: 1", "version: 7", path=NEWBORN).change  # the line alice changed
    clash = changes.submit(clash, "carol")
    assert publish(changes, draft).published
    found = ready(clash)
    assert found.reason == "conflict" and found.merged is not None and found.merged.conflicts == (NEWBORN,)
    outcome = publish(changes, clash)
    assert outcome.reason == "conflict" and outcome.conflicts == (NEWBORN,)


def test_a_change_request_whose_saves_cancel_out_has_nothing_to_publish(changes, repo):
    from configurator.workspace.publishing import readiness

    change = changes.submit(save(changes, "alice", "version: 1", "version: 2").change, "alice")
    save(changes, "alice", "version: 2", "version: 1", change_id=change.id)  # taken back while in review
    change = changes.get(change.id)
    main = changes.main()
    assert readiness(changes, change, changes.head(change), main).reason == "nothing"
    assert publish(changes, change).reason == "nothing" and changes.main() == main


def test_a_form_posted_after_another_save_keeps_the_others_fields_and_names_the_clashes():
    from configurator.workspace.merging import merge_form_values

    opened = {"id": "a", "name": "出生登记", "visits": "1", "department": "police"}
    current = {"id": "a", "name": "出生登记", "visits": "2", "department": "health"}  # saved meanwhile
    mine = {"id": "a", "name": "新生儿出生登记", "visits": "1", "department": "hrss"}
    merged, clashes = merge_form_values(mine, current, opened)
    assert merged == {"id": "a", "name": "新生儿出生登记", "visits": "2", "department": "hrss"}
    assert clashes == ["department"]
    assert merge_form_values(mine, opened, opened) == (mine, None)  # nobody else saved
    assert merge_form_values(mine, current, None) == (mine, None)  # the page as opened is not known
    assert merge_form_values(mine, {**current, "id": "b"}, opened) == (mine, None)  # another entry stands there now
