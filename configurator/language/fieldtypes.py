"""Field types of the merged form: one table that every form writer takes its rules from.

The JSON Schema writer and the WTForms form both build their checks from ``ResolvedField``
and the patterns here, so a portal validating with the schema and the server validating the
HTML form agree (tests/test_form_agreement.py proves it over generated inputs).

Patterns are written so that Python's ``re`` and ECMAScript (what ajv uses) read them alike:
``[0-9]`` rather than ``\\d`` (Python's ``\\d`` also matches non-ASCII digits), and every
anchored pattern ends ``$(?![\\s\\S])`` because Python's ``$`` also matches before a final newline.

The check digits of GB 11643 (citizen ID) and GB 32100 (unified social credit code) are
arithmetic that standard JSON Schema cannot express. The schema checks the structure; the check
character is computed here and judged in writers/field_checks.py, which every channel (the
pre-check, ``explain``, the server-side form, the form page's script) reports the same way: an
error on that field naming the character it should be.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from configurator.model import BundleField, Catalogues, FieldSpec, Option, Text

DATE_PATTERN = "[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
_TYPE_PATTERNS = {
    "id_number": "[1-9][0-9]{5}(18|19|20)[0-9]{2}(0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01])[0-9]{3}[0-9X]",
    "uscc": "[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}",
    "mobile": "1[3-9][0-9]{9}",
    "phone": "[0-9+()\\- ]{5,30}",
    # dot-separated labels, each without a dot: "[^@\\s]+\\.[^@\\s]+" could split a domain at any of
    # its dots, quadratic backtracking in a portal's JavaScript engine (1.5 s in V8 on 40,000 characters)
    "email": "[^@\\s]+@[^@\\s.]+(?:\\.[^@\\s.]+)+",
    "bank_account": "[0-9]{8,32}",
    "postal_code": "[0-9]{6}",
    "date": DATE_PATTERN,
}
SINGLE_LINE = "[^\\r\\n]*"  # text (not textarea) and address keep to one line
STRING_TYPES = {"text", "textarea", "address", "id_number", "uscc", "mobile", "phone", "email", "bank_account",
                "postal_code", "date"}


def anchored(pattern: str) -> str:
    """Match the whole value, in Python and in ECMAScript alike."""
    return f"^(?:{pattern})$(?![\\s\\S])"


@dataclass(frozen=True)
class ResolvedField:
    """A bundle field with its catalogue definition merged in (bundle values win)."""

    id: str
    label: Text
    help: Text | None
    type: str
    required: bool
    options: tuple[Option, ...]
    min_length: int | None
    max_length: int | None
    pattern: str | None  # the author's own pattern, in addition to the type's
    minimum: float | None
    maximum: float | None
    unit: Text | None
    placeholder: Text | None
    sensitive: bool

    @property
    def type_pattern(self) -> str | None:
        if self.type in _TYPE_PATTERNS:
            return _TYPE_PATTERNS[self.type]
        if self.type in ("text", "address"):
            return SINGLE_LINE
        return None

    @property
    def patterns(self) -> list[str]:
        """Every anchored pattern the value must match."""
        return [anchored(p) for p in (self.type_pattern, self.pattern) if p]

    @property
    def min_chars(self) -> int:
        """Strings are never empty: an empty answer is no answer."""
        return max(self.min_length or 0, 1)


def resolve_field(field: BundleField, catalogues: Catalogues) -> ResolvedField:
    base = catalogues.fields.get(field.catalogue_id)
    spec = base.spec if base else FieldSpec(type=None)
    own = field.spec

    def pick(name: str) -> Any:
        value = getattr(own, name)
        # unset in the bundle: None or an empty tuple (tested by type: ``in (None, ())`` called the
        # dataclasses' __eq__ against a tuple for every Text value)
        return getattr(spec, name) if value is None or (type(value) is tuple and not value) else value

    label = field.label or (base.label if base else Text.of(field.id))
    field_type = own.type or spec.type
    assert field_type is not None, f"field {field.id} has no type (the checker reports E303)"
    return ResolvedField(
        id=field.id, label=label, help=field.help or (base.help if base else None), type=field_type,
        required=field.required, options=pick("options"), min_length=pick("min_length"),
        max_length=pick("max_length"), pattern=pick("pattern"), minimum=pick("minimum"),
        maximum=pick("maximum"), unit=pick("unit"), placeholder=pick("placeholder"),
        sensitive=bool(pick("sensitive")),
    )


def value_schema(field: ResolvedField, lang: str = "zh-CN") -> dict[str, Any]:
    """The JSON Schema of one field's value."""
    schema: dict[str, Any] = {"title": field.label.get(lang)}
    if field.help:
        schema["description"] = field.help.get(lang)
    kind = field.type
    if kind in STRING_TYPES:
        schema["type"] = "string"
        schema["minLength"] = field.min_chars
        if field.max_length is not None:
            schema["maxLength"] = field.max_length
        patterns = field.patterns
        if len(patterns) == 1:
            schema["pattern"] = patterns[0]
        elif patterns:
            schema["allOf"] = [{"type": "string", "pattern": p} for p in patterns]
    elif kind in ("integer", "number"):
        schema["type"] = kind
        if field.minimum is not None:
            schema["minimum"] = field.minimum
        if field.maximum is not None:
            schema["maximum"] = field.maximum
    elif kind == "boolean":
        schema["type"] = "boolean"
    elif kind == "choice":
        schema["type"] = "string"
        schema["oneOf"] = [{"const": o.value, "title": o.label.get(lang)} for o in field.options]
    elif kind == "multi_choice":
        schema["type"] = "array"
        schema["items"] = {"type": "string", "oneOf": [{"const": o.value, "title": o.label.get(lang)}
                                                        for o in field.options]}
        schema["uniqueItems"] = True
        schema["minItems"] = 1
    else:  # pragma: no cover - the schema's enum lists every type
        raise ValueError(f"unknown field type {kind}")
    return schema


# ------------------------------------------------------------------------ check digits

_ID_CHECK = "10X98765432"
_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_AS_BASE34 = str.maketrans(_USCC_CHARS, "0123456789abcdefghijklmnopqrstu")


def gb11643_check_digit(first17: str) -> str:
    """The 18th character of a citizen ID number (GB 11643-1999, ISO 7064 MOD 11-2)."""
    if len(first17) != 17 or not (first17.isascii() and first17.isdigit()):
        raise ValueError(f"not 17 digits: {first17!r}")
    # The weights are 2¹⁷ … 2¹ mod 11, and 13 ≡ 2 (mod 11): the weighted sum is twice the digits
    # read in base 13, mod 11 (one C call; the pre-check runs this on every valid application).
    return _ID_CHECK[2 * int(first17, 13) % 11]


def gb32100_check_char(first17: str) -> str:
    """The 18th character of a unified social credit code (GB 32100-2015, MOD 31)."""
    if len(first17) != 17 or first17.strip(_USCC_CHARS):
        raise ValueError(f"not 17 characters of a credit code: {first17!r}")
    # The weights are 3⁰ … 3¹⁶ mod 31, and 34 ≡ 3 (mod 31): the weighted sum is the code, each
    # character written as the base-34 digit of its value, read backwards in base 34, mod 31.
    total = int(first17.translate(_USCC_AS_BASE34)[::-1], 34)
    return _USCC_CHARS[(31 - total % 31) % 31]
