"""Checks beyond JSON Schema that every channel reports the same way: the check digit of a
citizen ID number (GB 11643) and of a unified social credit code (GB 32100).

A JSON Schema pattern can say what such a number looks like but not whether its last character
is right; the pre-check API, ``explain``, the server-side form and the form page's script all
report a wrong one as an error on that field, with the character it should be.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from configurator.language.fieldtypes import gb11643_check_digit, gb32100_check_char
from configurator.planning.compiled import Compiled
from configurator.writers.phrases import say

_ID_NUMBER = re.compile(r"[1-9][0-9]{16}[0-9X]")
_USCC = re.compile(r"[0-9A-HJ-NPQRTUWXY]{18}")
CHECKED_TYPES = ("id_number", "uscc")
# The JSON Schema ``format`` names the pre-check's published request schema gives these fields,
# so that the schema states the rule and a validator that asserts formats agrees with the server.
FORMATS = {"id_number": "gb11643-id-number", "uscc": "gb32100-credit-code"}


def check_digit_error(field_type: str, value: str, lang: str = "zh-CN") -> str | None:
    """The message for a well-formed number whose last character is wrong, else None."""
    if field_type == "id_number" and _ID_NUMBER.fullmatch(value):
        expected = gb11643_check_digit(value[:17])
        if value[17] != expected:
            return say(lang, "error.check_digit_id", expected=expected)
    if field_type == "uscc" and _USCC.fullmatch(value):
        expected = gb32100_check_char(value[:17])
        if value[17] != expected:
            return say(lang, "error.check_digit_uscc", expected=expected)
    return None


def field_errors(compiled: Compiled, fields: Mapping[str, Any]) -> list[dict[str, str]]:
    """Check-digit errors in an application's fields, as {"field", "pointer", "message"}."""
    errors = []
    # the fields with a check character, once per compile (the pre-check runs this on every valid application)
    checked: dict[str, str] = compiled.once("writers.field_checks", lambda: {
        field_id: resolved.type for field_id, resolved in compiled.fields.items() if resolved.type in CHECKED_TYPES})
    for field_id, kind in checked.items():  # a bundle has few such fields; an application many others
        value = fields.get(field_id)
        if not isinstance(value, str):
            continue
        message = check_digit_error(kind, value, compiled.lang)
        if message:
            errors.append({"field": field_id, "pointer": f"/fields/{field_id}", "message": message})
    if len(errors) > 1:  # in the application's order, as its fields are read
        order = {field_id: n for n, field_id in enumerate(fields)}
        errors.sort(key=lambda error: order[error["field"]])
    return errors


def format_holds(format_name: str, value: object) -> bool:
    """The ``format`` assertion for FORMATS: a string of the right shape with the right check
    character (other values are the schema's ``type`` and ``pattern`` to judge)."""
    kind = next(k for k, name in FORMATS.items() if name == format_name)
    return not isinstance(value, str) or check_digit_error(kind, value) is None
