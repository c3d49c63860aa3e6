"""A throwaway PostgreSQL server for tests. pytest-postgresql starts it for an ordinary user;
PostgreSQL refuses to run as root, so as root (CI containers) the same steps run as the
``postgres`` system user the Debian package creates. Skipped with a note where there is none."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest


def _bin() -> Path | None:
    config = shutil.which("pg_config")
    if config:
        found = Path(subprocess.run([config, "--bindir"], capture_output=True, text=True).stdout.strip())
        if (found / "pg_ctl").exists():
            return found
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
    return candidates[-1].parent if candidates else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def postgresql_url(request: pytest.FixtureRequest) -> Iterator[str]:
    found = _bin()
    if found is None:
        pytest.skip("PostgreSQL is not installed (make test installs it with apt-get when run as root)")
    pytest.importorskip("psycopg")
    if os.geteuid() != 0:
        pytest.importorskip("pytest_postgresql")
        proc = request.getfixturevalue("postgresql_proc")
        yield f"postgresql+psycopg://{proc.user}:{proc.password or ''}@{proc.host}:{proc.port}/postgres"
        return
    if shutil.which("runuser") is None or subprocess.run(["id", "postgres"], capture_output=True).returncode != 0:
        pytest.skip("running as root without a postgres system user: PostgreSQL cannot start")
    folder = Path(tempfile.mkdtemp(prefix="configurator-pg-"))
    os.chmod(folder, 0o755)
    shutil.chown(folder, "postgres")
    data, port = folder / "data", _free_port()
    as_postgres = ["runuser", "-u", "postgres", "--"]
    subprocess.run([*as_postgres, str(found / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust"],
                   check=True, capture_output=True)
    subprocess.run([*as_postgres, str(found / "pg_ctl"), "-D", str(data), "-w", "-l", str(folder / "log"),
                    "-o", f"-p {port} -h 127.0.0.1 -k {folder}", "start"], check=True, capture_output=True)
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*as_postgres, str(found / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                       capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)
