"""The configurator: define 'one thing' (一件事) service bundles and check them.

The library is a pure pipeline over bytes; the CLI (and, later, the web admin) are thin shells:

    >>> from configurator import check_bundle, check_catalogues
    >>> catalogues = check_catalogues([("catalogues/departments.yaml", raw_departments)]).catalogues
    >>> result = check_bundle(raw_bundle, "bundles/newborn.yaml", catalogues)
    >>> result.ok, [d.message("en") for d in result.diagnostics]
"""

from .diagnostics import CODES, Diagnostic, Severity
from .model import Bundle, Catalogues
from .pipeline import BundleCheck, CatalogueCheck, check_bundle, check_catalogues
from .workspace import Workspace

__all__ = [
    "CODES", "Bundle", "BundleCheck", "CatalogueCheck", "Catalogues", "Diagnostic", "Severity", "Workspace",
    "check_bundle", "check_catalogues",
]
