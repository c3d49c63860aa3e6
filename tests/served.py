"""The admin as separate app processes on one workspace and one database (as behind a load
balancer), and a requests session that logs in like a browser."""

from __future__ import annotations

import html
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import requests

from configurator.web import create_app
from configurator.web.accounts import create_user
from configurator.web.models import db
from configurator.workspace.git import init_workspace
from tests.helpers import ROOT
from tests.web_helpers import PASSWORD

USERS = {"alice": "editor", "bob": "editor", "carol": "editor", "rita": "reviewer", "ada": "reviewer"}

SERVER = """
import sys
from werkzeug.serving import make_server
from configurator.web import create_app
from configurator.web.serve import settle_before_serving
app = create_app({"SECRET_KEY": "test-" + "k" * 40, "WORKSPACE": sys.argv[1], "DATABASE_URL": sys.argv[2]})
settle_before_serving()  # as `configurator serve` does
server = make_server("127.0.0.1", int(sys.argv[3]), app, threaded=True)
print(server.server_port, flush=True)
server.serve_forever()
"""


@dataclass
class AppProcess:
    process: subprocess.Popen[str]
    url: str

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=10)
        if self.process.stdout is not None:
            self.process.stdout.close()


def prepare(tmp_path: Path, database_url: str, users: dict[str, str] | None = None) -> Path:
    """A git workspace and a database with users (editors alice, bob, carol; reviewers rita, ada)."""
    workspace = tmp_path / "workspace"
    init_workspace(workspace)
    app = create_app({"SECRET_KEY": "test-" + "k" * 40, "WORKSPACE": str(workspace), "DATABASE_URL": database_url})
    with app.app_context():
        for name, role in (users or USERS).items():
            create_user(name, role, PASSWORD)
        db.session.remove()
        db.engine.dispose()  # the served processes use the database from here on
    app.extensions["configurator.workspace.store"].changes.records.engine.dispose()
    return workspace


def start_app(workspace: Path, database_url: str, env: dict[str, str] | None = None, port: int = 0) -> AppProcess:
    """The admin in its own process on loopback, on ``port`` (0: a free one)."""
    log = (workspace.parent / f"app-{len(list(workspace.parent.glob('app-*.log')))}.log").open("w")
    process = subprocess.Popen([sys.executable, "-c", SERVER, str(workspace), database_url, str(port)], cwd=ROOT,
                               stdout=subprocess.PIPE, stderr=log, text=True, env={**os.environ, **(env or {})})
    log.close()
    assert process.stdout is not None
    port = process.stdout.readline().strip()
    assert port.isdigit(), "the app process did not start"
    return AppProcess(process, f"http://127.0.0.1:{port}")


def session(url: str, username: str) -> requests.Session:
    browser = requests.Session()
    adapter = requests.adapters.HTTPAdapter(pool_connections=4, pool_maxsize=64)
    browser.mount("http://", adapter)
    page = browser.get(f"{url}/login", timeout=60).text
    response = browser.post(f"{url}/login", data={"username": username, "password": PASSWORD, "csrf_token": token(page)},
                            allow_redirects=False, timeout=60)
    assert response.status_code == 302, response.text[:500]
    return browser


def token(page: str) -> str:
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or re.search(r'value="([^"]+)"[^>]*name="csrf_token"', page)
    assert found, "no CSRF token"
    return found.group(1)


def source_form(page: str) -> tuple[str, str]:
    """(text, version) of the YAML source page."""
    text = re.search(r"<textarea[^>]*name=\"text\"[^>]*>(.*?)</textarea>", page, re.S)
    version = re.search(r'name="version" value="([^"]+)"', page)
    assert text and version, page[:300]
    return html.unescape(text.group(1)), version.group(1)
