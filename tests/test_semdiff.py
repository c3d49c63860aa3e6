"""The semantic diff names every kind of change the bundle format allows, in words."""

import copy
import json
import re
import subprocess

import pytest
from click.testing import CliRunner

from configurator.cli import main
from configurator.language.loader import load_yaml
from configurator.present.semantic_diff import Version, diff_data, render, semantic_diff
from configurator.workspace.git import init_workspace
from tests.helpers import ROOT, shipped_catalogues

SCHEMA = json.loads((ROOT / "schemas/bundle.schema.json").read_text(encoding="utf-8"))
DATA = {p.stem: load_yaml(p.read_bytes(), p.name).data for p in (ROOT / "bundles").glob("*.yaml")}
GOOD = ROOT / "tests/corpus/good/field-rules.yaml"
DATA[GOOD.stem] = load_yaml(GOOD.read_bytes(), GOOD.name).data  # no shipped bundle has field_rules

# Where an example of each definition stands in the shipped bundles.
EXAMPLES = {
    "root": ("newborn", ()), "situation": ("newborn", ("situations", 1)),
    "eligibility_rule": ("newborn", ("eligibility", 0)), "fallback": ("newborn", ("fallback",)),
    "bundle_field": ("newborn", ("fields", 0)), "bundle_material": ("newborn", ("materials", 6)),
    "item": ("newborn", ("items", 2)), "step": ("newborn", ("steps", 2)),
    "special_stage": ("restaurant", ("items", 1, "special_stages", 0)),
    "option": ("newborn", ("situations", 4, "options", 0)),
    "consultation": ("newborn", ("consultation",)), "result": ("newborn", ("items", 2, "result")),
    "time_limit": ("newborn", ("items", 2, "time_limit")),
    "named_condition": ("newborn", ("conditions", 0)),
    "field_rule": ("field-rules", ("field_rules", 0)),
}


def schema_keys():
    pairs = [("root", key) for key in SCHEMA["properties"]]
    for name, definition in SCHEMA["$defs"].items():
        for key, sub in definition.get("properties", {}).items():
            if name == "text":
                continue
            pairs.append((name, key))
            if name == "item" and key in ("result", "time_limit"):
                pairs += [(key, inner) for inner in sub.get("properties", {})]
    pairs += [("consultation", key) for key in SCHEMA["properties"]["consultation"]["properties"]]
    return sorted(set(pairs))


def locate(data, path):
    for part in path:
        data = data[part]
    return data


def changed(value):
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if isinstance(value, str):
        return value + "x"
    if isinstance(value, list):
        if value and isinstance(value[0], dict):
            extra = copy.deepcopy(value[0])
            for key in ("id", "value", "item", "kind"):
                if key in extra:
                    extra[key] = str(extra[key]) + "_new"
            return value + [extra]
        return value + ["something_new"]
    if isinstance(value, dict):
        first = next(iter(value))
        return {**value, first: changed(value[first])}
    return "x"


@pytest.mark.parametrize("definition, key", schema_keys(), ids=lambda v: str(v))
def test_every_key_of_the_format_is_reported_when_it_changes(definition, key):
    bundle_id, path = EXAMPLES[definition]
    old = DATA[bundle_id]
    new = copy.deepcopy(old)
    target = locate(new, path)
    target[key] = changed(target[key]) if key in target else "新的值"
    changes = diff_data(bundle_id, old, new)
    assert changes, f"no change reported for {definition}.{key}"
    assert any(key in [str(p) for p in c.path] for c in changes), [c.text() for c in changes]
    assert all(c.what and c.bundle == bundle_id for c in changes)


def version(data):
    import yaml

    from configurator.language.check import check_bundle
    models = {}
    for bundle_id, bundle_data in data.items():
        result = check_bundle(yaml.safe_dump(bundle_data, allow_unicode=True).encode(), f"bundles/{bundle_id}.yaml",
                              shipped_catalogues())
        if result.bundle is not None:
            models[bundle_id] = result.bundle
    return Version(data, models, shipped_catalogues())


def test_a_time_limit_change_reads_in_working_days():
    new = copy.deepcopy(DATA["newborn"])
    new["items"][2]["time_limit"]["promised"] = 2
    [change] = diff_data("newborn", DATA["newborn"], new)
    assert change.text() == "newborn: 事项“出生登记（户口）” — 承诺时限 3 个工作日 → 2 个工作日"


def test_parallel_and_serial_changes_and_figures_are_derived():
    new = copy.deepcopy(DATA["newborn"])
    social = next(i for i in new["items"] if i["id"] == "social_security_card")
    social["materials"] = []  # no longer needs the household record: runs in parallel
    texts = [c.text() for c in semantic_diff(version({"newborn": DATA["newborn"]}), version({"newborn": new}))]
    assert "newborn: “社会保障卡申领”现在与“出生登记（户口）”并联办理" in texts
    assert any("材料 “新生儿户籍登记信息” 删除" in t for t in texts)

    new = copy.deepcopy(DATA["newborn"])
    statement = next(m for m in new["materials"] if m["id"] == "out_of_wedlock_statement")
    statement["source"] = "shared"
    statement["shared_from"] = "civil_affairs"
    texts = [c.text() for c in semantic_diff(version({"newborn": DATA["newborn"]}), version({"newborn": new}))]
    fewer = [re.fullmatch(r"newborn: 减材料（提交材料份数） (\d+) → (\d+)", t) for t in texts]
    assert [int(m[1]) - int(m[2]) for m in fewer if m] == [1]  # one paper fewer to hand in


