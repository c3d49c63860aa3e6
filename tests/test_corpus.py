"""Every malformed bundle of the corpus is refused, located, and explained, never with a crash.

Each file in tests/corpus/bad/ is named after the code it must produce (e301-... → E301) and
says in its first line what is wrong with it. The oversized file is made here rather than kept.
"""

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from configurator.cli import main
from configurator.language.loader import MAX_FILE_BYTES
from tests.helpers import CORPUS, ROOT

BAD = sorted((CORPUS / "bad").glob("*.yaml"))


def expected_code(path: Path) -> str:
    return path.name.split("-", 1)[0].upper()


def test_the_corpus_is_large_and_covers_every_kind_of_mistake():
    assert len(BAD) >= 60
    prefixes = {expected_code(path)[:2] for path in BAD}
    assert prefixes == {"E1", "E2", "E3", "E4", "E5"}


@pytest.mark.parametrize("path", BAD, ids=lambda p: p.stem)
def test_each_bad_bundle_is_refused_with_a_located_error(path, in_repo):
    result = CliRunner().invoke(main, ["check", "--format", "json", str(path.relative_to(ROOT))])
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    import json
    report = json.loads(result.output)
    found = [d for d in report["diagnostics"] if d["code"] == expected_code(path)]
    assert found, report["diagnostics"]
    assert all(d["line"] >= 1 and d["column"] >= 1 for d in found)
    assert all(d["message"] and d["fix"] for d in report["diagnostics"])
    assert not any(d["code"] == "E900" for d in report["diagnostics"])


def test_a_huge_file_is_refused(tmp_path, in_repo):
    huge = tmp_path / "bundles" / "huge.yaml"
    huge.parent.mkdir()
    (tmp_path / "catalogues").symlink_to(ROOT / "catalogues")
    lines = (CORPUS / "base.yaml").read_text(encoding="utf-8").replace("id: base", "id: huge")
    huge.write_text(lines + "".join(f"# 填充第 {i} 行，让文件超过上限\n" for i in range(60_000)), encoding="utf-8")
    assert huge.stat().st_size > MAX_FILE_BYTES
    result = CliRunner().invoke(main, ["check", str(huge)])
    assert result.exit_code == 1
    assert "[E101]" in result.output


def test_the_whole_corpus_in_a_real_process_prints_no_traceback():
    done = subprocess.run([sys.executable, "-m", "configurator", "check", "tests/corpus/bad"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert "Traceback" not in done.stdout + done.stderr
    assert f"检查了 {len(BAD)} 个文件" in done.stdout
