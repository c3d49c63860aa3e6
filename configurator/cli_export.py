"""`configurator export-api`: the portal API's published documents as files for nginx (web/api_export.py).

Registered on the `configurator` group by cli.py; the web stack is imported only when it runs.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from configurator.cli_text import words
from configurator.diagnostics import LANGUAGES
from configurator.workspace.files import display_name

EXIT_USAGE = 2  # as every command: a usage error or unusable input


@click.command("export-api")
@click.option("--workspace", type=click.Path(file_okay=False, path_type=Path), default=Path("."), show_default=True,
              help="Folder holding bundles/ and catalogues/ (a git workspace: what main publishes).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("site"),
              show_default=True, help="Folder to write the files and the nginx configuration into (replaced whole).")
@click.option("--lang", type=click.Choice(LANGUAGES), default="zh-CN", envvar="CONFIGURATOR_LANG", show_default=True,
              help="Language of messages (zh-CN or en). Env: CONFIGURATOR_LANG.")
def export_api(workspace: Path, out_dir: Path, lang: str) -> None:
    """Write the portal API's published documents as files, with nginx configuration giving them
    the API's URLs, headers, ETags and 304s (docs/operations.md). Reload nginx after each export.

    Exit status: 0 exported, 2 nothing to export from or unusable folder.
    """
    from configurator.web import ConfigurationError
    from configurator.web.api_export import ExportError
    from configurator.web.api_export import export_api as export
    from configurator.workspace.files import WorkspaceError

    try:
        exported = export(workspace.resolve(), out_dir.resolve())
    except ExportError as error:
        click.echo(f"configurator: {error.text(lang)}", err=True)
        sys.exit(EXIT_USAGE)
    except ConfigurationError as error:
        click.echo(f"configurator: {error}", err=True)
        sys.exit(EXIT_USAGE)
    except WorkspaceError as error:
        click.echo(f"configurator: {error} (export-api: give the workspace with --workspace DIR)", err=True)
        sys.exit(EXIT_USAGE)
    except OSError as error:  # a full disk, a read-only folder: nothing of the earlier export is lost
        click.echo(f"configurator: cannot write {display_name(out_dir)}: {error.strerror or error}", err=True)
        sys.exit(EXIT_USAGE)
    click.echo(words(lang, "exported_api", bundles=len(exported.bundles), files=exported.files, where=display_name(out_dir)))
    click.echo(words(lang, "exported_commit", commit=exported.commit))
