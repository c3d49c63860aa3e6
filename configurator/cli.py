"""The command line: a thin shell over the library."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from configurator import __version__
from configurator.cli_text import format_github, format_text, summary, words
from configurator.diagnostics import LANGUAGES, Diagnostic, Severity, has_errors, sort_diagnostics
from configurator.jsontext import dump_json
from configurator.language.check import BundleCheck
from configurator.language.loader import load_yaml
from configurator.workspace.files import Workspace, WorkspaceError, display_name, expand_paths, process_files
from configurator.workspace.selection import Selection, check_selection, select_files

if TYPE_CHECKING:
    import datetime as dt

    from configurator.planning.calendar import WorkingCalendar
    from configurator.planning.compiled import Compiled

# Commands import the compiler's later stages when they run: a plain `check` loads neither the
# writers nor the web stack.
EXIT_CLEAN, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2

language_option = click.option(
    "--lang", type=click.Choice(LANGUAGES), default="zh-CN", envvar="CONFIGURATOR_LANG", show_default=True,
    help="Language of messages (zh-CN or en). Env: CONFIGURATOR_LANG.")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(version=__version__, prog_name="configurator")
def main() -> None:
    """Define 'one thing' (一件事) service bundles and generate what portals need."""


catalogues_option = click.option(
    "--catalogues", "catalogues_dir", type=click.Path(path_type=Path), default=None,
    help="Folder of catalogue files (default: catalogues/ of the workspace around PATHS).")
jobs_option = click.option("--jobs", type=click.IntRange(1, 64), default=None,
                           help="Worker processes (default: one per core).")


def _open(paths: Sequence[Path], catalogues_dir: Path | None, lang: str) -> tuple[Workspace, Selection]:
    """The workspace and the files named by kind (default: its bundles, regions and calendars),
    or exit 2 with the reason."""
    try:
        workspace = Workspace.find(paths[0] if paths else Path.cwd(), catalogues_dir)
        return workspace, select_files(workspace, paths)
    except WorkspaceError as error:
        click.echo(f"configurator: {error.text(lang)}", err=True)
        sys.exit(EXIT_USAGE)


def _print_problems(diagnostics: list[Diagnostic], lang: str) -> None:
    for diagnostic in sort_diagnostics(diagnostics):
        click.echo(format_text(diagnostic, lang), err=True)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "output_format", type=click.Choice(["text", "json", "github"]), default="text",
              show_default=True, help="text for people, json for tools, github for CI annotations.")
@catalogues_option
@click.option("--strict", is_flag=True, help="Fail (exit 1) on warnings too.")
@jobs_option
@language_option
def check(paths: Sequence[Path], output_format: str, catalogues_dir: Path | None, strict: bool,
          jobs: int | None, lang: str) -> None:
    """Check bundles (default: the whole workspace) and print every problem.

    Files in regions/, calendars/ and catalogues/ are checked as region, calendar and catalogue
    files; the workspace folder itself means the whole workspace.

    Exit status: 0 no errors, 1 problems found, 2 usage error or unreadable input.
    """
    workspace, selection = _open(paths, catalogues_dir, lang)
    checked = check_selection(workspace, selection, jobs)
    diagnostics = checked.diagnostics
    _print(diagnostics, checked.files, output_format, lang)
    if any(d.code == "E120" for d in diagnostics):
        sys.exit(EXIT_USAGE)
    failing = {Severity.ERROR, Severity.WARNING} if strict else {Severity.ERROR}
    sys.exit(EXIT_PROBLEMS if any(d.severity in failing for d in diagnostics) else EXIT_CLEAN)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("dist"),
              show_default=True, help="Folder to write DIR/<bundle-id>/... and DIR/index.json into.")
@click.option("--ref", "revision", default=None,
              help="Build the bundles as they are at this git revision (e.g. main: what is published).")
@click.option("--region", "region_codes", multiple=True, metavar="CODE|all",
              help="Build for a region (GB/T 2260 code, repeatable, or all) into DIR/regions/<code>/<bundle-id>/.")
@catalogues_option
@jobs_option
@language_option
def build(paths: Sequence[Path], out_dir: Path, revision: str | None, region_codes: Sequence[str], catalogues_dir: Path | None,
          jobs: int | None, lang: str) -> None:
    """Generate the form, notice, routing and metrics of every valid bundle.

    Invalid bundles are reported as `check` does and not built; the others still are.
    Exit status: 0 all built, 1 some bundles had errors, 2 usage error or unreadable input.
    """
    if region_codes:
        _build_regions(_open(paths, catalogues_dir, lang)[0], out_dir, region_codes, lang)
        return
    if revision is not None:
        import tempfile

        from configurator.workspace.git import GitError, export

        workspace_root = _open(paths, catalogues_dir, lang)[0].root
        with tempfile.TemporaryDirectory() as folder:
            try:
                commit = export(workspace_root, revision, Path(folder))
            except GitError as error:
                click.echo(f"configurator: {error}", err=True)
                sys.exit(EXIT_USAGE)
            _build(Workspace(Path(folder), Path(folder) / "catalogues"), expand_paths([Path(folder) / "bundles"]),
                   out_dir, jobs, lang, {"commit": commit, "ref": revision, "uncommitted_changes": False})
        return
    workspace, selection = _open(paths, catalogues_dir, lang)
    _build(workspace, selection.bundles, out_dir, jobs, lang, None)


def _build(workspace: Workspace, files: list[Path], out_dir: Path, jobs: int | None, lang: str,
           source: dict[str, object] | None) -> None:
    from configurator.workspace.output import write_index

    catalogue_check = workspace.catalogue_check
    show_bar = sys.stderr.isatty() and len(files) > 1
    with click.progressbar(length=len(files), label=words(lang, "building"), file=sys.stderr,
                           hidden=not show_bar) as bar:
        outcomes = process_files(files, catalogue_check.catalogues, jobs=jobs, out_dir=out_dir, lang=lang,
                                 on_progress=bar.update)
    built = [o.built for o in outcomes if o.built is not None]
    write_index(out_dir, built, workspace_root=workspace.root, lang=lang, source=source)
    diagnostics = catalogue_check.diagnostics + [d for o in outcomes for d in o.check.diagnostics]
    _print_problems(diagnostics, lang)
    failed = len(outcomes) - len(built)
    where = display_name(out_dir)
    click.echo(words(lang, "built", built=len(built), where=where, failed=failed))
    if any(d.code == "E120" for d in diagnostics):
        sys.exit(EXIT_USAGE)
    sys.exit(EXIT_PROBLEMS if failed or has_errors(catalogue_check.diagnostics) else EXIT_CLEAN)


def _build_regions(workspace: Workspace, out_dir: Path, codes: Sequence[str], lang: str) -> None:
    from configurator.workspace.region_build import RegionBuildError, build_regions

    try:
        built, diagnostics = build_regions(workspace, out_dir, list(codes), lang)
    except RegionBuildError as error:
        click.echo(f"configurator: {error.text(lang)}", err=True)
        sys.exit(EXIT_USAGE)
    _print_problems(diagnostics, lang)
    click.echo(words(lang, "built_regions", built=built, where=display_name(out_dir)))
    sys.exit(EXIT_PROBLEMS if has_errors(diagnostics) else EXIT_CLEAN)


def _compile_one(bundle_ref: str, catalogues_dir: Path | None, lang: str) -> Compiled:
    """A bundle named by path or by id, checked; exit 1 with its problems if it has errors."""
    from configurator.planning.compiled import Compiled

    path = Path(bundle_ref)
    workspace, _ = _open([path] if path.exists() else [], catalogues_dir, lang)
    if not path.exists():
        path = workspace.bundles_dir / f"{bundle_ref}.yaml"
        if not path.exists():
            known = ", ".join(p.stem for p in workspace.bundle_files())
            click.echo("configurator: " + words(lang, "no_bundle", name=bundle_ref, known=known), err=True)
            sys.exit(EXIT_USAGE)
    [outcome] = process_files([path], workspace.catalogue_check.catalogues, keep_models=True)
    check = outcome.check
    _print_problems(check.diagnostics, lang)
    if check.bundle is None:
        sys.exit(EXIT_USAGE if any(d.code == "E120" for d in check.diagnostics) else EXIT_PROBLEMS)
    return Compiled(check.bundle, workspace.catalogue_check.catalogues, lang)


@main.command()
@click.argument("bundle")
@click.argument("pairs", nargs=-1, metavar="[NAME=VALUE]...")
@click.option("--answers", "answers_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="YAML or JSON file of answers (or an application with a situations object).")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--received", default=None, metavar="YYYY-MM-DD",
              help="Date the case was received: adds each item's due date and the case's (working days).")
@click.option("--region", default=None, metavar="CODE", help="As this region carries the bundle out (its limits, local holidays).")
@catalogues_option
@language_option
def explain(bundle: str, pairs: Sequence[str], answers_file: Path | None, output_format: str, received: str | None,
            region: str | None, catalogues_dir: Path | None, lang: str) -> None:
    """For one case: the items that apply, the materials, who receives what, the timeline.

    BUNDLE is a bundle id (newborn) or a file. Answers are NAME=VALUE pairs or --answers FILE,
    e.g.: configurator explain newborn born_in_wedlock=false register_with=father
    """
    from configurator.present.explain import AnswerError, answers_from_data, answers_from_pairs, explanation, render_text

    compiled = _compile_one(bundle, catalogues_dir, lang)
    try:
        answers: dict[str, object] = {}
        fields = None
        if answers_file is not None:
            loaded = load_yaml(answers_file.read_bytes(), display_name(answers_file))
            if loaded.diagnostics:
                _print_problems(loaded.diagnostics, lang)
                sys.exit(EXIT_USAGE)
            answers.update(answers_from_data(compiled, loaded.data))
            if isinstance(loaded.data, dict) and isinstance(loaded.data.get("fields"), dict):
                fields = loaded.data["fields"]  # an application: its ID numbers and codes are checked too
        answers.update(answers_from_pairs(compiled, list(pairs)))
    except AnswerError as error:
        click.echo(f"configurator: {error}", err=True)
        sys.exit(EXIT_USAGE)
    calendar, day = _calendar_and_date(bundle, catalogues_dir, received, lang)
    where = None
    if region is not None:
        from configurator.planning.resolution import in_region
        from configurator.workspace.region_build import RegionBuildError, workspace_region

        try:
            where = workspace_region(_open([], catalogues_dir, lang)[0], region)
        except RegionBuildError as error:
            click.echo(f"configurator: {error.text(lang)}", err=True)
            sys.exit(EXIT_USAGE)
        compiled = in_region(compiled, where)  # its limits; its window and local holidays come with `where`
    from configurator.planning.calendar import CalendarError

    try:
        data = explanation(compiled, answers, calendar, day, fields, where)
    except CalendarError as error:  # the due dates run into a year with no known holiday arrangement
        click.echo(f"configurator: {error.text(lang)}", err=True)
        sys.exit(EXIT_USAGE)
    click.echo(dump_json(data) if output_format == "json" else render_text(compiled, data), nl=False)
    if data.get("field_errors") or data.get("rule_errors"):
        sys.exit(EXIT_PROBLEMS)


def _calendar_and_date(bundle_ref: str, catalogues_dir: Path | None, received: str | None,
                       lang: str) -> tuple[WorkingCalendar | None, dt.date | None]:
    """The workspace's working-day calendar and the date of receipt, or exit 2 with the reason."""
    if received is None:
        return None, None
    from configurator.planning.calendar import CalendarError, parse_date
    from configurator.workspace.regions import load_calendar

    path = Path(bundle_ref)
    calendar, problems = load_calendar(_open([path] if path.exists() else [], catalogues_dir, lang)[0].root)
    try:
        day = parse_date(received)
        if problems:
            _print_problems(problems, lang)
            sys.exit(EXIT_USAGE)
        calendar.add_working_days(day, 0)
    except ValueError as error:
        click.echo(f"configurator: {error.text(lang) if isinstance(error, CalendarError) else error}", err=True)
        sys.exit(EXIT_USAGE)
    return calendar, day


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "output_format", type=click.Choice(["text", "markdown", "csv", "json"]), default="text",
              show_default=True, help="json only with --regions.")
