"""Fault injection: a read-only workspace, a full disk, a missing workspace and a missing git,
each answered with a message that says what to do — never a 500 — and nothing half-written.

The read-only and full file systems are real (a small tmpfs mounted for the test) where the
machine allows it (root with mount); elsewhere the same write fails with the same errno.
"""

import contextlib
import errno
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
import requests

from configurator.web import ConfigurationError, create_app
from configurator.web.accounts import create_user
from tests.helpers import ROOT
from tests.web_helpers import PASSWORD, Site, csrf_token, make_site, serve


def _can_mount() -> bool:
    if os.geteuid() != 0 or not shutil.which("mount"):
        return False
    with tempfile.TemporaryDirectory() as probe:
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", probe], capture_output=True)
        if done.returncode != 0:
            return False
        subprocess.run(["umount", probe], check=True)
        return True


CAN_MOUNT = not os.environ.get("TEST_SIMULATE_FAULTS") and _can_mount()  # set it to try the fallback


@contextlib.contextmanager
def small_disk(path: Path, size: str = "2m"):
    path.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], check=True)
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def fill(disk: Path) -> None:
    with open(disk / "filler", "wb", buffering=0) as out, contextlib.suppress(OSError):
        while True:
            out.write(b"\0" * 65536)
            out.flush()


@pytest.fixture
def disk_site(tmp_path):
    """A served admin whose workspace (only: the database stays apart) lies on its own small file system."""
    disk = tmp_path / "disk"
    with small_disk(disk) if CAN_MOUNT else contextlib.nullcontext(disk):
        disk.mkdir(exist_ok=True)
        for part in ("bundles", "catalogues"):
            shutil.copytree(ROOT / part, disk / part)
        app = create_app({"SECRET_KEY": "test-" + "k" * 40, "WORKSPACE": str(disk),
                          "DATABASE_URL": f"sqlite:///{tmp_path / 'admin.db'}"})
        with app.app_context():
            create_user("alice", "editor", PASSWORD)
        site = serve(Site(app, disk))
        yield site
        site.server.shutdown()


def logged_in(site, username="alice") -> requests.Session:
    http = requests.Session()
    page = http.get(f"{site.url}/login")
    http.post(f"{site.url}/login", data={"username": username, "password": PASSWORD, "csrf_token": csrf_token(page.text)})
    return http


def save_source(http, site, change):
    page = http.get(f"{site.url}/admin/bundles/newborn/source/").text
    version = re.search(r'name="version" value="([^"]+)"', page).group(1)
    text = site.bundle_file("newborn").read_text(encoding="utf-8")
    return http.post(f"{site.url}/admin/bundles/newborn/source/",
                     data={"csrf_token": csrf_token(page), "version": version, "text": change(text)})


def simulate(monkeypatch, code: int) -> None:
    """Where no file system can be mounted: the first write into the workspace fails like one would."""
    def failing(*args, **kwargs):
        raise OSError(code, os.strerror(code))
    monkeypatch.setattr("configurator.workspace.store.tempfile.mkstemp", failing)


def test_a_read_only_workspace_says_so_and_keeps_the_file(disk_site, monkeypatch):
    site = disk_site
    before = site.bundle_file("newborn").read_bytes()
    http = logged_in(site)
    if CAN_MOUNT:
        subprocess.run(["mount", "-o", "remount,ro", str(site.workspace)], check=True)
    else:
        simulate(monkeypatch, errno.EROFS)
    answer = save_source(http, site, lambda t: t.replace("version: 1", "version: 2"))
    assert answer.status_code == 503
    assert "只读" in answer.text and "您的修改没有保存" in answer.text and "返回" in answer.text
    assert "Traceback" not in answer.text
    assert site.bundle_file("newborn").read_bytes() == before
    assert http.get(f"{site.url}/admin/bundles/newborn/").status_code == 200  # reading still works


def test_a_full_disk_says_so_and_leaves_no_partial_file(disk_site, monkeypatch):
    site = disk_site
    before = site.bundle_file("newborn").read_bytes()
    http = logged_in(site)
    if CAN_MOUNT:
        fill(site.workspace)
    else:
        simulate(monkeypatch, errno.ENOSPC)
    answer = save_source(http, site, lambda t: t + "\n# " + "填充" * 20000 + "\n")
    assert answer.status_code == 503
    assert "磁盘已满" in answer.text and "原文件没有改动" in answer.text
    assert site.bundle_file("newborn").read_bytes() == before
    assert not [p for p in site.bundle_file("newborn").parent.iterdir() if p.name.endswith(".tmp")]


def test_a_vanished_workspace_is_explained(tmp_path):
    site = serve(make_site(tmp_path))
    try:
        http = logged_in(site)
        shutil.rmtree(site.workspace / "bundles")
        for url in ("/admin/bundles/", "/admin/bundles/newborn/", "/api/bundles"):
            answer = http.get(f"{site.url}{url}")
            assert answer.status_code != 500, (url, answer.text[:300])
    finally:
        site.server.shutdown()


@pytest.fixture
def no_git(tmp_path, monkeypatch):
    """PATH holding every program but git."""
    bin_dir = tmp_path / "bin-without-git"
    bin_dir.mkdir()
    for folder in os.environ["PATH"].split(os.pathsep):
        for program in Path(folder).glob("*") if Path(folder).is_dir() else ():
            if program.name != "git" and not (bin_dir / program.name).exists():
                with contextlib.suppress(OSError):
                    (bin_dir / program.name).symlink_to(program)
    return str(bin_dir)


def test_the_server_refuses_to_start_without_git_and_says_why(tmp_path, no_git, monkeypatch):
    from configurator.workspace.git import init_workspace

    init_workspace(tmp_path / "ws")
    monkeypatch.setenv("PATH", no_git)
    with pytest.raises(ConfigurationError, match="git was not found"):
        create_app({"SECRET_KEY": "k" * 40, "WORKSPACE": str(tmp_path / "ws"), "DATABASE_URL": f"sqlite:///{tmp_path}/a.db"})
    done = subprocess.run([sys.executable, "-m", "configurator", "serve", "--instance", str(tmp_path / "instance"),
                           "--port", "5401"], cwd=ROOT, env={**os.environ, "PATH": no_git}, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode != 0
    assert "git was not found" in done.stderr and "apt-get install git" in done.stderr
    assert "Traceback" not in done.stderr


def test_git_removed_while_running_gets_a_message_not_a_500(tmp_path, no_git, monkeypatch):
    site = serve(make_site(tmp_path, git=True))
    try:
        http = logged_in(site)
        monkeypatch.setenv("PATH", no_git)
        statuses = {}
        for url in ("/admin/bundles/newborn/", "/api/bundles", "/admin/changes/"):
            answer = http.get(f"{site.url}{url}")
            statuses[url] = answer.status_code
            if answer.status_code == 503:
                assert "找不到 git 程序" in answer.text and "安装 git" in answer.text
        assert set(statuses.values()) <= {200, 503} and statuses["/api/bundles"] == 503, statuses
    finally:
        site.server.shutdown()
