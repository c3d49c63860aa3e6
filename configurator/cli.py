"""The command line: a thin shell over the library."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path

import click

from .diagnostics import LANGUAGES, Diagnostic, Severity, sort_diagnostics
from .pipeline import BundleCheck
from .workspace import Workspace, WorkspaceError, check_files, expand_paths

EXIT_CLEAN, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2

language_option = click.option(
    "--lang", type=click.Choice(LANGUAGES), default="zh-CN", envvar="CONFIGURATOR_LANG", show_default=True,
    help="Language of messages (zh-CN or en). Env: CONFIGURATOR_LANG.")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="configurator")
def main() -> None:
    """Define 'one thing' (一件事) service bundles and generate what portals need."""


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "output_format", type=click.Choice(["text", "json", "github"]), default="text",
              show_default=True, help="text for people, json for tools, github for CI annotations.")
@click.option("--catalogues", "catalogues_dir", type=click.Path(path_type=Path), default=None,
              help="Folder of catalogue files (default: catalogues/ of the workspace around PATHS).")
@click.option("--strict", is_flag=True, help="Fail (exit 1) on warnings too.")
@click.option("--jobs", type=click.IntRange(1, 64), default=None, help="Worker processes (default: one per core).")
@language_option
def check(paths: Sequence[Path], output_format: str, catalogues_dir: Path | None, strict: bool,
          jobs: int | None, lang: str) -> None:
    """Check bundles (default: the workspace's bundles/ folder) and print every problem.

    Exit status: 0 no errors, 1 problems found, 2 usage error or unreadable input.
    """
    try:
        workspace = Workspace.find(paths[0] if paths else Path.cwd(), catalogues_dir)
        files = expand_paths(list(paths) or [workspace.bundles_dir])
    except WorkspaceError as error:
        click.echo(f"configurator: {error.text(lang)}", err=True)
        sys.exit(EXIT_USAGE)
    catalogue_check = workspace.catalogue_check
    results = check_files(files, catalogue_check.catalogues, jobs=jobs)
    diagnostics = sort_diagnostics(catalogue_check.diagnostics + [d for r in results for d in r.diagnostics])
    _print(diagnostics, results, output_format, lang)
    if any(d.code == "E120" for d in diagnostics):
        sys.exit(EXIT_USAGE)
    failing = {Severity.ERROR, Severity.WARNING} if strict else {Severity.ERROR}
    sys.exit(EXIT_PROBLEMS if any(d.severity in failing for d in diagnostics) else EXIT_CLEAN)


def _print(diagnostics: list[Diagnostic], results: list[BundleCheck], output_format: str, lang: str) -> None:
    errors = sum(1 for d in diagnostics if d.severity is Severity.ERROR)
    warnings = len(diagnostics) - errors
    if output_format == "json":
        click.echo(json.dumps({
            "files": len(results), "errors": errors, "warnings": warnings,
            "diagnostics": [d.as_dict(lang) for d in diagnostics],
        }, ensure_ascii=False, indent=2))
        return
    for diagnostic in diagnostics:
        click.echo(format_github(diagnostic, lang) if output_format == "github" else format_text(diagnostic, lang))
    if output_format == "text":
        click.echo(_summary(len(results), errors, warnings, lang))


def format_text(diagnostic: Diagnostic, lang: str) -> str:
    place = f"{diagnostic.file}:{diagnostic.line}:{diagnostic.column}" if diagnostic.line else diagnostic.file
    return f"{place}: {diagnostic.severity}[{diagnostic.code}]: {diagnostic.message(lang)} — {diagnostic.fix(lang)}"


def _escape_github(text: str, *, in_property: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if in_property:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def format_github(diagnostic: Diagnostic, lang: str) -> str:
    """A GitHub Actions workflow command, shown as an annotation on the file's line."""
    props = [f"file={_escape_github(diagnostic.file, in_property=True)}"]
    if diagnostic.line:
        props += [f"line={diagnostic.line}", f"col={diagnostic.column}"]
    props.append(f"title={diagnostic.code}")
    message = _escape_github(f"{diagnostic.message(lang)} — {diagnostic.fix(lang)}")
    return f"::{diagnostic.severity} {','.join(props)}::{message}"


def _summary(files: int, errors: int, warnings: int, lang: str) -> str:
    if lang == "en":
        if not errors and not warnings:
            return f"{files} file(s) checked, no problems found."
        return f"{files} file(s) checked: {errors} error(s), {warnings} warning(s)."
    if not errors and not warnings:
        return f"检查了 {files} 个文件，没有发现问题。"
    return f"检查了 {files} 个文件：{errors} 个错误，{warnings} 个警告。"
