"""Random mutations of the shipped bundles never crash the checker, and every answer is located.

Two kinds of mutation: edits to the text (lines deleted, duplicated, re-indented, cut short,
random characters typed in) and edits to the data (a value replaced by another value of the
same bundle, which breaks references and conditions, or by a random value of any type).
"""

import re

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from configurator.language.loader import load_yaml
from tests.helpers import ROOT, check_text

SHIPPED = {path.stem: path.read_text(encoding="utf-8") for path in sorted((ROOT / "bundles").glob("*.yaml"))}
PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


def assert_answered_well(text: str, name: str) -> None:
    result = check_text(text, f"bundles/{name}.yaml")  # raises on a crash: that is the failure
    for diagnostic in result.diagnostics:
        assert diagnostic.line >= 1 and diagnostic.column >= 1, diagnostic
        for lang in ("zh-CN", "en"):
            rendered = diagnostic.message(lang) + diagnostic.fix(lang)
            assert not PLACEHOLDER.search(rendered), rendered


@st.composite
def text_mutation(draw):
    name = draw(st.sampled_from(sorted(SHIPPED)))
    lines = SHIPPED[name].splitlines(keepends=True)
    for _ in range(draw(st.integers(1, 3))):
        index = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["delete", "duplicate", "indent", "dedent", "type", "cut", "swap"]))
        if action == "delete":
            del lines[index]
        elif action == "duplicate":
            lines.insert(index, lines[index])
        elif action == "indent":
            lines[index] = " " * draw(st.integers(1, 3)) + lines[index]
        elif action == "dedent":
            lines[index] = lines[index].lstrip(" ")
        elif action == "type":
            column = draw(st.integers(0, max(len(lines[index]) - 1, 0)))
            typed = draw(st.text(alphabet=st.sampled_from(list(":-[]{}\"'#&*!|>%@` \t=<>()中文xyz0123456789,\\")), max_size=4))
            lines[index] = lines[index][:column] + typed + lines[index][column:]
        elif action == "cut":
            lines = lines[:index]
        else:
            other = draw(st.integers(0, len(lines) - 1))
            lines[index], lines[other] = lines[other], lines[index]
        if not lines:
            break
    return name, "".join(lines)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text_mutation())
def test_text_mutations_never_crash(mutation):
    name, text = mutation
    assert_answered_well(text, name)


def _paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, prefix + (key,))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _paths(value, prefix + (index,))


def _strings(node):
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10, 10**6) | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=6,
)


@st.composite
def data_mutation(draw):
    name = draw(st.sampled_from(sorted(SHIPPED)))
    data = load_yaml(SHIPPED[name].encode(), "x").data
    strings = sorted(set(_strings(data)))
    paths = [p for p in _paths(data) if p]
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(paths))
        parent = data
        try:
            for part in path[:-1]:
                parent = parent[part]
            replacement = draw(st.one_of(st.sampled_from(strings), json_values)) if draw(st.booleans()) \
                else draw(st.sampled_from(strings))
            parent[path[-1]] = replacement
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation removed this place
    return name, yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data_mutation())
def test_data_mutations_never_crash(mutation):
    name, text = mutation
    assert_answered_well(text, name)
