"""Defects of `configurator check` and the language (issues 23 and 29), each proved on the cases
an author meets rather than on one sample."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from configurator.language.check import check_bundle
from tests.helpers import CORPUS, ROOT, base_with, check_text, codes, line_of, only, shipped_catalogues

BUNDLE_FILES = sorted((ROOT / "bundles").glob("*.yaml")) + sorted((CORPUS / "good").glob("*.yaml"))


def _untyped_variants(path: Path) -> list[tuple[str, bytes]]:
    """The bundle once per field, that field made an unknown catalogue entry without a type."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    variants = []
    for index, entry in enumerate(data.get("fields", [])):
        changed = yaml.safe_load(yaml.safe_dump(data, allow_unicode=True))
        field = changed["fields"][index]
        field.pop("type", None)
        field["field"] = "no_such_catalogue_field"
        variants.append((entry["id"], yaml.safe_dump(changed, allow_unicode=True, sort_keys=False).encode()))
    return variants


@pytest.mark.parametrize("path", [p for p in BUNDLE_FILES if "from_situation" in p.read_text(encoding="utf-8")],
                         ids=lambda p: p.stem)
def test_a_field_of_unknown_type_is_a_located_e303_never_an_internal_error(path):
    """A field taking its value from a situation (or named by a field rule) without a type: the
    rules that need its type pass it over, and E303 says where it is and what to write."""
    variants = _untyped_variants(path)
    assert variants
    for field_id, raw in variants:
        check = check_bundle(raw, f"bundles/{path.name}", shipped_catalogues())  # raises on the old code
        found = [d for d in check.diagnostics if d.code == "E303"]
        assert len(found) == 1 and found[0].line >= 1, (field_id, check.diagnostics)
        assert "no_such_catalogue_field" in found[0].message("en")


_BASELINE = "baseline:\n  source: 公开的成效数字\n  link: {link}\n  figures:\n    days: {{before: 20, after: 5}}\nitems:\n"


@pytest.mark.parametrize("link", ["http://www.example.gov.cn/art/2024/5/1/1.html",
                                  "https://www.example.gov.cn/art/2024/5/1/1.html"])
def test_a_baseline_link_may_be_http_or_https_as_the_format_says(link):
    check = check_text(base_with("items:\n", _BASELINE.format(link=link)))
    assert codes(check) == [], check.diagnostics


@pytest.mark.parametrize("link", ["ftp://example.gov.cn/a.pdf", "www.example.gov.cn/a", "http://a b.cn/x"])
def test_a_link_that_is_not_a_web_address_is_refused_where_it_is_written(link):
    text = base_with("items:\n", _BASELINE.format(link=f'"{link}"'))
    [problem] = check_text(text).diagnostics
    assert problem.line == line_of(text, "link:")
    assert "http:// or https://" in problem.message("en")


_QUESTIONS = {
    "boolean": "    type: boolean\n",
    "choice": "    type: choice\n    options:\n      - {value: a, label: 甲}\n      - {value: b, label: 乙}\n",
    "number": "    type: number\n",
    "date": "    type: date\n",
}


@pytest.mark.parametrize("kind", sorted(_QUESTIONS))
def test_allow_none_on_a_question_without_boxes_to_tick_is_refused_where_it_is_written(kind):
    """form.html made such a question optional while the schema and the pre-check required it."""
    question = f"  - id: extra\n    label: 另一个问题？\n{_QUESTIONS[kind]}    allow_none: true\n"
    text = base_with("eligibility:\n", question + "eligibility:\n")
    problem = only(check_text(text), "E212")
    assert (problem.line, problem.column) == (line_of(text, "allow_none"), 5)
    # the question is named as the official wrote it (issue 24), not by its id
    assert "multi_choice" in problem.fix("en") and "“另一个问题？”" in problem.message("zh-CN")
    assert "extra" not in problem.message("zh-CN")


def test_allow_none_on_a_several_choice_question_is_what_it_is_for():
    question = ("  - id: extra\n    label: 另一个问题？\n    type: multi_choice\n    allow_none: true\n"
                "    options:\n      - {value: a, label: 甲}\n      - {value: b, label: 乙}\n")
    assert "E212" not in codes(check_text(base_with("eligibility:\n", question + "eligibility:\n")))


