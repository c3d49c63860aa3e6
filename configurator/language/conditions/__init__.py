"""The condition language of every ``when`` and ``require``.

Policy staff write conditions over the answers to the situation questions::

    area_sqm > 300 or investment > 300000
    not born_in_wedlock and register_with == "father"
    food_types contains "cold_food"
    any utilities            (at least one option of a several-choice answer ticked)
    register_with in ["father", "mother"]

Grammar (lowest precedence first)::

    condition  := or_expr
    or_expr    := and_expr ("or" and_expr)*
    and_expr   := not_expr ("and" not_expr)*
    not_expr   := "not" not_expr | "any" NAME | comparison
    comparison := operand (("==" | "!=" | "<" | "<=" | ">" | ">=" | "in" | "not in"
                            | "contains") operand)?
    operand    := NAME | NUMBER | STRING | "true" | "false" | "[" literals "]" | "(" condition ")"

Parsed by hand (no ``eval``); every node keeps its column so errors point into the text.
An unanswered question (one asked only under a condition) has no value: any comparison
with it is false, and ``not`` of that is true. This matches JsonLogic's treatment of a
missing ``var`` for ``==`` and is kept identical in the JsonLogic translation.
"""

from configurator.language.conditions.evaluate import Predicate, Vector, compile_predicate, compile_vector, evaluate
from configurator.language.conditions.named import expand_definitions, expanded_text, substitute
from configurator.language.conditions.satisfiability import candidates, constants_of, truth_table, witness
from configurator.language.conditions.syntax import (
    KEYWORDS,
    BoolOp,
    Compare,
    ConditionSyntaxError,
    Expr,
    ListLiteral,
    Literal,
    Name,
    Not,
    Ticked,
    all_of,
    any_of,
    names,
    parse,
    to_text,
)
from configurator.language.conditions.types import Problem, Variable, check_types, suggest

__all__ = [
    "KEYWORDS", "BoolOp", "Compare", "ConditionSyntaxError", "Expr", "ListLiteral", "Literal", "Name", "Not", "Predicate",
    "Problem", "Ticked", "Variable", "Vector", "all_of", "any_of", "candidates", "check_types", "compile_predicate", "compile_vector",
    "constants_of", "evaluate",
    "expand_definitions", "expanded_text", "names", "parse", "substitute", "suggest", "to_text", "truth_table", "witness",
]