@click.option("--regions", "by_region", is_flag=True,
              help="Regions × bundles: every difference from the standard; exit 1 on a violation.")
@click.option("--actual", is_flag=True, help="Working days completed cases took, p50/p90 beside the promise (--instance).")
@click.option("--instance", type=click.Path(file_okay=False, path_type=Path), default=Path("instance"), show_default=True)
@catalogues_option
@language_option
def report(paths: Sequence[Path], output_format: str, by_region: bool, actual: bool, instance: Path, catalogues_dir: Path | None,
           lang: str) -> None:
    """One table of the reduction figures (减材料、减环节、减时间、减跑动) of every bundle."""
    if actual:
        from configurator.cli_cases import print_actuals
        sys.exit(print_actuals(instance, lang))
    if by_region:
        from configurator.workspace.region_build import region_report

        text, violations = region_report(_open(paths, catalogues_dir, lang)[0], output_format, lang)
        click.echo(text, nl=False)
        sys.exit(EXIT_PROBLEMS if violations else EXIT_CLEAN)
    if output_format == "json":
        click.echo("configurator: --format json is for --regions", err=True)
        sys.exit(EXIT_USAGE)
    from configurator.planning.compiled import Compiled
    from configurator.present.report import render as render_report
    from configurator.present.report import report_rows

    workspace, selection = _open(paths, catalogues_dir, lang)
    catalogues = workspace.catalogue_check.catalogues
    outcomes = process_files(selection.bundles, catalogues, keep_models=True)
    _print_problems([d for o in outcomes for d in o.check.diagnostics if d.severity is Severity.ERROR], lang)
    compiled = [Compiled(o.check.bundle, catalogues, lang) for o in outcomes if o.check.bundle is not None]
    click.echo(render_report(report_rows(compiled), output_format, lang), nl=False)
    sys.exit(EXIT_PROBLEMS if len(compiled) < len(outcomes) else EXIT_CLEAN)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--instance", type=click.Path(file_okay=False, path_type=Path), default=Path("instance"),
              show_default=True, help="Folder for the secret key, the database and the default workspace.")
