"""A real admin server on loopback with a temporary workspace, for browser and HTTP tests."""

from __future__ import annotations

import re
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path

from werkzeug.serving import make_server

from configurator.web import create_app
from configurator.web.accounts import create_user
from configurator.workspace.git import init_workspace
from tests.helpers import ROOT

PASSWORD = "correct horse battery staple"
USERS = {"alice": "editor", "victor": "viewer", "rita": "reviewer", "ada": "admin"}


@dataclass
class Site:
    app: object
    workspace: Path
    url: str = ""
    server: object = None

    def bundle_file(self, bundle_id: str) -> Path:
        return self.workspace / "bundles" / f"{bundle_id}.yaml"


def make_site(tmp_path: Path, git: bool = False) -> Site:
    workspace = tmp_path / "workspace"
    if git:
        init_workspace(workspace)
    else:
        for part in ("bundles", "catalogues"):
            shutil.copytree(ROOT / part, workspace / part)
    app = create_app({"SECRET_KEY": "test-" + "k" * 40, "WORKSPACE": str(workspace),
                      "DATABASE_URL": f"sqlite:///{tmp_path / 'admin.db'}"})
    with app.app_context():
        for name, role in USERS.items():
            create_user(name, role, PASSWORD)
    return Site(app, workspace)


def serve(site: Site, port: int = 0) -> Site:
    """The site served by a thread on loopback, on ``port`` (0: a free one)."""
    server = make_server("127.0.0.1", port, site.app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    site.server = server
    site.url = f"http://127.0.0.1:{server.server_port}"
    return site


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or \
        re.search(r'value="([^"]+)"[^>]*name="csrf_token"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def login(client, username: str) -> None:
    page = client.get("/login").get_data(as_text=True)
    response = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": csrf_token(page)})
    assert response.status_code == 302, response.get_data(as_text=True)
