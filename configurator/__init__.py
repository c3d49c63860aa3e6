"""The configurator: define 'one thing' (一件事) service bundles and check them.

The library is a pure pipeline over bytes; the CLI (and, later, the web admin) are thin shells:

    >>> from configurator import check_bundle, check_catalogues
    >>> catalogues = check_catalogues([("catalogues/departments.yaml", raw_departments)]).catalogues
    >>> result = check_bundle(raw_bundle, "bundles/newborn.yaml", catalogues)
    >>> result.ok, [d.message("en") for d in result.diagnostics]
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("configurator")
except PackageNotFoundError:  # running from a checkout that is not installed
    __version__ = "0.0.0"

from configurator.diagnostics import CODES, Diagnostic, Severity  # noqa: E402
from configurator.language.check import BundleCheck, CatalogueCheck, check_bundle, check_catalogues  # noqa: E402
from configurator.model import Bundle, Catalogues  # noqa: E402
from configurator.workspace.files import Workspace  # noqa: E402

__all__ = [
    "CODES", "Bundle", "BundleCheck", "CatalogueCheck", "Catalogues", "Diagnostic", "Severity", "Workspace",
    "__version__", "check_bundle", "check_catalogues",
]
