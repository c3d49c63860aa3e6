"""The wheel as a user installs it: built from this checkout, installed into a fresh virtual
environment in an empty folder (no source tree to lean on), then `init`, `check`, `build` and a
short `serve` answering a page and the portal API. Run by `make wheel-check` (and so by CI).

Exits non-zero with the failing step's output; prints one line per step that passed.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(step: str, args: list[str], cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(args, cwd=cwd, capture_output=True, text=True, env=env, timeout=900)
    if done.returncode != 0:
        sys.exit(f"wheel-check: {step} failed (exit {done.returncode})\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}")
    print(f"wheel-check: {step}: ok")
    return done.stdout


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def english_login_page(base: str) -> str:
    """The login page after choosing English (POST /lang/en with the page's CSRF token)."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    with opener.open(f"{base}/login", timeout=10) as answer:
        page = answer.read().decode("utf-8")
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or re.search(r'value="([^"]+)"[^>]*name="csrf_token"', page)
    if token is None:
        sys.exit("wheel-check: no CSRF token on the login page")
    form = urllib.parse.urlencode({"csrf_token": token.group(1), "next": "/login"}).encode()
    with opener.open(f"{base}/lang/en", data=form, timeout=10) as answer:  # follows the redirect to /login
        return str(answer.read().decode("utf-8"))


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="wheel-check-") as folder:
        here = Path(folder)
        run("build the wheel", [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(here / "dist"),
                                str(ROOT)], here)
        [wheel] = (here / "dist").glob("configurator-*.whl")
        with zipfile.ZipFile(wheel) as archive:
            catalogues = [n for n in archive.namelist() if n.endswith("/LC_MESSAGES/messages.mo")]
        if "configurator/web/translations/en/LC_MESSAGES/messages.mo" not in catalogues:
            sys.exit(f"wheel-check: the wheel has no compiled English catalogue (run make, which compiles it); it has {catalogues}")
        print("wheel-check: the wheel carries the compiled admin translations: ok")
        run("create a fresh venv", [sys.executable, "-m", "venv", str(here / "venv")], here)
        bin_dir = here / "venv" / "bin"
        run("install the wheel", [str(bin_dir / "pip"), "install", "--quiet", "--constraint",
                                  str(ROOT / "requirements.lock"), str(wheel)], here)
        cli = str(bin_dir / "configurator")
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
        run("configurator init", [cli, "init", "ws"], here, env)
        run("configurator check", [cli, "check"], here / "ws", env)
        run("configurator build", [cli, "build", "--out", "../dist-site"], here / "ws", env)
        index = json.loads((here / "dist-site" / "index.json").read_text(encoding="utf-8"))
        if len(index["bundles"]) < 4:
            sys.exit(f"wheel-check: build wrote {len(index['bundles'])} bundles")
        port = free_port()
        server = subprocess.Popen([cli, "serve", "--port", str(port), "--instance", "inst", "--workspace", "ws"],
                                  cwd=here, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/bundles", timeout=5) as answer:
                        listed = json.loads(answer.read())
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=5) as answer:
                        page = answer.read().decode("utf-8")
                    break
                except OSError:
                    if server.poll() is not None or time.monotonic() > deadline:
                        output = server.stdout.read() if server.stdout else ""
                        sys.exit(f"wheel-check: serve did not answer\n{output[-4000:]}")
                    time.sleep(0.3)
            if not listed or "<form" not in page:
                sys.exit("wheel-check: serve answered without bundles or without a login form")
            print("wheel-check: configurator serve: ok")
            english = english_login_page(f"http://127.0.0.1:{port}")
            if 'lang="en"' not in english or "Log in" not in english or "登录" in english:
                sys.exit(f"wheel-check: the login page did not switch to English\n{english[-2000:]}")
            print("wheel-check: the admin in English (compiled catalogue served from the wheel): ok")
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
