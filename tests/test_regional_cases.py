"""Regions and values by case combine (docs/bundle-format.md, 地区绑定): every case of
tests/corpus/good/large-event.yaml as region 460105 (tests/regions_by_case/) carries it out.

A region's value is its promise for every case; a case the standard treats better keeps its own
value; items handled together finish within the region's limit for either of them. The plan, the
regional routing.json, metrics.json and notice, `check` and `report --regions` all say so."""

import json
import shutil
import textwrap

import pytest
from click.testing import CliRunner
from json_logic import jsonLogic

from configurator.cli import main
from configurator.planning.cases import scenarios
from configurator.planning.plan import make_plan
from configurator.planning.regional import regional_bundle
from configurator.workspace.files import Workspace
from configurator.workspace.region_build import workspace_regions
from configurator.writers.regional import render_region
from tests.helpers import ROOT

BUNDLE = "large-event"
REGION = "460105"
# What 460105.yaml writes for the bundle (the test's own reading of the file, not the library's).
PROMISED = {"safety_permit": 2, "fire_check": 3, "evacuation_review": 2}
VISITS = {"safety_permit": 1}
REQUIREMENT = {"lease_contract": "optional"}
TOGETHER = {"venue_filing": "safety_permit", "safety_permit": "venue_filing",  # combined_with, both ways
            "evacuation_review": "fire_check", "fire_check": "evacuation_review"}
LAXER = ["waived", "optional", "deferrable", "required"]


def make_workspace(tmp_path, regions=None):
    shutil.copytree(ROOT / "catalogues", tmp_path / "catalogues")
    (tmp_path / "bundles").mkdir()
    shutil.copy(ROOT / "tests" / "corpus" / "good" / f"{BUNDLE}.yaml", tmp_path / "bundles")
    (tmp_path / "regions").mkdir()
    for path in (ROOT / "tests" / "regions_by_case").glob("*.yaml"):
        shutil.copy(path, tmp_path / "regions")
    for code, text in (regions or {}).items():
        (tmp_path / "regions" / f"{code}.yaml").write_text(textwrap.dedent(text), encoding="utf-8")
    return tmp_path


def run(root, monkeypatch, *args):
    monkeypatch.chdir(root)
    return CliRunner().invoke(main, list(args))


@pytest.fixture(scope="module")
def region(tmp_path_factory):
    root = make_workspace(tmp_path_factory.mktemp("ws"))
    workspace = Workspace.find(root)
    bundles, regions, _ = workspace_regions(workspace)
    resolved = regions.resolved(REGION)
    return bundles[BUNDLE], resolved, workspace.catalogue_check.catalogues


def expected(standard_plan):
    """Per item (promised days, visits) and per material its requirement, for a case in the region:
    the better of the standard's value for the case and the region's, and items handled together
    within the region's limit of the other."""
    applied = {item.id for item in standard_plan.items}
    items = {}
    for item in standard_plan.items:
        limits = [item.promised_days, PROMISED.get(item.id, item.promised_days)]
        if TOGETHER.get(item.id) in applied and TOGETHER[item.id] in PROMISED:
            limits.append(PROMISED[TOGETHER[item.id]])
        items[item.id] = (min(limits), min(item.visits, VISITS.get(item.id, item.visits)))
    materials = {m.id: min(m.requirement, REQUIREMENT.get(m.id, m.requirement), key=LAXER.index)
                 for m in standard_plan.materials}
    return items, materials


def every_case(standard, local):
    """The answers of every case of the standard bundle and of the regional one."""
    found = [case.answers for case in scenarios(standard)[0]]
    return found + [a for a in (case.answers for case in scenarios(local)[0]) if a not in found]


def resolve_rule(default, cases, answers):
    return next((case["value"] for case in cases if jsonLogic(case["when"], answers)), default)


def test_every_case_gets_the_better_of_the_regions_value_and_its_own_in_plan_routing_metrics_and_notice(region):
    standard, resolved, catalogues = region
    local = regional_bundle(standard, resolved.binding(BUNDLE))
    artifacts = render_region(standard, catalogues, resolved)
    routing = {task["id"]: task for task in json.loads(artifacts["routing.json"])["tasks"]}
    metrics = json.loads(artifacts["metrics.json"])["scenarios"]
    notice = artifacts["notice.md"]
    answer_sets = every_case(standard, local)
    assert len(answer_sets) >= 12
    same_everywhere: dict[str, set[int]] = {}
    for answers in answer_sets:
        items, materials = expected(make_plan(standard, answers))
        plan = make_plan(local, answers)
        assert {i.id: (i.promised_days, i.visits) for i in plan.items} == items, answers
        assert {m.id: m.requirement for m in plan.materials} == materials, answers
        for item_id, (days, visits) in items.items():
            task = routing[item_id]
            limit = task["time_limit"]
            assert resolve_rule(limit["promised_days"], limit.get("promised_cases", []), answers) == days, (item_id, answers)
            assert resolve_rule(task["visits"], task.get("visits_cases", []), answers) == visits, (item_id, answers)
            same_everywhere.setdefault(item_id, set()).add(days)
        figures = next((s for s in metrics if s["answers"] == plan.answers), None)
        if figures is not None:  # metrics lists each distinct case once
            assert figures["days"]["before"] == sum(days for days, _ in items.values()), answers
            assert figures["days"]["after"] == plan.days, answers
            assert figures["visits"]["before"] == sum(visits for _, visits in items.values()), answers
    # the notice's table of items: a limit the same in every case is the one it promises
    rows = {line.split("|")[1].strip(): line for line in notice.splitlines() if line.startswith("| ")}
    for item_id, values in same_everywhere.items():
        if len(values) == 1:
            name = next(i.name.get() for i in local.items if i.id == item_id)
            assert f"{values.pop()} 个工作日" in rows[name], (item_id, rows[name])
    assert "可选" in rows["经营场所租赁合同"]  # optional in every case


