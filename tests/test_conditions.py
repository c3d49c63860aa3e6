"""The condition language: parsed without eval, typed against the situations, exactly evaluated."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from configurator.language.conditions import ConditionSyntaxError, Variable, check_types, evaluate, parse, to_text, truth_table

SITUATIONS = {
    "area_sqm": Variable("area_sqm", "number", minimum=0),
    "investment": Variable("investment", "number", minimum=0),
    "months": Variable("months", "number", integer=True, minimum=0),
    "born_in_wedlock": Variable("born_in_wedlock", "boolean"),
    "register_with": Variable("register_with", "choice", ("father", "mother")),
    "food_types": Variable("food_types", "multi_choice", ("hot_food", "cold_food", "drinks")),
    "birth_date": Variable("birth_date", "date"),
    "withdraw_now": Variable("withdraw_now", "boolean", may_be_unanswered=True),
}


def problems(text):
    return [(p.code, p.column) for p in check_types(parse(text), SITUATIONS)]


@pytest.mark.parametrize("text", [
    "area_sqm > 300 or investment > 300000",
    'not born_in_wedlock and register_with == "father"',
    'food_types contains "cold_food"',
    '"cold_food" in food_types',
    'register_with in ["father", "mother"]',
    'register_with not in ["father"]',
    'birth_date >= "2024-01-01"',
    "born_in_wedlock == true",
    "(area_sqm > 300) and not (investment <= 10)",
])
def test_well_typed_conditions_pass(text):
    assert problems(text) == []


@pytest.mark.parametrize("text, code, column", [
    ("area_sqn > 3", "E402", 0),
    ("born_in_wedlock == 5", "E403", 19),
    ('register_with == "fathr"', "E404", 17),
    ("register_with", "E403", 0),
    ("area_sqm", "E403", 0),
    ('area_sqm == "big"', "E403", 12),
    ("register_with > 3", "E403", 14),
    ('food_types == "hot_food"', "E403", 14),
    ('food_types contains "tea"', "E404", 20),
    ('birth_date > "2024-13-45"', "E403", 13),
    ("born_in_wedlock > register_with", "E403", 16),
    ("area_sqm >= investment", "E403", 9),
    ("3 > 2", "E403", 2),
])
def test_type_errors_point_at_the_column(text, code, column):
    assert (code, column) in problems(text)


@pytest.mark.parametrize("text, column, words", [
    ("area = 3", 5, "=="),
    ("area_sqm > ", 11, "不完整"),
    ("(area_sqm > 3", 13, ")"),
    ("area_sqm > 1 > 2", 13, "and"),
    ("“x” == 1", 0, "英文双引号"),
    ('x == "unclosed', 5, "引号"),
    ("a b", 2, "and"),
    ("", 0, "空"),
    ("x in [1, y]", 9, "方括号"),
    ("a && b", 2, "and"),
])
def test_syntax_errors_explain_and_point_at_the_column(text, column, words):
    with pytest.raises(ConditionSyntaxError) as caught:
        parse(text)
    assert caught.value.column == column
    assert words in caught.value.zh


def test_no_python_is_ever_evaluated():
    with pytest.raises(ConditionSyntaxError):
        parse("__import__('os').system('true')")


@pytest.mark.parametrize("answers, expected", [
    ({"area_sqm": 300, "investment": 300000}, False),   # "more than 300" excludes 300 itself
    ({"area_sqm": 300.5, "investment": 0}, True),
    ({"area_sqm": 0, "investment": 300001}, True),
    ({}, False),                                         # unanswered compares false
])
def test_evaluation_on_both_sides_of_a_boundary(answers, expected):
    assert evaluate(parse("area_sqm > 300 or investment > 300000"), answers) is expected


def test_unanswered_questions_make_comparisons_false_and_not_true():
    assert evaluate(parse("withdraw_now"), {}) is False
    assert evaluate(parse("not withdraw_now"), {}) is True
    assert evaluate(parse('register_with != "father"'), {}) is False


@pytest.mark.parametrize("text, outcomes", [
    ("area_sqm > 5 and area_sqm < 3", {False}),
    ("months > 5 and months < 6", {False}),                 # whole months only
    ("area_sqm > 5 and area_sqm < 6", {True, False}),      # 5.5 is possible
    ('register_with == "father" and register_with == "mother"', {False}),
    ("born_in_wedlock or not born_in_wedlock", {True}),
    ("area_sqm < 0", {False}),                              # minimum is 0
    ("area_sqm >= 0", {True}),
    ('register_with in ["father", "mother"]', {True}),
    ("withdraw_now or not withdraw_now", {True}),
    ('food_types contains "hot_food" and not (food_types contains "hot_food")', {False}),
    ('birth_date > "2024-01-01" and birth_date < "2024-01-02"', {False}),
])
def test_truth_table_finds_conditions_that_cannot_vary(text, outcomes):
    assert truth_table(parse(text), SITUATIONS) == outcomes


def test_canonical_text_round_trips():
    text = 'not (born_in_wedlock or months > 3) and register_with in ["father", "mother"]'
    assert parse(to_text(parse(text))) == parse(text)


numbers = st.one_of(st.integers(-5, 400_000), st.floats(-5, 400_000, allow_nan=False))


@settings(max_examples=300, deadline=None)
@given(area=numbers, investment=numbers, wedlock=st.booleans())
def test_truth_table_never_contradicts_evaluation(area, investment, wedlock):
    expr = parse("(area_sqm > 300 or investment > 300000) and not born_in_wedlock")
    outcome = evaluate(expr, {"area_sqm": area, "investment": investment, "born_in_wedlock": wedlock})
    assert outcome in truth_table(expr, SITUATIONS)


# Every operator, with constants of each type and answers that may be missing or of another type.
_COMPARABLE = st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.floats(-5, 5, allow_nan=False),
                        st.sampled_from(["father", "mother", "2024-01-01", "2025-06-30"]),
                        st.lists(st.sampled_from(["hot_food", "cold_food", "drinks"]), max_size=3))


@st.composite
def _conditions(draw):
    name = draw(st.sampled_from(sorted(SITUATIONS)))
    op = draw(st.sampled_from(["==", "!=", "<", "<=", ">", ">=", "in", "not in", "contains"]))
    constant = draw(st.sampled_from(['"father"', "300", "2.5", "true", '"cold_food"', '["father", "mother"]',
                                     '"2024-06-01"']))
    text = f"{name} {op} {constant}" if draw(st.booleans()) or op in ("in", "not in") else f"{constant} {op} {name}"
    for _ in range(draw(st.integers(0, 2))):
        other = draw(st.sampled_from(sorted(SITUATIONS)))
        text = f"({text}) {draw(st.sampled_from(['and', 'or']))} {'not ' if draw(st.booleans()) else ''}{other}"
    return text


@settings(max_examples=400, deadline=None)
@given(_conditions(), st.dictionaries(st.sampled_from(sorted(SITUATIONS)), _COMPARABLE))
def test_compiled_predicate_agrees_with_the_evaluator(text, answers):
    """The fast path the planner uses must mean exactly what `evaluate` means, for every operator,
    including unanswered questions and answers of the wrong type."""
    from configurator.language.conditions import compile_predicate, compile_vector

    try:
        expr = parse(text)
    except ConditionSyntaxError:
        return
    assert compile_predicate(expr)(answers) == evaluate(expr, answers)
    # the generated function the case search uses, with an always-true slot and a repeat
    assert compile_vector([None, expr, expr])(answers) == (True, evaluate(expr, answers), evaluate(expr, answers))


def test_vector_of_conditions_nested_beyond_what_python_compiles():
    """A condition nested deeper than Python's parser allows (named conditions expand in place)
    still evaluates, one predicate each, as the evaluator says."""
    from configurator.language.conditions import Not, compile_vector

    expr = parse(sorted(SITUATIONS)[0])
    for _ in range(400):
        expr = Not(expr, 0)
    answers = {sorted(SITUATIONS)[0]: True}
    assert compile_vector([expr, None])(answers) == (evaluate(expr, answers), True)


def _every_reachable_first(expr, variables, asked):
    """``witness`` by brute force: every answer set of the product in order, the first a citizen
    can give (each question answered exactly when its ``when`` holds) that makes ``expr`` true."""
    import itertools

    from configurator.language.conditions import candidates, constants_of

    constants = {}
    constants_of(expr, constants)
    while True:  # with the questions deciding whether those read are asked, and theirs
        before = set(constants)
        for name in before:
            if asked.get(name) is not None:
                constants_of(asked[name], constants)
        if set(constants) == before:
            break
    ordered = [name for name in variables if name in constants]
    domains = [candidates(variables[name], constants[name]) for name in ordered]
    for combination in itertools.product(*domains):
        answers = {name: value for name, value in zip(ordered, combination, strict=True) if value is not None}
        if all((asked.get(name) is None or evaluate(asked[name], answers)) == (name in answers) for name in ordered) \
                and evaluate(expr, answers):
            return answers
    return None


_ORDERED = {name: SITUATIONS[name] for name in ("born_in_wedlock", "register_with", "area_sqm", "withdraw_now",
                                                 "food_types")}


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(["register_with == \"mother\" and area_sqm > 300", "not withdraw_now or area_sqm <= 2.5",
                        "any food_types and register_with != \"father\"", "withdraw_now and born_in_wedlock",
                        "\"cold_food\" in food_types or area_sqm == 300"]),
       st.fixed_dictionaries({}, optional={
           "register_with": st.sampled_from(["born_in_wedlock", "not born_in_wedlock"]),
           "area_sqm": st.sampled_from(["register_with == \"mother\"", "born_in_wedlock or register_with == \"father\""]),
           "withdraw_now": st.sampled_from(["area_sqm > 300", "any food_types"]),  # the second reads a later question
           "food_types": st.sampled_from(["withdraw_now", "register_with == \"father\" and not withdraw_now"])}))
def test_witness_is_the_first_reachable_answer_set_of_the_product(text, when):
    """The E514/E410 example search judges "is it asked" question by question and leaves a branch
    no citizen can reach at once: the answer set it finds (or that there is none) is the one trying
    the whole product in order finds, also where a question's ``when`` reads a later question."""
    from configurator.language.conditions import witness

    expr = parse(text)
    asked = {name: parse(condition) for name, condition in when.items()}
    assert witness(expr, _ORDERED, asked) == _every_reachable_first(expr, _ORDERED, {**asked})
