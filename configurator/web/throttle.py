"""Login throttling per account and per address: backoff, then lockout.

The counts live in the SQL database (table ``login_throttle``), so every process and every
worker of the server sees the same ones and a restart does not reset them. Each failed login
adds one to two keys, ``account:<name>`` and ``address:<ip>``; unknown user names are counted
like real ones, so a lockout tells nothing about which names exist.

Settings (``CONFIGURATOR_`` environment variables, documented in docs/operations.md):

* ``LOGIN_FREE_FAILURES`` (5): failures allowed before any wait;
* ``LOGIN_LOCKOUT_FAILURES`` (10): failures after which the key is locked for ``LOGIN_LOCKOUT_SECONDS``
  (900); between the two, each failure doubles the wait, starting at 2 s;
* ``LOGIN_ADDRESS_FACTOR`` (5): an address may fail this many times more often than one account,
  since several people can share one address (an office behind NAT);
* ``LOGIN_WINDOW_SECONDS`` (3600): failures older than this are forgotten.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from flask import Response, current_app, g
from sqlalchemy import DateTime, Integer, String, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from configurator.web.models import audit, db, utcnow

DEFAULTS = {"LOGIN_FREE_FAILURES": 5, "LOGIN_LOCKOUT_FAILURES": 10, "LOGIN_LOCKOUT_SECONDS": 900,
            "LOGIN_ADDRESS_FACTOR": 5, "LOGIN_WINDOW_SECONDS": 3600}


class LoginThrottle(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    last_failure: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow)
    blocked_until: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


@dataclass(frozen=True)
class Verdict:
    blocked: bool
    retry_after: int = 0  # seconds
    locked: bool = False  # the long lockout, not a short backoff


def keys(username: str, address: str) -> tuple[str, str]:
    return f"account:{username.strip().casefold()[:80]}", f"address:{address[:100]}"


def _setting(name: str) -> int:
    return int(current_app.config.get(name, DEFAULTS[name]))


def _aware(moment: dt.datetime | None) -> dt.datetime | None:
    # SQLite hands timestamps back without a zone; they were written in UTC.
    return moment.replace(tzinfo=dt.UTC) if moment is not None and moment.tzinfo is None else moment


def _limits(key: str) -> tuple[int, int]:
    factor = _setting("LOGIN_ADDRESS_FACTOR") if key.startswith("address:") else 1
    return _setting("LOGIN_FREE_FAILURES") * factor, _setting("LOGIN_LOCKOUT_FAILURES") * factor


def check(*throttle_keys: str) -> Verdict:
    """Whether a login may be tried now for these keys (the longest wait wins)."""
    now = utcnow()
    worst = Verdict(False)
    for key in throttle_keys:
        row = db.session.get(LoginThrottle, key)
        if row is None:
            continue
        until = _aware(row.blocked_until)
        if until is not None and until > now:
            wait = math.ceil((until - now).total_seconds())
            if wait > worst.retry_after:
                worst = Verdict(True, wait, row.failures >= _limits(key)[1])
    return worst


def record_failure(username: str, address: str, *throttle_keys: str) -> None:
    """One more failure for each key; start a backoff or a lockout where it is due."""
    now = utcnow()
    window = dt.timedelta(seconds=_setting("LOGIN_WINDOW_SECONDS"))
    for key in throttle_keys:
        row = db.session.get(LoginThrottle, key)
        if row is None:
            try:  # another process may insert the same key at the same moment: then use theirs
                with db.session.begin_nested():
                    db.session.add(LoginThrottle(key=key, failures=0, last_failure=now))
            except IntegrityError:
                pass
        elif (_aware(row.last_failure) or now) < now - window:
            row.failures = 0
            db.session.flush()
        # One UPDATE adds the failure, so parallel attempts from several processes all count.
        db.session.execute(update(LoginThrottle).where(LoginThrottle.key == key)
                           .values(failures=LoginThrottle.failures + 1, last_failure=now))
        db.session.flush()
        row = db.session.get(LoginThrottle, key, populate_existing=True)
        assert row is not None
        free, lockout = _limits(key)
        if row.failures >= lockout:
            row.blocked_until = now + dt.timedelta(seconds=_setting("LOGIN_LOCKOUT_SECONDS"))
            if row.failures == lockout:
                db.session.commit()
                audit(username, "login-locked", key, f"{row.failures} failures; address {address}")
        elif row.failures >= free:
            row.blocked_until = now + dt.timedelta(seconds=2 ** (row.failures - free + 1))
    db.session.commit()


def clear(key: str) -> None:
    """A successful login clears its account's count (never the address's: one good account
    must not buy an address more guesses at others)."""
    row = db.session.get(LoginThrottle, key)
    if row is not None:
        db.session.delete(row)
        db.session.commit()


def say_wait(seconds: int) -> None:
    """This answer's Retry-After: the throttle's own wait (kept by ``keep_wait``)."""
    g.login_wait = seconds


def keep_wait(response: Response) -> Response:
    """Flask-Limiter puts its window's reset (up to a minute) into Retry-After of every login
    answer, the larger of the two; a throttled login states its real wait, so it says that."""
    wait = g.get("login_wait")
    if wait is not None:
        response.headers["Retry-After"] = str(wait)
    return response
