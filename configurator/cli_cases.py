"""The command line of running cases (issue 26): `configurator engine`, `worker` and `token`.

Registered on the `configurator` group by cli.py; the Temporal packages are imported only when
one of these commands runs, so the rest of the command line works without the `temporal` extra.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path
from types import FrameType

import click

TEMPORAL_ENV = "CONFIGURATOR_TEMPORAL"
instance_option = click.option("--instance", type=click.Path(file_okay=False, path_type=Path), default=Path("instance"),
                               show_default=True, help="The admin's instance folder: its database holds the cases' task lists.")


def database_url(instance: Path) -> str:
    """The instance's database, as `configurator serve` finds it."""
    return os.environ.get("CONFIGURATOR_DATABASE_URL", f"sqlite:///{(instance / 'configurator.db').resolve()}")


def _say(lang: str, zh: str, en: str) -> str:
    return en if lang == "en" else zh


@click.command()
@click.option("--port", default=7233, show_default=True, type=click.IntRange(1, 65535), help="The engine's gRPC port.")
@click.option("--ip", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--db", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="SQLite file keeping the cases across restarts (default: in memory, lost when it stops).")
@click.option("--ui", is_flag=True, help="Also serve Temporal's web UI (on the port + 1000).")
@click.option("--lang", type=click.Choice(["zh-CN", "en"]), default="zh-CN", envvar="CONFIGURATOR_LANG", show_default=True)
def engine(port: int, ip: str, db: Path | None, ui: bool, lang: str) -> None:
    """Start a local Temporal development server (development, tests, small sites)."""
    from configurator.cases.engine import EngineError, start_engine

    try:
        process = start_engine(port, db, ip, ui)
    except EngineError as error:
        raise click.ClickException(str(error)) from None

    def stop(_signum: int, _frame: FrameType | None) -> None:
        process.terminate()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    click.echo(_say(lang, f"案件引擎（Temporal 开发服务器）已启动：{ip}:{port}",
                    f"case engine (Temporal development server) at {ip}:{port}"))
    click.echo(_say(lang, f"启动处理进程：configurator worker --temporal {ip}:{port}",
                    f"start a worker: configurator worker --temporal {ip}:{port}"))
    sys.stdout.flush()
    sys.exit(process.wait() if process.returncode is None else process.returncode)


@click.command()
@instance_option
@click.option("--workspace", "_workspace", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="The admin's workspace. Accepted for symmetry with serve; not read: a case carries its task graph.")
@click.option("--temporal", "address", envvar=TEMPORAL_ENV, required=True, metavar="HOST:PORT",
              help=f"The Temporal server (Env: {TEMPORAL_ENV}).")
@click.option("--lang", type=click.Choice(["zh-CN", "en"]), default="zh-CN", envvar="CONFIGURATOR_LANG", show_default=True)
def worker(instance: Path, _workspace: Path | None, address: str, lang: str) -> None:
    """Run the case workflow and its activities (start several to share the load)."""
    from configurator.cases.worker import serve_worker

    instance.mkdir(parents=True, exist_ok=True)  # the database the departments' task lists are written to
    click.echo(_say(lang, f"处理进程已连接 {address}，任务队列 configurator-cases", f"worker on {address}, task queue configurator-cases"))
    sys.stdout.flush()
    try:
        serve_worker(address, database_url(instance))
    except KeyboardInterrupt:
        pass
    except RuntimeError as error:  # the engine cannot be reached
        raise click.ClickException(_say(lang, f"无法连接案件引擎 {address}：{error}",
                                        f"cannot reach the case engine at {address}: {error}")) from None


@click.group()
def token() -> None:
    """Department API tokens (bearer tokens for the department task endpoints)."""


@token.command("add")
@click.option("--department", required=True, help="The department's id in catalogues/departments.yaml.")
@instance_option
def token_add(department: str, instance: Path) -> None:
    """Make a token for a department and print it once (only its hash is kept)."""
    from configurator.cases.store import add_token, open_database

    instance.mkdir(parents=True, exist_ok=True)
    token_id, secret = add_token(open_database(database_url(instance)), department)
    click.echo(f"{token_id}\t{department}\t{secret}")


@token.command("list")
@instance_option
def token_list(instance: Path) -> None:
    """List the tokens (id, department, created, revoked): never the tokens themselves."""
    from configurator.cases.store import list_tokens, open_database

    for row in list_tokens(open_database(database_url(instance))):
        click.echo(f"{row['id']}\t{row['department']}\t{row['created_at']}\t{row['revoked_at'] or '-'}")


@token.command("revoke")
@click.argument("token_id", type=int)
@instance_option
def token_revoke(token_id: int, instance: Path) -> None:
    """Revoke a token by its id: it opens nothing from now on."""
    from configurator.cases.store import open_database, revoke_token

    if not revoke_token(open_database(database_url(instance)), token_id):
        raise click.ClickException(f"no live token {token_id}")
    click.echo(f"revoked {token_id}")


def print_actuals(instance: Path, lang: str) -> int:
    """`configurator report --actual`: the table of working days taken, from the instance's database."""
    from configurator.cases.actuals import actuals, render
    from configurator.planning.calendar import WorkingCalendar

    if not (instance / "configurator.db").exists() and "CONFIGURATOR_DATABASE_URL" not in os.environ:
        click.echo(_say(lang, f"configurator: {instance} 中没有数据库：用 --instance 指向管理后台的实例目录",
                        f"configurator: no database in {instance}: point --instance at the admin's instance folder"), err=True)
        return 2
    from configurator.cases.store import open_database

    click.echo(render(actuals(open_database(database_url(instance)), WorkingCalendar()), lang), nl=False)
    return 0
