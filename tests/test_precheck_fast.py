"""The pre-check's fast path (jsonschema-rs, present/quick_schema.py) against its reference path
(Python's jsonschema with RE2 patterns): the same verdict — status, every problem's pointer and
message, the answer — on generated applications, valid and invalid, for every shipped bundle."""

from __future__ import annotations

import functools
import json
import random
import sys
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from configurator.conformance.corpus import Target, corpus
from configurator.language.fieldtypes import gb11643_check_digit, gb32100_check_char
from configurator.planning.calendar import WorkingCalendar
from configurator.present.precheck import Checker, checker, pre_check
from configurator.present.quick_schema import QuickCheck, _portable
from tests.compile_helpers import SHIPPED_IDS, compiled

_LARGEST = int(sys.float_info.max)
GROUPS = ("situations", "fields", "uploads")


@functools.cache
def paths(bundle_id: str) -> tuple[Checker, Checker, tuple[dict[str, Any], ...]]:
    """The reference and the fast pre-check of a bundle, and its corpus applications as seeds."""
    c = compiled(bundle_id)
    seeds = tuple(entry["application"] for entry in corpus(Target(c), sample=6)["applications"])
    return checker(c, quick=False), checker(c), seeds


def _said(check: Checker, application: Any, lang: str) -> tuple[Any, ...]:
    try:
        verdict = pre_check(check, application, lang, calendar=WorkingCalendar)
    except Exception as error:  # noqa: BLE001 - the two paths must fail alike too
        return ("raised", type(error).__name__)
    return verdict.status, verdict.problems, json.dumps(verdict.answer, ensure_ascii=False, sort_keys=True)


# Values chosen to sit on the edges the two validators could read apart: numbers no double holds
# (and the largest one that does), 1 / 1.0 / true, -0.0, text with Unicode digits, line ends and
# lone surrogates, ID numbers with a right and a wrong check digit.
EDGES = [None, True, False, 0, 1, 1.0, -0.0, 0.5, -1, 10**400, -(10**400), _LARGEST, _LARGEST + 1, float("inf"),
         float("nan"), 1e308, "", "٣", "a\nb", "a\ud800", "11010519491231002X", "11010519491231002Y",
         "13800138000", "2026-11-01", "08:30", "张三", "x" * 300, [], {}, ["u1"], ["u1", "u1"], [1]]
scalars = st.one_of(st.sampled_from(EDGES), st.none(), st.booleans(), st.integers(-(2**70), 2**70),
                    st.floats(), st.text(max_size=20))
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner,
                                                                                            max_size=3), max_leaves=6)


@st.composite
def applications(draw: st.DrawFn, bundle_id: str) -> Any:
    """A corpus application (valid, refused or sent to the fallback) changed in one to three places:
    a value set, an entry removed, a group taken from another application or replaced, a root key."""
    reference, _fast, seeds = paths(bundle_id)
    application = json.loads(json.dumps(draw(st.sampled_from(seeds))))
    properties = reference.schema["properties"]
    for _ in range(draw(st.integers(0, 4))):
        group = draw(st.sampled_from(GROUPS))
        kind = draw(st.sampled_from(["set", "set", "set", "set", "remove", "swap", "replace", "root"]))
        if not isinstance(application.get(group), dict):
            application[group] = {}
        known = sorted(properties[group]["properties"]) + sorted(application[group])
        if kind == "set":
            key = draw(st.sampled_from(known) | st.text(max_size=4)) if known else draw(st.text(max_size=4))
            application[group][key] = draw(st.sampled_from(EDGES) | st.sampled_from(_values_of(seeds, group, key))
                                           | values)
        elif kind == "remove" and application[group]:
            del application[group][draw(st.sampled_from(sorted(application[group])))]
        elif kind == "swap":
            application[group] = json.loads(json.dumps(draw(st.sampled_from(seeds)).get(group)))
        elif kind == "replace":
            application[group] = draw(values)
        elif kind == "root":
            application[draw(st.sampled_from(["received", "extra", *GROUPS]))] = draw(
                st.sampled_from(["2026-12-04", "not a date", 20261204, float("inf")]) | values)
    return application


def _values_of(seeds: tuple[dict[str, Any], ...], group: str, key: str) -> list[Any]:
    """What the corpus put at this place (right values, so that changed applications stay near valid)."""
    found = [seed[group][key] for seed in seeds if isinstance(seed.get(group), dict) and key in seed[group]]
    return found or [None]


