"""The configurator: define 'one thing' (一件事) service bundles and check them.

The library is a pure pipeline over bytes; the CLI (and, later, the web admin) are thin shells:

    >>> from configurator import check_bundle, check_catalogues
    >>> catalogues = check_catalogues([("catalogues/departments.yaml", raw_departments)]).catalogues
    >>> result = check_bundle(raw_bundle, "bundles/newborn.yaml", catalogues)
    >>> result.ok, [d.message("en") for d in result.diagnostics]
"""

from typing import Any

from configurator.diagnostics import CODES, Diagnostic, Severity
from configurator.language.check import BundleCheck, CatalogueCheck, check_bundle, check_catalogues
from configurator.model import Bundle, Catalogues
from configurator.workspace.files import Workspace


def __getattr__(name: str) -> Any:
    # The installed version is read when asked for: importlib.metadata (and the email package it
    # loads) was a tenth of `configurator check`'s start-up, which never shows the version.
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("configurator")
        except PackageNotFoundError:  # running from a checkout that is not installed
            return "0.0.0"
    raise AttributeError(f"module 'configurator' has no attribute {name!r}")

__all__ = [
    "CODES", "Bundle", "BundleCheck", "CatalogueCheck", "Catalogues", "Diagnostic", "Severity", "Workspace",
    "__version__", "check_bundle", "check_catalogues",
]
