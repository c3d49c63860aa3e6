"""What the configurator ships: the example bundles, the catalogues and the JSON Schemas.

In a source checkout these are links to the top-level ``bundles/``, ``catalogues/`` and
``schemas/`` folders; in an installed wheel they are copies, so ``configurator init`` and the
schema check work without a source tree.
"""

from pathlib import Path

DATA = Path(__file__).resolve().parent
BUNDLES = DATA / "bundles"
SCHEMAS = DATA / "schemas"