def test_bundles_added_and_removed():
    texts = [c.text() for c in semantic_diff(version({"newborn": DATA["newborn"]}), version({"restaurant": DATA["restaurant"]}))]
    assert texts[:1] == ["newborn: 删除一件事"] and "restaurant: 新增一件事" in texts


def test_markdown_and_json_output():
    new = copy.deepcopy(DATA["newborn"])
    new["version"] = 2
    changes = diff_data("newborn", DATA["newborn"], new)
    assert render(changes, "markdown") == "### newborn\n\n- 版本 1 → 2\n"
    assert json.loads(render(changes, "json"))[0]["change"] == "版本 1 → 2"
    assert render([], "text") == "没有改动。\n"


def test_diff_between_commits_of_a_workspace_with_chinese_authors(tmp_path, monkeypatch):
    workspace = tmp_path / "工作区"
    first = init_workspace(workspace)
    path = workspace / "bundles/newborn.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("time_limit: {promised: 3, statutory: 20}",
                                                             "time_limit: {promised: 2, statutory: 20}"), encoding="utf-8")
    monkeypatch.chdir(workspace)
    worktree = CliRunner().invoke(main, ["diff", first])
    assert worktree.exit_code == 0 and "承诺时限 3 个工作日 → 2 个工作日" in worktree.output
    subprocess.run(["git", "-c", "user.name=张三", "-c", "user.email=z@example.cn", "commit", "-qam", "缩短出生登记时限"],
                   cwd=workspace, check=True)
    between = CliRunner().invoke(main, ["diff", first, "HEAD", "--format", "markdown"])
    assert between.output.startswith("### newborn") and "承诺时限" in between.output
    assert CliRunner().invoke(main, ["diff", "no-such-revision"]).exit_code == 2
    log = subprocess.run(["git", "-c", "core.quotepath=false", "log", "--format=%an %s"], cwd=workspace,
                         capture_output=True, text=True, check=True).stdout
    assert "张三 缩短出生登记时限" in log


def test_init_refuses_a_folder_that_is_not_empty(tmp_path):
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "file").write_text("", encoding="utf-8")
    result = CliRunner().invoke(main, ["init", str(tmp_path / "x")])
    assert result.exit_code == 2 and "不是空目录" in result.output


def test_a_renamed_entry_is_one_change():
    new = copy.deepcopy(DATA["newborn"])
    new["situations"][1]["id"] = "child_age"
    changes = diff_data("newborn", DATA["newborn"], new)
    assert [c.text() for c in changes] == ["newborn: 情形“新生儿现在满几个月？” — id “child_age_months” → “child_age”"]


def test_the_pre_commit_hook_runs_the_real_checker():
    hooks = load_yaml((ROOT / ".pre-commit-hooks.yaml").read_bytes(), "hooks").data
    [hook] = hooks
    assert hook["entry"] == "configurator check" and hook["language"] == "python"
    result = CliRunner().invoke(main, hook["entry"].split()[1:] + [str(ROOT / "bundles")])
    assert result.exit_code == 0


def test_added_removed_and_changed_field_rules_are_named():
    old = DATA["field-rules"]
    new = copy.deepcopy(old)
    new["field_rules"][0]["equals"] = 99
    del new["field_rules"][2]
    new["field_rules"].append({"id": "usable_positive", "field": "usable_area", "greater_than": 0, "message": "应大于 0"})
    texts = [c.text() for c in diff_data("field-rules", old, new)]
    assert texts == ["field-rules: 跨字段规则 usable_positive 增加",
                     "field-rules: 跨字段规则 two_shares_add_up — 等于 100 → 99",
                     "field-rules: 跨字段规则 first_share_positive 删除"], texts


def test_a_place_in_a_file_is_named_in_words_not_as_a_yaml_path():
    """Issue 24: the conflict page labelled a value ``items[birth_registration].time_limit.promised``."""
    from configurator.present.semantic_diff import place_in_words

    data = load_yaml((ROOT / "bundles" / "newborn.yaml").read_bytes(), "newborn.yaml").data
    path = ("items", ("id", "birth_registration"), "time_limit", "promised")
    assert place_in_words("bundles/newborn.yaml", data, path) == "一件事“新生儿出生一件事” · 事项“出生登记（户口）” · 承诺时限"
    english = place_in_words("bundles/newborn.yaml", data, path, "en")
    assert "birth_registration" not in english and "items[" not in english and english.endswith("promised"), english
    situation = ("situations", ("id", "born_in_wedlock"), "label", "zh-CN")
    assert place_in_words("bundles/newborn.yaml", data, situation) == "一件事“新生儿出生一件事” · 情形“是否婚内生育？” · 名称"
    gone = ("items", ("id", "no_such_item"), "visits")  # an entry only the other side has: still no brackets
    assert place_in_words("bundles/newborn.yaml", data, gone) == "一件事“新生儿出生一件事” · 事项 no_such_item · 到现场次数"
    assert place_in_words("catalogues/departments.yaml", {}, ("departments", ("id", "police"), "name")).startswith("部门目录")
