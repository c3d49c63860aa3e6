"""Benchmark: how long a failed login takes for an existing user and for an unknown name.

Both must cost the same (one password hash check each), so that timing tells an attacker nothing
about which names exist. Throttling is set out of the way so that every attempt is checked.

Usage: python bench/login_timing.py [--rounds 40]
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from configurator.web import create_app  # noqa: E402
from configurator.web.accounts import create_user  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=40)
    rounds = parser.parse_args().rounds
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        for part in ("bundles", "catalogues"):
            shutil.copytree(ROOT / part, work / "ws" / part)
        app = create_app({"SECRET_KEY": "b" * 40, "WORKSPACE": str(work / "ws"), "DATABASE_URL": f"sqlite:///{work}/a.db",
                          "LOGIN_FREE_FAILURES": 10**6, "LOGIN_LOCKOUT_FAILURES": 10**6, "LOGIN_ADDRESS_FACTOR": 1,
                          "RATELIMIT_ENABLED": False, "WTF_CSRF_ENABLED": False})
        with app.app_context():
            create_user("alice", "editor", "correct horse battery staple")
        client = app.test_client()
        times: dict[str, list[float]] = {"existing user": [], "unknown name": []}
        for i in range(rounds):
            for label, name in (("existing user", "alice"), ("unknown name", f"nobody{i}")):
                start = time.perf_counter()
                answer = client.post("/login", data={"username": name, "password": "wrong password here"})
                times[label].append(time.perf_counter() - start)
                assert answer.status_code == 200 and re.search("用户名或密码不正确", answer.get_data(as_text=True))
        for label, values in times.items():
            print(f"{label:14s} median {statistics.median(values) * 1000:6.1f} ms   "
                  f"p90 {sorted(values)[int(len(values) * 0.9)] * 1000:6.1f} ms   ({len(values)} failed logins)")


if __name__ == "__main__":
    main()
