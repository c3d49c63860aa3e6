"""Applications around the boundaries of the cross-field rules of tests/corpus/good/field-rules.yaml
(shares of 按份共有 co-owners add up to 100, the first share is more than 0, the usable area is
at most the floor area), plus the allow_none and from_situation cases of the same bundle.

Each case is (name, application). The verdicts come from the real pre-check API; the
JavaScript side (tests/js/check_portal.mjs) must reach the same ones with ajv and json-logic-js.
"""

from __future__ import annotations

import copy
import random
from typing import Any

BUNDLE = "field-rules"


def application(shares: list[float | None], count: str = "three", *, usable: float | None = 80,
                area: float = 100, ownership: str = "by_shares") -> dict[str, Any]:
    situations: dict[str, Any] = {"ownership": ownership, "floor_area_sqm": area, "utilities": [],
                                  "notify_by": ["post"]}
    fields: dict[str, Any] = {}
    if ownership == "by_shares":
        situations["owner_count"] = count
        fields.update({f"share_{i + 1}": v for i, v in enumerate(shares) if v is not None})
    if usable is not None:
        fields["usable_area"] = usable
    return {"situations": situations, "fields": fields, "uploads": {"property_certificate": ["certificate.pdf"]}}


# Sums that are 100 in decimal but not in binary, and their neighbours on either side.
_THREE = [[10.1, 64.1, 25.8], [0.01, 70.68, 29.31], [10.1, 64.1, 25.81],
          [33.33, 33.33, 33.34], [33.33, 33.33, 33.33], [33.33, 33.33, 33.35], [33.333333, 33.333333, 33.333334],
          [0.1, 0.2, 99.7], [10.1, 20.2, 69.7], [99.98, 0.01, 0.01], [1e-7, 50, 50], [50, 50, 0.000002],
          [33.3333335, 33.3333335, 33.333333], [70, 20.000001, 10], [70, 20.0000009, 10]]
_TWO = [[50, 50], [49.99, 50], [50, 50.01], [99.99, 0.01], [100, 0], [33.33, 66.67], [0.3, 99.7],
        [50, 50.0000005], [50, 50.000002], [50, 49.999998], [50.0000001, 49.9999999], [60, 40.0000011]]


def boundary_cases() -> list[tuple[str, dict[str, Any]]]:
    cases: list[tuple[str, dict[str, Any]]] = []
    cases += [(f"three {s}", application(s)) for s in _THREE]
    cases += [(f"two {s}", application(s, "two")) for s in _TWO]
    cases += [("three, a share missing", application([50, None, 50])),
              ("two, the second missing", application([100, None], "two")),
              ("two answered, three shares sent", application([30, 30, 40], "two")),
              ("rule's when false: joint ownership", application([], ownership="joint")),
              ("rule's when false: sole owner", application([], ownership="sole")),
              ("first share 0", application([0, 100], "two")),
              ("first share negative", application([-1, 101], "two"))]
    for usable, area in [(100, 100), (100.01, 100), (99.99, 100), (1e9, 1e9), (1e9 + 1, 1e9), (0, 0.5), (80, None)]:
        case = application([50, 50], "two", usable=usable, area=area if area is not None else 100)
        if area is None:
            del case["situations"]["floor_area_sqm"]  # missing answer: the rule does not apply (the schema refuses)
        cases.append((f"usable {usable} / floor {area}", case))
    cases.append(("usable area left out", application([50, 50], "two", usable=None)))
    return cases


def allow_none_and_from_situation_cases() -> list[tuple[str, dict[str, Any]]]:
    valid = application([50, 50], "two")
    cases = [("allow_none: no utility ticked", valid)]
    water = copy.deepcopy(valid)
    water["situations"]["utilities"] = ["water"]
    water["uploads"]["water_bill"] = ["bill.pdf"]
    cases.append(("allow_none: water ticked, its bill handed in", water))
    empty = copy.deepcopy(valid)
    empty["situations"]["notify_by"] = []
    cases.append(("no allow_none: nothing ticked is refused", empty))
    unanswered = copy.deepcopy(valid)
    del unanswered["situations"]["notify_by"]
    cases.append(("no allow_none: unanswered is refused", unanswered))
    sms = copy.deepcopy(valid)
    sms["situations"]["notify_by"] = ["sms"]
    sms["fields"]["contact_mobile"] = "13800138000"
    cases.append(("multi-choice needing a field", sms))
    asked_twice = copy.deepcopy(valid)
    asked_twice["fields"]["floor_area"] = 100
    cases.append(("from_situation: the field is not on the form", asked_twice))
    answer_only = copy.deepcopy(valid)
    answer_only["fields"]["usable_area"] = 100.5
    cases.append(("from_situation: the rule reads the situation's answer", answer_only))
    return cases


def ill_typed_cases() -> list[tuple[str, dict[str, Any]]]:
    """Values a rule does not read as numbers (the schema refuses them): the rule is not checked,
    though json-logic-js's "+" would turn "50" into 50."""
    cases = []
    for name, shares, usable in [("shares as text adding up", ["50", "50"], 80), ("shares as text", ["30", "30"], 80),
                                 ("shares as booleans", [True, False], 80), ("a share as a list", [[50], 50], 80),
                                 ("usable area as text", [50, 50], "150"), ("usable area true", [50, 50], True)]:
        case = application([50, 50], "two", usable=80)
        case["fields"].update({"share_1": shares[0], "share_2": shares[1], "usable_area": usable})
        cases.append((f"ill-typed: {name}", case))
    return cases


def fuzz_cases(seed: int, count: int) -> list[tuple[str, dict[str, Any]]]:
    """Shares with 1–7 decimals that add up to 100 plus a small offset (0, ±0.01, ±10⁻⁵, ±10⁻⁷…)."""
    rng = random.Random(seed)
    cases = []
    for index in range(count):
        owners = rng.choice([2, 3])
        places = rng.choice([1, 2, 2, 3, 6, 7])
        shares = [round(rng.uniform(0.01, 100 / owners), places) for _ in range(owners - 1)]
        offset = rng.choice([0, 0, 0, 0.01, -0.01, 1e-5, -1e-5, 1e-7, -1e-7, 9e-7, -9e-7, 2e-6, -2e-6])
        shares.append(round(100 - sum(shares) + offset, places + 1))
        case = application(shares, "two" if owners == 2 else "three")
        if rng.random() < 0.1:
            case["fields"].pop(f"share_{rng.randint(1, owners)}")
        if rng.random() < 0.1:
            case["situations"]["ownership"] = "joint"
            del case["situations"]["owner_count"]
            case["fields"] = {k: v for k, v in case["fields"].items() if not k.startswith("share_")}
        if rng.random() < 0.2:
            case["fields"]["usable_area"] = round(case["situations"]["floor_area_sqm"] + rng.choice([-0.01, 0, 0.01]), 2)
        cases.append((f"fuzz {index}", case))
    return cases