def test_a_combined_item_finishes_within_the_regions_shorter_limit(tmp_path, monkeypatch):
    """安全许可 is 2 days here, 3 in the standard; 活动场所备案 (4 days) is handled with it for
    large events: handled together they finish within the region's 2 days, not the standard's 4."""
    root = make_workspace(tmp_path)
    answers = ["attendance=large", "held_before=false", "indoor=false", "--format", "json"]
    standard = json.loads(run(root, monkeypatch, "explain", BUNDLE, *answers).output)
    local = json.loads(run(root, monkeypatch, "explain", BUNDLE, *answers, "--region", REGION).output)
    assert standard["days"] == 4
    assert local["days"] == 2
    assert {i["id"]: i["end_day"] for i in local["items"]} == {"safety_permit": 2, "venue_filing": 2}
    small = json.loads(run(root, monkeypatch, "explain", BUNDLE, "attendance=small", *answers[1:], "--region", REGION).output)
    assert small["days"] == 2  # alone, the permit keeps the region's limit


def test_check_warns_where_a_case_is_better_than_the_regions_value_naming_the_item_and_the_case(tmp_path, monkeypatch):
    root = make_workspace(tmp_path, {"460106": """\
        code: "460106"
        name: 示例县丁
        parent: "460000"
        bundles:
          large-event:
            items:
              safety_permit:
                promised_days: 3
            materials:
              lease_contract: required
        """})
    result = run(root, monkeypatch, "check", "--format", "json")
    assert result.exit_code == 0, result.output  # warnings: nothing is forbidden
    found = {(d["file"], d["line"], d["column"]): d["message"] for d in json.loads(result.output)["diagnostics"]
             if d["code"] == "W606"}
    text = (root / "regions" / f"{REGION}.yaml").read_text(encoding="utf-8").splitlines()
    permit = next(n for n, line in enumerate(text, 1) if "promised_days: 2" in line)
    assert f"regions/{REGION}.yaml" in {file for file, _, _ in found}
    message = found[(f"regions/{REGION}.yaml", permit, text[permit - 1].index("2") + 1)]
    assert "“大型群众性活动安全许可”" in message and "「同一活动此前是否已获许可？」答“是”" in message and "0 个工作日" in message
    # the same values as the standard's defaults (no difference from them), but worse than a case's
    assert any("“大型群众性活动安全许可”" in m and "3 个工作日" in m and "0 个工作日" in m
               for (file, line, _), m in found.items() if file == "regions/460106.yaml" and line == 8)
    assert any("“经营场所租赁合同”" in m and "可容缺" in m for (file, line, _), m in found.items()
               if file == "regions/460106.yaml" and line == 10)
    english = run(root, monkeypatch, "check", "--format", "json", "--lang", "en")
    assert any('while the standard promises 0 when “同一活动此前是否已获许可？” is "yes"' in d["message"]
               for d in json.loads(english.output)["diagnostics"] if d["code"] == "W606"), english.output


def test_the_report_compares_the_region_with_every_case(tmp_path, monkeypatch):
    root = make_workspace(tmp_path)
    result = run(root, monkeypatch, "report", "--regions", "--format", "json")
    assert result.exit_code == 0, result.output
    [cell] = [c for c in json.loads(result.output)["cells"] if c["region"] == REGION]
    by_case = {(d["subject"], d["case"], d["standard"], d["local"], d["applies"]) for d in cell["differences"]}
    assert ("safety_permit", None, "3", "2", True) in by_case
    assert ("safety_permit", "「预计参加人数？」为“5000 人以上”", "5", "2", True) in by_case
    assert ("safety_permit", "「同一活动此前是否已获许可？」答“是”", "0", "2", False) in by_case
    assert ("lease_contract", "「同一活动此前是否已获许可？」答“是”", "可容缺", "可选", True) in by_case
    text = run(root, monkeypatch, "report", "--regions").output
    assert "safety_permit［「同一活动此前是否已获许可？」答“是”］：0 → 2（按标准）" in text

