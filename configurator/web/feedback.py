"""Problems shown to the user: as a list with line and fix, and beside the form field they concern."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm

from configurator.diagnostics import Diagnostic
from configurator.web import language


def messages(diagnostics: list[Diagnostic]) -> list[dict[str, Any]]:
    """The problems as a page lists them: errors first (what blocks the save must not hide below
    the warnings), each kind in the order of the file."""
    lang = language()
    ordered = sorted(diagnostics, key=lambda d: d.severity != "error")
    return [{"line": d.line, "column": d.column, "code": d.code, "severity": str(d.severity),
             "message": d.message(lang), "fix": d.fix(lang), "path": d.path} for d in ordered]



def place_errors(form: FlaskForm, diagnostics: list[Diagnostic], prefix: tuple[Any, ...],
                  paths: dict[tuple[str, ...], str]) -> list[Diagnostic]:
    """Put each diagnostic beside the form field it concerns; return the ones that fit nowhere."""
    rest = []
    lang = language()
    for diagnostic in diagnostics:
        if diagnostic.severity != "error":
            continue
        placed = False
        if diagnostic.path[:len(prefix)] == prefix:
            tail = diagnostic.path[len(prefix):]
            for length in range(len(tail), 0, -1):
                key = tuple(str(p) for p in tail[:length])
                if key in paths:
                    field = form[paths[key]]
                    field.errors = [*field.errors, f"{diagnostic.message(lang)} — {diagnostic.fix(lang)}"]
                    placed = True
                    break
        if not placed:
            rest.append(diagnostic)
    return rest