@click.option("--workspace", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder holding bundles/ and catalogues/ (default: INSTANCE/workspace, seeded on first run).")
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 64))
@click.option("--temporal", default=None, envvar="CONFIGURATOR_TEMPORAL", metavar="HOST:PORT",
              help="The case engine: enables submitting applications as cases (Env: CONFIGURATOR_TEMPORAL).")
@language_option
def serve(host: str, port: int, instance: Path, workspace: Path | None, threads: int, temporal: str | None, lang: str) -> None:
    """Start the web admin (waitress WSGI server, SQLite, no other service needed)."""
    import waitress

    from configurator.web import ConfigurationError, create_app
    from configurator.web.accounts import ensure_first_admin
    from configurator.web.serve import prepare_instance, settle_before_serving

    try:
        app = create_app({**prepare_instance(instance, workspace), **({"TEMPORAL": temporal} if temporal else {})})
    except ConfigurationError as error:  # e.g. git missing: refuse to start, and say why
        raise click.ClickException(str(error)) from None
    with app.app_context():
        first = ensure_first_admin()
    url = f"http://{host}:{port}/"
    click.echo(words(lang, "serving", url=url, workspace=app.config["WORKSPACE"]))
    if first:
        click.echo(words(lang, "first_admin", name=first[0], password=first[1]))
        click.echo(words(lang, "first_admin_note"))
    settle_before_serving()
    waitress.serve(app, host=host, port=port, threads=threads, ident="configurator")


