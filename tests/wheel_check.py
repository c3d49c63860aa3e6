"""The wheel as a user installs it: built from this checkout, installed into a fresh virtual
environment in an empty folder (no source tree to lean on), then `init`, `check`, `build` and a
short `serve` answering a page and the portal API. Run by `make wheel-check` (and so by CI).

Exits non-zero with the failing step's output; prints one line per step that passed.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
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


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="wheel-check-") as folder:
        here = Path(folder)
        run("build the wheel", [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(here / "dist"),
                                str(ROOT)], here)
        [wheel] = (here / "dist").glob("configurator-*.whl")
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
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
