"""docs/operations.md names every security setting with its real default, and shows the words
users really see when the machine fails."""

import re

from configurator.web import security, throttle
from tests.helpers import ROOT

OPERATIONS = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")


def rows() -> dict[str, str]:
    return dict(re.findall(r"^\| `([A-Z_]+)` \| `([^`]*)` \|", OPERATIONS, re.MULTILINE))


def test_every_setting_is_documented_with_its_default():
    documented = rows()
    settings = {**security.settings(), **throttle.DEFAULTS, "SESSION_COOKIE_SECURE": False}
    for name, default in settings.items():
        assert name in documented, name
        assert documented[name] == str(default).lower() if isinstance(default, bool) else documented[name] == str(default), name


def test_the_fault_table_quotes_the_real_messages():
    import errno

    for code in (errno.EROFS, errno.EACCES, errno.ENOSPC, errno.ENOENT):
        assert f"| {security.filesystem_message(OSError(code, 'x'))[0]} |" in OPERATIONS, code
    assert f"| {security.filesystem_message(FileNotFoundError(2, 'x', 'git'))[0]} |" in OPERATIONS
