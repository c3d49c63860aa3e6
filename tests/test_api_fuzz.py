"""Schema-driven fuzzing of the portal API (schemathesis against /api/openapi.json): no 500 and no
response that contradicts the document, for random ids and for the real published bundles."""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from configurator.language.fieldtypes import gb11643_check_digit, gb32100_check_char
from tests.web_helpers import make_site

REAL = ["newborn", "restaurant", "retirement", "disability"]


def _with_check_character(shape, check):
    return st.from_regex(shape, fullmatch=True).map(lambda first: first + check(first))


# The request schema's asserted formats (ID numbers, credit codes): valid examples have the right
# check character, as a client following the document would send.
schemathesis.openapi.format("gb11643-id-number", _with_check_character(
    r"[1-9][0-9]{5}(19|20)[0-9]{2}(0[1-9]|1[0-2])(0[1-9]|1[0-9]|2[0-8])[0-9]{3}", gb11643_check_digit))
schemathesis.openapi.format("gb32100-credit-code", _with_check_character(
    r"[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{9}", gb32100_check_char))


@pytest.fixture(scope="module")
def schema(tmp_path_factory):
    site = make_site(tmp_path_factory.mktemp("fuzz"))
    return schemathesis.openapi.from_wsgi("/api/openapi.json", site.app)


def test_every_operation_holds_to_the_document(schema):
    seen: dict[str, set[int]] = {}
    for result in schema.get_all_operations():
        operation = result.ok()

        @settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        @given(case=operation.as_strategy(), real=st.sampled_from(REAL), use_real=st.booleans())
        def run(case, real, use_real):
            if use_real and case.method == "GET" and case.path_parameters and "bundle_id" in case.path_parameters:
                case.path_parameters["bundle_id"] = real
            response = case.call_and_validate()  # raises on a 500 or a response the document does not allow
            seen.setdefault(case.operation.label, set()).add(response.status_code)

        run()
    assert seen["GET /api/bundles/{bundle_id}/{artifact}"] >= {200, 404}
    assert 200 in seen["GET /api/bundles/{bundle_id}"]
    assert 404 in seen["POST /api/bundles/{bundle_id}/check"]
    assert seen["POST /api/bundles/newborn/check"] & {200, 422}
    assert all(code < 500 for codes in seen.values() for code in codes)