# Exponential in a backtracking engine (ajv in a portal took 3.8 s on 38 characters of the first),
# then polynomial ones (the classic e-mail pattern is quadratic).
_SLOW_IN_JAVASCRIPT = ["^(a|aa)+$", "(a+)+$", "^(\\d+)*$", "(x+x+)+y", "^([a-z]+)*[0-9]$", "^(\\w+\\s?)*$",
                       "^a*a*$", "^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}$"]
_SAFE = ["^\\d{6}$", "^[A-Z0-9]{18}$", "^[一-龥]{2,4}$", "^(\\+86)?1[3-9][0-9]{9}$", "^[^<>]{1,200}$",
         "^[0-9]{1,10}(\\.[0-9]{1,2})?$", "^[\\s\\S]{1,1000}x[\\s\\S]{1,1000}$"]


def _shipped_patterns() -> list[str]:
    found = []
    for path in [*sorted((ROOT / "bundles").glob("*.yaml")), *sorted((ROOT / "catalogues").glob("*.yaml")),
                 *sorted((CORPUS / "good").glob("*.yaml"))]:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        found += [f["pattern"] for f in data.get("fields", []) if isinstance(f, dict) and "pattern" in f]
    return found


@pytest.mark.parametrize("pattern", _SLOW_IN_JAVASCRIPT)
def test_a_pattern_that_backtracks_in_javascript_is_refused_where_it_is_written(pattern):
    written = pattern.replace("\\", "\\\\")
    text = base_with("    label: 新生儿姓名\n", f"    label: 新生儿姓名\n    pattern: \"{written}\"\n")
    problem = only(check_text(text), "E211")
    assert problem.line == line_of(text, "pattern:")
    assert "JavaScript" in problem.message("en") and "JavaScript" in problem.message("zh-CN")


@pytest.mark.parametrize("pattern", _SLOW_IN_JAVASCRIPT[:2])
def test_a_catalogue_fields_slow_pattern_is_refused_too(pattern):
    from configurator.language.check import check_catalogues

    text = f"fields:\n  - id: code\n    label: 编码\n    type: text\n    pattern: \"{pattern}\"\n"
    [problem] = check_catalogues([("catalogues/extra.yaml", text.encode())]).diagnostics
    assert (problem.code, problem.file, problem.line) == ("E211", "catalogues/extra.yaml", 5)


def test_every_shipped_pattern_and_the_usual_safe_ones_pass():
    from configurator.language.patterns import pattern_problem

    patterns = _shipped_patterns() + _SAFE
    assert len(patterns) > len(_SAFE)
    assert {p: pattern_problem(p) for p in patterns} == dict.fromkeys(patterns)


def test_a_pattern_too_tangled_to_analyse_in_time_is_refused_not_waited_for():
    from configurator.language.patterns import pattern_problem

    problem = pattern_problem("^(((a{1,3}){1,3}){1,3}){1,3}b+$")
    assert problem is not None and "too complex" in problem["en"]


def test_no_field_types_own_pattern_backtracks_in_javascript():
    """Every string type's pattern goes into form.schema.json for every field of that type; the
    e-mail one backtracked quadratically (1.5 s in V8 on 40,000 characters)."""
    from configurator.language.backtracking import verdict
    from configurator.language.fieldtypes import STRING_TYPES, ResolvedField
    from configurator.model import Text

    kinds = {}
    for kind in sorted(STRING_TYPES):
        field = ResolvedField("x", Text.of("x"), None, kind, True, (), None, None, None, None, None, None, None, False)
        if field.type_pattern is not None:
            kinds[kind] = verdict(field.type_pattern)
    assert "email" in kinds and kinds == dict.fromkeys(kinds)


def test_a_pattern_without_unbounded_repetition_is_accepted_without_analysis():
    """Bounded match length, constant work per value; and `check` need not load the analyser."""
    from configurator.language.backtracking import verdict

    assert verdict("^(((a{1,3}){1,3}){1,3}){1,3}b$") is None
    assert verdict("^([01][0-9]|2[0-3]):[0-5][0-9]$") is None
