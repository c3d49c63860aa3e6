"""For any input, the HTML form (WTForms) and form.schema.json give the same verdict.

Inputs are generated as a browser would post them: for every question, field and upload of
the form, nothing, an empty value, a valid-looking value, a value of another field, or junk.
"""

import functools

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from configurator.language.fieldtypes import gb11643_check_digit
from configurator.writers.form_schema import form_schema
from configurator.writers.form_wtforms import application_from_form, form_class
from tests.compile_helpers import SHIPPED_IDS, compiled


class MultiDict(dict):
    """Posted form data: each name with its list of values (what WTForms reads via getlist)."""

    def add(self, name, value):
        self.setdefault(name, []).append(value)

    def getlist(self, name):
        return list(self.get(name, []))

    def to_dict(self, flat=False):
        return {name: list(values) for name, values in self.items()}


@functools.cache
def validator(bundle_id):
    schema = form_schema(compiled(bundle_id))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def _id_number(draw):
    first = draw(st.from_regex(r"[1-9][0-9]{5}(19|20)[0-9]{2}(0[1-9]|1[0-2])(0[1-9]|1[0-9]|2[0-8])[0-9]{3}", fullmatch=True))
    return first + gb11643_check_digit(first)


JUNK_VALUES = ["", " ", "abc", "-1", "0", "1.5", "1e309", "nan", "true", "false", "yes", "2024-02-30",
               "2024-05-01", "2024-05-01\n", "x\n", "中文", "13800138000", "13800138000\n", "١٣٨٠٠١٣٨٠٠٠",
               "123456", "３００", "300", "300.5", "a" * 60, "张三\n李四"]
JUNK = st.sampled_from(JUNK_VALUES)


@st.composite
def posted(draw, bundle_id):
    c = compiled(bundle_id)
    form = form_class(c)()
    data = MultiDict()
    for name, field in form._fields.items():
        choice = draw(st.integers(0, 9))
        if choice <= 2:
            continue  # not answered
        options = [choice.value for choice in (field.choices or [])] if hasattr(field, "choices") else []
        if field.type == "SelectMultipleField":
            pool = options or ["ref-1", "ref-2", "ref-3"]
            chosen = draw(st.lists(st.sampled_from(pool + ["bogus", ""]), max_size=4))
            for value in chosen:
                data.add(name, value)
        elif options and choice <= 7:
            data.add(name, draw(st.sampled_from(options)))
        elif name.endswith("id_number") and choice <= 7:
            data.add(name, _id_number(draw))
        else:
            data.add(name, draw(st.one_of(JUNK, st.text(max_size=8))))
    return data


def verdicts(bundle_id, data):
    c = compiled(bundle_id)
    form = form_class(c)(formdata=data)
    form_ok = form.validate()
    application = application_from_form(c, data.to_dict(flat=False))
    schema_ok = validator(bundle_id).is_valid(application)
    return form_ok, schema_ok, form, application


@pytest.mark.parametrize("bundle_id", SHIPPED_IDS)
def test_form_and_schema_agree_on_generated_posts(bundle_id):
    @settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(posted(bundle_id))
    def check(data):
        form_ok, schema_ok, form, application = verdicts(bundle_id, data)
        errors = {name: field.errors for name, field in form._fields.items() if field.errors}
        schema_errors = [e.message for e in validator(bundle_id).iter_errors(application)]
        assert form_ok == schema_ok, (application, errors, form.form_errors, schema_errors)

    check()


VALID_TEXT = {"text": "张三", "textarea": "说明", "address": "某市某区某路 1 号", "mobile": "13800138000",
              "phone": "010-12345678", "email": "a@example.cn", "bank_account": "6222020000000000000",
              "postal_code": "100000", "date": "2024-05-01", "uscc": "91350100M000100Y43"}


@functools.cache
def cases_of(bundle_id):
    from configurator.planning.cases import scenarios
    return scenarios(compiled(bundle_id).bundle)[0]


def valid_post(bundle_id, scenario_index):
    """Form data for one real case of the bundle, every needed entry filled in correctly."""
    cases = cases_of(bundle_id)
    return post_for_case(compiled(bundle_id), cases[scenario_index % len(cases)])


def _text_matching(resolved):
    """A value of the field's type that every pattern of the field accepts (the author's own
    pattern included: if no ready value fits, hypothesis finds one from that pattern)."""
    import re

    from hypothesis import find
    candidates = [VALID_TEXT[resolved.type], "08:30"]  # the second fits the catalogue's time pattern
    fits = [v for v in candidates if all(re.search(p, v) for p in resolved.patterns)]
    if fits:
        return fits[0]
    own = resolved.pattern or resolved.type_pattern
    return find(st.from_regex(own, fullmatch=True),
                lambda v: all(re.search(p, v) for p in resolved.patterns) and resolved.min_chars <= len(v))


def post_for_case(c, case):
    """Form data for one case (answers and plan) of a compiled bundle."""
    data = MultiDict()
    for situation_id, value in case.answers.items():
        values = value if isinstance(value, list) else [value]
        for v in values:
            data.add(f"situations-{situation_id}", "true" if v is True else "false" if v is False else str(v))
    for field in case.plan.fields:
        resolved = c.fields[field.id]
        if resolved.type in ("choice", "multi_choice"):
            data.add(f"fields-{field.id}", resolved.options[0].value)
        elif resolved.type in ("integer", "number"):
            data.add(f"fields-{field.id}", str(int(resolved.minimum or 0) + 1))
        elif resolved.type == "boolean":
            data.add(f"fields-{field.id}", "true")
        elif resolved.type == "id_number":
            data.add(f"fields-{field.id}", "11010519491231002X")
        else:
            data.add(f"fields-{field.id}", _text_matching(resolved))
    for material in case.plan.applicant_materials:
        for index in range(material.count):
            data.add(f"uploads-{material.id}", f"upload-{material.id}-{index}")
    return data


@st.composite
def near_valid(draw, bundle_id):
    data = valid_post(bundle_id, draw(st.integers(0, 200)))
    names = sorted(form_class(compiled(bundle_id))()._fields)
    for _ in range(draw(st.integers(0, 2))):
        name = draw(st.sampled_from(names))
        action = draw(st.sampled_from(["drop", "junk", "add"]))
        if action == "drop":
            data.pop(name, None)
        elif action == "junk":
            data[name] = [draw(JUNK)]
        else:
            data.add(name, draw(JUNK))
    return data


@pytest.mark.parametrize("bundle_id", SHIPPED_IDS)
def test_every_real_case_can_be_submitted(bundle_id):
    for index in range(len(cases_of(bundle_id))):
        form_ok, schema_ok, form, application = verdicts(bundle_id, valid_post(bundle_id, index))
        errors = {name: field.errors for name, field in form._fields.items() if field.errors}
        assert form_ok and schema_ok, (application, errors, form.form_errors)


@pytest.mark.parametrize("bundle_id", SHIPPED_IDS)
def test_form_and_schema_agree_near_valid_posts(bundle_id):
    seen = set()

    @settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(near_valid(bundle_id))
    def check(data):
        form_ok, schema_ok, form, application = verdicts(bundle_id, data)
        schema_errors = [e.message for e in validator(bundle_id).iter_errors(application)]
        assert form_ok == schema_ok, (application, form.errors, form.form_errors, schema_errors)
        seen.add(form_ok)

    check()
    assert seen == {True, False}  # the boundary was actually explored