@main.group()
def user() -> None:
    """Manage admin users."""


@user.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(["viewer", "editor", "reviewer", "admin"]), required=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.option("--instance", type=click.Path(file_okay=False, path_type=Path), default=Path("instance"),
              show_default=True)
@language_option
def user_add(name: str, role: str, password_stdin: bool, instance: Path, lang: str) -> None:
    """Add a user. The password is prompted for (twice), or read from standard input."""
    from configurator.web import create_app
    from configurator.web.accounts import UserError, create_user
    from configurator.web.serve import prepare_instance

    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt(words(lang, "password"), hide_input=True, confirmation_prompt=True)
    app = create_app(prepare_instance(instance))
    with app.app_context():
        try:
            create_user(name, role, password, by="(command line)")
        except UserError as error:
            click.echo(f"configurator: {error}", err=True)
            sys.exit(EXIT_USAGE)
    click.echo(words(lang, "user_added", name=name, role=role))


@user.command("reset")
@click.argument("name")
@click.option("--instance", type=click.Path(file_okay=False, path_type=Path), default=Path("instance"),
              show_default=True)
@language_option
def user_reset(name: str, instance: Path, lang: str) -> None:
    """Reset a user's password (e.g. the only admin, locked out): prints a temporary password,
    ends the user's sessions, lifts the lockout; a new password is required at the next login."""
    from configurator.web.serve import reset_user

    temporary = reset_user(instance, name)
    if temporary is None:
        click.echo("configurator: " + words(lang, "no_user", name=name), err=True)
        sys.exit(EXIT_USAGE)
    click.echo(words(lang, "user_reset", name=name, password=temporary))


