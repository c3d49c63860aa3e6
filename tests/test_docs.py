"""The documentation is enforced: every code, key and pattern is explained, every example checks."""

import json
import re

import jsonschema
import pytest

from configurator.diagnostics import CODES
from configurator.language.schema import PATTERN_RULES
from tests.helpers import ROOT, check_text

ERRORS_MD = (ROOT / "docs" / "errors.md").read_text(encoding="utf-8")
FORMAT_MD = (ROOT / "docs" / "bundle-format.md").read_text(encoding="utf-8")
SCHEMAS = {name: json.loads((ROOT / "schemas" / f"{name}.schema.json").read_text(encoding="utf-8"))
           for name in ("bundle", "catalogue")}


def walk(node, path=()):
    """Every schema object, skipping `if` clauses (conditions on values, not definitions of keys)."""
    if isinstance(node, dict):
        if path and path[-1] == "if":
            return
        yield path, node
        for key, value in node.items():
            yield from walk(value, path + (key,))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from walk(value, path + (index,))


@pytest.mark.parametrize("code", sorted(CODES))
def test_every_error_code_has_a_section_with_an_example_and_a_fix(code):
    match = re.search(rf"^## {code} .*?(?=^## |\Z)", ERRORS_MD, re.DOTALL | re.MULTILINE)
    assert match, f"docs/errors.md has no section for {code}"
    section = match.group(0)
    assert "错误示例" in section and "改正" in section


def test_no_section_for_a_code_that_does_not_exist():
    documented = set(re.findall(r"^## ([EW]\d{3}) ", ERRORS_MD, re.MULTILINE))
    assert documented == set(CODES)


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_schemas_are_valid_2020_12_and_describe_every_property(name):
    schema = SCHEMAS[name]
    jsonschema.Draft202012Validator.check_schema(schema)
    for path, node in walk(schema):
        for key, subschema in node.get("properties", {}).items() if isinstance(node.get("properties"), dict) else ():
            assert "description" in subschema, f"{name}: {'/'.join(map(str, path))}/properties/{key}"


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_unknown_keys_are_refused_everywhere(name):
    for path, node in walk(SCHEMAS[name]):
        if isinstance(node.get("properties"), dict) and "zh-CN" not in node["properties"]:
            assert node.get("additionalProperties") is False, f"{name}: {'/'.join(map(str, path))}"


def test_every_pattern_is_explained_in_words():
    patterns = {node["pattern"] for schema in SCHEMAS.values() for _, node in walk(schema)
                if isinstance(node.get("pattern"), str)}
    catalogue_field_regex = {node["properties"]["pattern"]["description"] for _, node in walk(SCHEMAS["catalogue"])
                             if isinstance(node.get("properties"), dict) and "pattern" in node["properties"]}
    assert catalogue_field_regex  # the `pattern` *key* of fields is a property, not a pattern rule
    assert patterns <= set(PATTERN_RULES), patterns - set(PATTERN_RULES)


def test_every_key_of_the_format_is_documented():
    keys = {key for schema in SCHEMAS.values() for _, node in walk(schema)
            if isinstance(node.get("properties"), dict) for key in node["properties"]}
    keys -= {"zh-CN", "zh-TW", "en"}
    missing = sorted(key for key in keys if f"`{key}`" not in FORMAT_MD)
    assert not missing, f"docs/bundle-format.md does not explain: {missing}"


def test_every_enum_value_is_documented():
    values = {value for schema in SCHEMAS.values() for _, node in walk(schema)
              for value in node.get("enum", []) if isinstance(value, str)}
    assert not sorted(v for v in values if f"`{v}`" not in FORMAT_MD and f" {v} " not in FORMAT_MD)


def test_the_annotated_example_in_the_format_reference_checks_clean():
    example = re.search(r"## 完整示例.*?```yaml\n(.*?)```", FORMAT_MD, re.DOTALL).group(1)
    result = check_text(example, "bundles/newborn.yaml")
    assert [d.code for d in result.diagnostics] == ["W508"], [d.message("en") for d in result.diagnostics]


def test_readme_quick_start_has_two_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    quick = re.search(r"## Quick start.*?```(?:sh|bash)?\n(.*?)```", readme, re.DOTALL | re.IGNORECASE).group(1)
    commands = [line for line in quick.splitlines() if line.strip() and not line.startswith("#")]
    assert len(commands) == 2, commands


@pytest.mark.parametrize("code", sorted(CODES))
def test_the_error_reference_says_what_the_message_and_the_fix_say(code):
    """docs/errors.md is read by staff who do not know YAML: its 信息 and 怎么改 lines begin with the
    very words the admin and the command line show (a reworded message must be reworded there too).
    A message or fix that is only a slot (``{problem}``) is described in words instead."""
    section = re.search(rf"^## {code} .*?(?=^## |\Z)", ERRORS_MD, re.DOTALL | re.MULTILINE).group(0)
    for said, line in ((CODES[code].message["zh-CN"], "信息："), (CODES[code].fix["zh-CN"], "怎么改：")):
        if said.startswith("{"):
            continue
        found = re.search(rf"{line}(.*)", section)
        assert found and found.group(1).strip().startswith(said), f"{code} {line} should begin with: {said}"
