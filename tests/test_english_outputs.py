"""With lang=en the command line and every artifact are English throughout: explain (headings,
yes/no, units, dates), report, the notice and the other artifacts, the regional notice, and the
CLI's own messages. Chinese may remain only in bundle content (names and texts from the YAML
files that have no English); tests/english_walk.py tells the two apart."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from configurator.cli import main
from tests.english_walk import Content, untranslated, yaml_strings
from tests.helpers import ROOT

CONTENT = Content([s for part in ("bundles", "catalogues", "regions", "calendars") if (ROOT / part).is_dir()
                   for s in yaml_strings(ROOT / part)])


def chinese_lines(text: str) -> list[str]:
    """Lines of plain text that still hold CJK once bundle content is cut out."""
    return [line for line in text.splitlines() if untranslated(f"<p>{_escape(line)}</p>", CONTENT)]


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;")


def run(*args: str) -> str:
    result = CliRunner().invoke(main, [*args, "--lang", "en"])
    return result.output


CASES = {
    "newborn": ["born_in_province_hospital=true", "child_age_months=1", "parents_province_household=true",
                "born_in_wedlock=true", "register_with=father", "surname=father", "household_kind=family",
                "enrol_health_insurance=true",
                "apply_social_security_card=true", "mother_maternity_insurance=true",
                "parents_different_ethnicity=false", "want_parenting_guidance=false"],
    "newborn_ineligible": ["born_in_province_hospital=false"],
}


@pytest.mark.parametrize("bundle", ["newborn", "restaurant", "disability", "retirement"])
def test_explain_in_english(in_repo: None, bundle: str) -> None:
    said = run("explain", bundle, "--received", "2026-09-28")
    # with no answers nothing is decided yet: what is still needed, and no verdict
    assert "Answers:" in said and "Still to answer:" in said and "Not eligible" not in said, said
    assert chinese_lines(said) == []


def test_explain_in_english_eligible_and_not(in_repo: None) -> None:
    eligible = run("explain", "newborn", *CASES["newborn"], "--received", "2026-09-28")
    assert "✔ Eligible" in eligible and " Yes" in eligible and "Expected done by" in eligible
    assert "working day" in eligible and chinese_lines(eligible) == []
    ineligible = run("explain", "newborn", *CASES["newborn_ineligible"])
    assert "✘ Not eligible" in ineligible and "Go to " in ineligible and chinese_lines(ineligible) == []
    wrong = CliRunner().invoke(main, ["explain", "newborn", "born_in_provinc=true", "--lang", "en"])
    assert wrong.exit_code != 0 and "did you mean “born_in_province_hospital”" in wrong.output
    assert chinese_lines(wrong.output) == []
    not_a_number = CliRunner().invoke(main, ["explain", "newborn", "child_age_months=abc", "--lang", "en"])
    assert "“child_age_months” takes a number, not “abc”" in not_a_number.output and chinese_lines(not_a_number.output) == []


def test_report_in_english(in_repo: None) -> None:
    for output_format in ("text", "markdown", "csv"):
        said = run("report", "--format", output_format)
        assert "Total" in said and chinese_lines(said) == [], said


def test_every_artifact_in_english(in_repo: None, tmp_path: Path) -> None:
    shipped = len(list((ROOT / "bundles").glob("*.yaml")))
    said = run("build", "--out", str(tmp_path / "site"))
    assert f"Built {shipped} bundle(s)" in said and chinese_lines(said) == []
    files = [p for p in sorted((tmp_path / "site").rglob("*")) if p.is_file()]
    assert len(files) > 30
    found = {str(p.relative_to(tmp_path)): lines for p in files if (lines := chinese_lines(p.read_text(encoding="utf-8")))}
    assert found == {}
    regional = run("build", "--region", "330106", "--out", str(tmp_path / "regional"))
    assert f"Built {shipped} regional bundle(s)" in regional
    assert chinese_lines(regional) == []
    regional_files = [p for p in sorted((tmp_path / "regional").rglob("*")) if p.is_file()]
    found = {str(p.relative_to(tmp_path)): lines for p in regional_files
             if (lines := chinese_lines(p.read_text(encoding="utf-8")))}
    assert len(regional_files) > 30 and found == {}
    assert any("Offices in" in p.read_text(encoding="utf-8") for p in regional_files if p.name == "notice.md")


def test_the_command_line_says_its_own_messages_in_english(in_repo: None, tmp_path: Path) -> None:
    assert run("check").strip().endswith(("no problems found.", "0 error(s), 4 warning(s)."))
    assert run("check", "bundles").strip().endswith("no problems found.")
    said = run("explain", "no_such_bundle")
    assert "there is no bundle “no_such_bundle”" in said and chinese_lines(said) == []
    init = CliRunner().invoke(main, ["init", str(tmp_path / "ws"), "--lang", "en"])
    assert init.exit_code == 0 and init.output.startswith("Created the workspace") and chinese_lines(init.output) == []
    workspace = tmp_path / "ws"
    bundle = workspace / "bundles" / "newborn.yaml"
    bundle.write_text(bundle.read_text(encoding="utf-8").replace("{promised: 3, statutory: 20}", "{promised: 2, statutory: 20}"),
                      encoding="utf-8")
    diff = run("diff", "HEAD", "--workspace", str(workspace))
    assert "promised 3 working days → 2 working days" in diff and chinese_lines(diff) == [], diff
    assert run("diff", "HEAD", "HEAD", "--workspace", str(workspace)).strip() == "No changes."