@main.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@language_option
def init(directory: Path, lang: str) -> None:
    """Create a workspace: a git repository seeded with the shipped bundles (one commit)."""
    from configurator.workspace.git import GitError, init_workspace

    try:
        commit = init_workspace(directory)
    except GitError as error:
        click.echo(f"configurator: {error}", err=True)
        sys.exit(EXIT_USAGE)
    click.echo(words(lang, "initialised", directory=directory, commit=commit[:10]))


@main.command()
@click.argument("rev_a")
@click.argument("rev_b", required=False)
@click.option("--format", "output_format", type=click.Choice(["text", "markdown", "json"]), default="text",
              show_default=True, help="markdown is ready to paste into a pull request.")
@click.option("--workspace", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="The workspace repository (default: the one around the current folder).")
@language_option
def diff(rev_a: str, rev_b: str | None, output_format: str, workspace: Path | None, lang: str) -> None:
    """What changed in the bundles between REV_A and REV_B (default: the files on disk), in words."""
    from configurator.present.semantic_diff import render, semantic_diff
    from configurator.workspace.git import WORKTREE, GitError
    from configurator.workspace.versions import version_at

    try:
        root = Workspace.find(workspace or Path.cwd()).root
        old, new = version_at(root, rev_a), version_at(root, rev_b or WORKTREE)
    except (WorkspaceError, GitError) as error:
        click.echo(f"configurator: {error}", err=True)
        sys.exit(EXIT_USAGE)
    click.echo(render(semantic_diff(old, new, lang), output_format, lang), nl=False)


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
        click.echo(summary(len(results), errors, warnings, lang))


from configurator.cli_cases import engine, token, worker  # noqa: E402  (commands of their own module)
from configurator.cli_export import export_api  # noqa: E402

for _command in (engine, worker, token, export_api):
    main.add_command(_command)
