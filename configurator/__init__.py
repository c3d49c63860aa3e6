"""The configurator: define 'one thing' (一件事) service bundles and check them.

The library is a pure pipeline over bytes; the CLI (and, later, the web admin) are thin shells:

    >>> from configurator import check_bundle, check_catalogues
    >>> catalogues = check_catalogues([("catalogues/departments.yaml", raw_departments)]).catalogues
    >>> result = check_bundle(raw_bundle, "bundles/newborn.yaml", catalogues)
    >>> result.ok, [d.message("en") for d in result.diagnostics]
"""

from configurator.diagnostics import CODES, Diagnostic, Severity
from configurator.language.check import BundleCheck, CatalogueCheck, check_bundle, check_catalogues
from configurator.model import Bundle, Catalogues
from configurator.workspace.files import Workspace

# The one place the version is written: pyproject.toml reads it from here (setuptools' dynamic
# version), and nothing has to ask importlib.metadata, which was a tenth of `check`'s start-up.
__version__ = "0.3.0.dev0"

__all__ = [
    "CODES", "Bundle", "BundleCheck", "CatalogueCheck", "Catalogues", "Diagnostic", "Severity", "Workspace",
    "__version__", "check_bundle", "check_catalogues",
]
