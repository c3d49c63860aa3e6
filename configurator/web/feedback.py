"""Problems shown to the user, in the official's words: beside the form field they concern (named by
the field's label as the page shows it, with the fix), and listed at the top of the page. The error
code and the YAML line and column are kept for a detail toggle and for the source editor.

One policy for every form page (``place``): errors and warnings both go beside their field, each
styled as what it is; an error blocks the save, a warning never does. Problems about this page's
entry that fit no field are listed at the top; warnings about other parts of the bundle are only
counted there (they are shown on those parts' own pages).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from configurator.diagnostics import Diagnostic
from configurator.web import language

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Spot:
    """Where on a page a problem is shown: the form field's name, its label as the page shows it
    and the id of the control a link from the list at the top jumps to."""

    name: str
    label: str
    anchor: str


@dataclass(frozen=True)
class Problem:
    """One problem as a page shows it."""

    severity: str
    message: str
    fix: str
    code: str
    line: int
    column: int
    spot: Spot | None = None

    @property
    def text(self) -> str:
        return f"{self.message} — {self.fix}" if self.fix else self.message


@dataclass
class Placement:
    """A page's problems: those beside fields (by field name), all those the page lists (errors
    first), and how many warnings concern other parts of the bundle."""

    beside: dict[str, list[Problem]] = field(default_factory=dict)
    listed: list[Problem] = field(default_factory=list)
    elsewhere: int = 0

    def add(self, shown: Problem) -> None:
        self.listed.append(shown)
        if shown.spot is not None:
            self.beside.setdefault(shown.spot.name, []).append(shown)


def problem(diagnostic: Diagnostic, spot: Spot | None = None) -> Problem:
    lang = language()
    return Problem(str(diagnostic.severity), diagnostic.message(lang), diagnostic.fix(lang), diagnostic.code,
                   diagnostic.line, diagnostic.column, spot)


def messages(diagnostics: list[Diagnostic]) -> list[Problem]:
    """The problems as a page lists them when it has no fields to put them beside (the overview,
    the source editor, the catalogues): errors first (what blocks the save must not hide below the
    warnings), each kind in the order of the file."""
    ordered = sorted(diagnostics, key=lambda d: d.severity != "error")
    return [problem(d) for d in ordered]


def place(diagnostics: list[Diagnostic], prefix: Path, locate: Callable[[Path], Spot | None]) -> Placement:
    """The one way a form page shows problems. ``prefix`` is where the page's entry sits in the
    bundle; ``locate`` finds the field for the rest of a diagnostic's path (None: no field).

    Errors anywhere are listed (they block the save); warnings are shown when they concern this
    entry, and only counted when they concern another part."""
    placement = Placement()
    for diagnostic in sorted(diagnostics, key=lambda d: d.severity != "error"):
        path = diagnostic.path
        if diagnostic.code == "E202" and diagnostic.params.get("key"):  # a missing key: beside the field that gives it
            path = path + (str(diagnostic.params["key"]),)
        inside = path[:len(prefix)] == prefix
        spot = _spot(path[len(prefix):], locate) if inside else None
        if diagnostic.severity != "error" and not inside:
            placement.elsewhere += 1
            continue
        placement.add(problem(diagnostic, spot))
    return placement


def _spot(tail: Path, locate: Callable[[Path], Spot | None]) -> Spot | None:
    """The field of the longest part of ``tail`` that has one (``time_limit/promised`` before
    ``time_limit``)."""
    for length in range(len(tail), 0, -1):
        spot = locate(tail[:length])
        if spot is not None:
            return spot
    return None


def keyed(fields: dict[tuple[str, ...], str], label: Callable[[str], str], anchor: Callable[[str], str] = str,
          ) -> Callable[[Path], Spot | None]:
    """A ``locate`` for a form whose fields stand for fixed keys of the entry (``ITEM_PATHS``)."""
    def locate(tail: Path) -> Spot | None:
        name = fields.get(tuple(str(p) for p in tail))
        return Spot(name, label(name), anchor(name)) if name is not None else None
    return locate


def read_problems(form: Any) -> list[Problem]:
    """What a WTForms form could not read (a word where a number goes), as problems beside its fields."""
    return [Problem("error", str(error), "", "", 0, 0, Spot(f.name, str(f.label.text), str(f.id)))
            for f in form if f.errors for error in f.errors]


def wtforms_locate(form: Any, fields: dict[tuple[str, ...], str]) -> Callable[[Path], Spot | None]:
    """A ``locate`` for a WTForms form: the label and id are the field's own."""
    return keyed(fields, lambda name: str(form[name].label.text), lambda name: str(form[name].id))
