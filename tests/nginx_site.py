"""nginx as docs/operations.md deploys it in front of `configurator export-api`: the doc's own
configuration (only its folder and ports replaced), run without root in a prefix of its own,
``daemon off``, on a free port. Used by tests/test_nginx_export.py and bench/static_load.py."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from bench.api_load import free_port
from tests.helpers import ROOT

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
HEADERS_MORE = Path("/usr/lib/nginx/modules/ngx_http_headers_more_filter_module.so")
MISSING = None if os.path.exists(NGINX) and HEADERS_MORE.exists() else (
    "nginx or its headers-more module is not installed (make nginx-deps installs them with apt-get as root)")
# What the doc's configuration names, replaced for a run: the export's folder and the two ports.
DOC_SITE, DOC_PORT, DOC_APP = "/srv/configurator/site", "listen 8080;", "http://127.0.0.1:8000"


def doc_config() -> str:
    """The nginx block of docs/operations.md that serves `configurator export-api`'s folder."""
    text = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    blocks = [block for block in re.findall(r"^```nginx\n(.*?)^```", text, re.DOTALL | re.MULTILINE)
              if "api-maps.conf" in block]
    assert len(blocks) == 1, "docs/operations.md should give one nginx configuration for export-api"
    return blocks[0]


@dataclass
class Nginx:
    process: subprocess.Popen[bytes]
    url: str
    prefix: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
        self.process.wait(timeout=10)
        if self.process.stderr is not None:
            self.process.stderr.close()


def start_nginx(prefix: Path, server: str, port: int = 0, workers: int = 1) -> Nginx:
    """nginx in the foreground with ``server`` (http-context configuration) as its only site."""
    port = port or free_port()
    prefix.mkdir(parents=True, exist_ok=True)
    temp = prefix / "temp"
    temp.mkdir(exist_ok=True)
    # As root (CI), workers would drop to "nobody", who cannot read a private temporary folder.
    user = "user root;\n" if os.geteuid() == 0 else ""
    (prefix / "nginx.conf").write_text(
        f"load_module {HEADERS_MORE};\n{user}daemon off;\nworker_processes {workers};\npid {prefix}/nginx.pid;\n"
        f"error_log {prefix}/error.log warn;\nevents {{ worker_connections 1024; }}\n"
        # sendfile, tcp_nopush and gzip (text/html only, its default gzip_types) as Debian's nginx.conf has them
        f"http {{\n    access_log off;\n    sendfile on;\n    tcp_nopush on;\n    gzip on;\n"
        + "".join(f"    {kind}_temp_path {temp}/{kind};\n" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        + server.replace("listen 8080;", f"listen 127.0.0.1:{port};") + "}\n", encoding="utf-8")
    process = subprocess.Popen([NGINX, "-p", str(prefix), "-c", str(prefix / "nginx.conf")],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    for _ in range(200):
        if process.poll() is not None:
            error = process.stderr.read().decode() if process.stderr else ""
            log = (prefix / "error.log").read_text() if (prefix / "error.log").exists() else ""
            raise RuntimeError(f"nginx did not start:\n{error}\n{log}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return Nginx(process, f"http://127.0.0.1:{port}", prefix)
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError("nginx did not listen within 10 s")


def deploy(site: Path, prefix: Path, app_url: str, port: int = 0, workers: int = 1, extra: str = "") -> Nginx:
    """The doc's configuration for the export in ``site``, passing the rest to the app at ``app_url``
    (``extra``: more http-context configuration, e.g. another server)."""
    config = doc_config()
    for placeholder in (DOC_SITE, DOC_PORT, DOC_APP):
        assert placeholder in config, f"the doc's nginx configuration no longer has {placeholder}"
    return start_nginx(prefix, config.replace(DOC_SITE, str(site)).replace(DOC_APP, app_url) + extra, port, workers)