@pytest.mark.parametrize("bundle_id", SHIPPED_IDS)
def test_the_fast_path_and_the_reference_reach_the_same_verdict(bundle_id):
    reference, fast, _seeds = paths(bundle_id)

    refused = []

    @settings(max_examples=150, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(application=applications(bundle_id), lang=st.sampled_from(["zh-CN", "en"]))
    def agree(application, lang):
        said = _said(fast, application, lang)
        assert said == _said(reference, application, lang), application
        if said[0] == 422 and said[1]:
            refused.append(said[1])

    agree()
    # Refused applications take the fast path too (jsonschema-rs finds the failing parts, Python's
    # jsonschema words them): their every problem, pointer and message, is compared above.
    assert len(refused) >= 20, f"only {len(refused)} refused applications generated"


@pytest.mark.parametrize("bundle_id", SHIPPED_IDS)
def test_every_corpus_application_gets_the_reference_verdict_and_valid_ones_skip_the_reference(bundle_id):
    reference, fast, seeds = paths(bundle_id)
    accepted = 0
    for application in seeds:
        for lang in ("zh-CN", "en"):
            assert _said(fast, application, lang) == _said(reference, application, lang), application
        if pre_check(reference, application, "zh-CN", WorkingCalendar).status == 200 and fast.quick is not None \
                and fast.quick.valid(application):
            accepted += 1
            # the reference validator is not consulted for an application the fast path accepts
            untouched = Checker(fast.compiled, fast.schema, _Refusing(), fast.quick)
            assert pre_check(untouched, application, "zh-CN", WorkingCalendar).status == 200
    assert accepted, "no corpus application took the fast path"


@pytest.mark.parametrize("bundle_id", SHIPPED_IDS)
def test_every_edge_value_at_every_place_of_a_valid_application_gets_the_reference_verdict(bundle_id):
    """Exhaustive where the generated test samples: each edge value put in turn at each answer,
    field and upload the schema knows, in two valid applications."""
    reference, fast, seeds = paths(bundle_id)
    valid = [seed for seed in seeds if pre_check(reference, seed, "en", WorkingCalendar).status == 200][:2]
    assert valid
    for seed in valid:
        for group in GROUPS:
            for key in reference.schema["properties"][group]["properties"]:
                for value in EDGES:
                    application = {**seed, group: {**seed[group], key: value}}
                    assert _said(fast, application, "en") == _said(reference, application, "en"), (group, key, value)


class _Refusing:
    def iter_errors(self, application: Any) -> Any:
        raise AssertionError("the reference validator was consulted")


def test_a_pattern_goes_to_rust_only_where_both_engines_read_it_alike():
    assert _portable("^(?:[1-9][0-9]{5}(18|19|20)[0-9]{2}[0-9X])$")
    assert _portable("^(?:[^\\r\\n]*)$") and _portable("^a\\.b\\-c{2,}$")
    # Unicode-aware in Rust, ASCII in RE2 and ECMAScript: through RE2
    assert not _portable("^\\d+$") and not _portable("^\\w\\s$") and not _portable("\\bword")
    # set operations and nested classes exist in Rust only; "{,3}" is a count to one engine, text to another
    assert not _portable("[a[b]]") and not _portable("[a&&b]") and not _portable("[a--b]") and not _portable("a{,3}")


def test_a_unicode_digit_is_refused_alike_by_both_paths_where_a_pattern_says_digits():
    schema = {"type": "object", "required": ["situations", "fields", "uploads"], "additionalProperties": False,
              "properties": {"situations": {"type": "object"}, "uploads": {"type": "object"},
                             "fields": {"type": "object", "properties": {
                                 "code": {"type": "string", "pattern": "^(?:\\d+)$(?![\\s\\S])"},
                                 "free": {"type": "string", "pattern": "^(?:[^\\r\\n]*)$(?![\\s\\S])"}}}}}
    quick = QuickCheck(schema)
    assert quick.valid({"situations": {}, "fields": {"code": "123", "free": "a b"}, "uploads": {}})
    assert not quick.valid({"situations": {}, "fields": {"code": "١٢٣"}, "uploads": {}})  # Arabic-Indic digits
    assert not quick.valid({"situations": {}, "fields": {"free": "a\nb"}, "uploads": {}})
    assert not quick.valid({"situations": {}, "fields": {"free": "a\ud800"}, "uploads": {}})  # no answer: the reference's


def test_a_place_that_admits_any_value_makes_the_fast_path_look_for_numbers_out_of_range():
    typed = {"type": "object", "properties": {"n": {"type": "number"}}, "additionalProperties": False}
    assert not QuickCheck(typed).walks_numbers
    assert not QuickCheck(typed).valid({"n": 10**400}) and QuickCheck(typed).valid({"n": _LARGEST})
    assert QuickCheck({"type": "object", "properties": {"n": {}}}).walks_numbers
    assert QuickCheck({"type": "object"}).walks_numbers  # additional properties may hold anything


def test_the_id_number_check_digit_is_the_standards_weighted_sum():
    """GB 11643-1999: weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2, the sum mod 11 indexing "10X98765432"
    (the library computes it another way, in one C call)."""
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    draw = random.Random(11643)
    for body in ["11010519491231002", "00000000000000000", "99999999999999999",
                 *("".join(draw.choice("0123456789") for _ in range(17)) for _ in range(20000))]:
        assert gb11643_check_digit(body) == "10X98765432"[sum(int(c) * w for c, w in zip(body, weights, strict=True)) % 11], body
    assert gb11643_check_digit("11010519491231002") == "X"  # the standard's own example
    for wrong in ("1101051949123100", "1101051949123100a", "١١٠١٠٥١٩٤٩١٢٣١٠٠٢", "1_010519491231002"):
        with pytest.raises(ValueError):
            gb11643_check_digit(wrong)


def test_the_credit_code_check_character_is_the_standards_weighted_sum():
    """GB 32100-2015: 31 characters (no I, O, S, V, Z), weights 3⁰…3¹⁶ mod 31, check (31 − sum mod 31) mod 31."""
    characters = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    weights = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
    draw = random.Random(32100)
    for body in ["91350100M000100Y4", "0" * 17, "Y" * 17, *("".join(draw.choice(characters) for _ in range(17))
                                                            for _ in range(20000))]:
        total = sum(characters.index(c) * w for c, w in zip(body, weights, strict=True))
        assert gb32100_check_char(body) == characters[(31 - total % 31) % 31], body
    for wrong in ("91350100M000100Y", "9135010OM000100Y4", "91350100m000100Y4", "91350100M000100Y4 "):
        with pytest.raises(ValueError):
            gb32100_check_char(wrong)


def test_answers_equal_in_python_but_not_in_json_are_kept_apart_and_the_kept_cases_are_bounded():
    """1, 1.0 and true are equal in Python; the answer echoes what was sent, so each has its own case."""
    reference, fast, seeds = paths("newborn")
    valid = next(seed for seed in seeds if pre_check(reference, seed, "en", WorkingCalendar).status == 200)
    told = {}
    for age in (1, 1.0, True, 0.0, -0.0, 0):
        application = {**valid, "situations": {**valid["situations"], "child_age_months": age}}
        told[repr(age)] = _said(fast, application, "en")
        assert told[repr(age)] == _said(reference, application, "en"), age
    reference, _fast, seeds = paths("restaurant")
    valid = next(seed for seed in seeds if pre_check(reference, seed, "en", WorkingCalendar).status == 200)
    fresh = checker(compiled("restaurant"))
    for area in range(1000):  # a thousand different answer sets (the floor area has no maximum)
        assert pre_check(fresh, {**valid, "situations": {**valid["situations"], "floor_area_sqm": area}}, "en",
                         WorkingCalendar).status in (200, 422)
    assert len(fresh.cases) == 256


@pytest.mark.parametrize("bundle_id", SHIPPED_IDS)
def test_a_refused_application_is_worded_from_the_parts_jsonschema_rs_finds_wrong(bundle_id):
    """One field of the wrong type: Python's jsonschema is given that field's place and nothing else
    of the fields (the rest ``true``), and the problems are the reference's, word for word."""
    reference, fast, seeds = paths(bundle_id)
    valid = next(seed for seed in seeds if pre_check(reference, seed, "en", WorkingCalendar).status == 200)
    wrong = next(iter(valid["fields"]))
    application = {**valid, "fields": {**valid["fields"], wrong: 12345}}
    assert fast.quick is not None
    reduced = fast.quick.failing(application)
    assert reduced["properties"]["situations"] is True
    kept = reduced["properties"]["fields"]["properties"]
    assert [key for key, place in kept.items() if place is not True] == [wrong]
    for lang in ("zh-CN", "en"):
        said = _said(fast, application, lang)
        assert said[0] == 422 and said == _said(reference, application, lang)
        assert {"pointer": f"/fields/{wrong}", "message": said[1][0]["message"]} in said[1]
