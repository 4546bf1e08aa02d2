"""Who may do what: dashboard users, their roles, and password checks.

Roles are ordered: `viewer` (analytics) < `agent` (inbox: reply, note, tag, claim) < `admin`
(sources, responders, users, erasure). Every action in `monitor.inbox.actions` and
`monitor.inbox.outbox` calls `require(engine, actor, role)` itself, so a viewer is refused whether the
request comes from the dashboard, the CLI or a script: hiding a button is not the check.

An installation with no users at all is single-user (a laptop, the demo): nothing is refused
below the UI, and the dashboard still asks for sign-in unless `auth.required` is false. Once
one user exists, an actor who is not a user (or is disabled) is refused.

Passwords are stored only as argon2id hashes (argon2-cffi's defaults follow RFC 9106).
"""
from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import Engine

from monitor.mention import now_utc
from monitor.store import schema

ROLES = ("viewer", "agent", "admin")
USERS = schema.AppUserRow.__table__
_hasher = PasswordHasher()
MIN_PASSWORD = 10
FAILURES_BEFORE_PAUSE = 5
PAUSE_SECONDS = 60.0


class Forbidden(PermissionError):
    """The acting user's role does not allow this action; the message says which role would."""


@dataclass(frozen=True, slots=True)
class User:
    name: str
    role: str

    def can(self, role: str) -> bool:
        return rank(self.role) >= rank(role)


LOCAL_ADMIN = User("local", "admin")  # `auth.required: false`: one person, every page


@cache
def _dummy_hash() -> str:
    """Checked for unknown names, so a wrong name takes as long as a wrong password. Made on first
    use: hashing costs about a third of a second, which every CLI command paid at import."""
    return _hasher.hash("a password nobody has")


def rank(role: str) -> int:
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    return ROLES.index(role)


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"a password needs at least {MIN_PASSWORD} characters")
    return _hasher.hash(password)


def _verify(stored: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored or _dummy_hash(), password) and stored is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def add_user(engine: Engine, name: str, role: str, password: str | None = None, *, email: str | None = None,
             managed_by: str = "database") -> None:
    """Create a user; a user without a password signs in only through the identity provider."""
    rank(role)
    values = {"name": name.strip(), "role": role, "email": email or None, "managed_by": managed_by,
              "password_hash": hash_password(password) if password else None, "created_at": now_utc()}
    if not values["name"]:
        raise ValueError("a user needs a name")
    with engine.begin() as connection:
        if connection.execute(sa.select(USERS.c.id).where(USERS.c.name == values["name"])).first():
            raise ValueError(f"a user named {values['name']!r} exists already")
        connection.execute(USERS.insert().values(**values))


def update_user(engine: Engine, name: str, *, role: str | None = None, password: str | None = None,
                disabled: bool | None = None) -> None:
    values: dict[str, Any] = {}
    if role is not None:
        rank(role)
        values["role"] = role
    if password is not None:
        values["password_hash"] = hash_password(password)
    if disabled is not None:
        values["disabled"] = disabled
    with engine.begin() as connection:
        if not connection.execute(USERS.update().where(USERS.c.name == name).values(**values)).rowcount:
            raise LookupError(f"no user named {name!r}")


def remove_user(engine: Engine, name: str) -> None:
    with engine.begin() as connection:
        if not connection.execute(USERS.delete().where(USERS.c.name == name)).rowcount:
            raise LookupError(f"no user named {name!r}")


def list_users(engine: Engine) -> list[dict[str, Any]]:
    """Every user without the hash: what the Users page and `nasluch user list` show."""
    columns = (USERS.c.name, USERS.c.role, USERS.c.email, USERS.c.managed_by, USERS.c.disabled,
               USERS.c.password_hash.is_not(None).label("has_password"), USERS.c.created_at)
    with engine.connect() as connection:
        return [dict(row._mapping) for row in connection.execute(sa.select(*columns).order_by(USERS.c.name))]


def sync_config_users(engine: Engine, agents: Sequence[Any]) -> None:
    """Copy `agents:` from the config into the users table. The config wins for its own users
    (role, e-mail, and the hash when it gives one); users made in the dashboard are left alone."""
    with engine.begin() as connection:
        for agent in agents:
            values = {"role": agent.role, "email": agent.email, "managed_by": "config"}
            if agent.password_hash:
                values["password_hash"] = agent.password_hash
            updated = connection.execute(USERS.update().where(USERS.c.name == agent.name).values(**values))
            if not updated.rowcount:
                connection.execute(USERS.insert().values(name=agent.name, created_at=now_utc(), **values))


def any_users(engine: Engine) -> bool:
    with engine.connect() as connection:
        return connection.execute(sa.select(USERS.c.id).limit(1)).first() is not None


def find_user(engine: Engine, name: str | None = None, *, email: str | None = None) -> User | None:
    """The enabled user with this name (or identity-provider e-mail), as stored now."""
    where = USERS.c.name == name if email is None else sa.func.lower(USERS.c.email) == email.lower()
    with engine.connect() as connection:
        row = connection.execute(sa.select(USERS.c.name, USERS.c.role).where(where, USERS.c.disabled.is_(False))).first()
    return User(row.name, row.role) if row else None


class Throttle:
    """Slows guessing: after a few wrong passwords for a name, that name waits a minute."""

    def __init__(self) -> None:
        self.failures: dict[str, tuple[int, float]] = {}

    def paused(self, name: str) -> float:
        count, last = self.failures.get(name.lower(), (0, 0.0))
        left = last + PAUSE_SECONDS - time.monotonic()
        return left if count >= FAILURES_BEFORE_PAUSE and left > 0 else 0.0

    def record(self, name: str, ok: bool) -> None:
        key = name.lower()
        if ok:
            self.failures.pop(key, None)
        else:
            count, _ = self.failures.get(key, (0, 0.0))
            self.failures[key] = (count + 1, time.monotonic())


THROTTLE = Throttle()


def authenticate(engine: Engine, name: str, password: str, throttle: Throttle = THROTTLE) -> User | None:
    """The user, if the password is theirs. Unknown names cost the same hash check as known ones,
    so timing does not tell which names exist; repeated failures pause the name."""
    if throttle.paused(name):
        return None
    with engine.connect() as connection:
        row = connection.execute(sa.select(USERS.c.name, USERS.c.role, USERS.c.password_hash)
                                 .where(USERS.c.name == name, USERS.c.disabled.is_(False))).first()
    ok = _verify(row.password_hash if row else None, password)
    throttle.record(name, ok)
    return User(row.name, row.role) if ok and row else None


def require(engine: Engine, actor: str | User, role: str) -> None:
    """Raise `Forbidden` unless `actor` (a name, or a signed-in `User`) holds `role` or above.

    The role is read from the database every time, so a demotion takes effect at once. With no
    users at all the installation is single-user and nothing is refused."""
    name = actor.name if isinstance(actor, User) else actor
    if actor is LOCAL_ADMIN or not any_users(engine):
        return
    user = find_user(engine, name)
    if user is None:
        raise Forbidden(f"{name!r} is not a user here (or is disabled): ask an admin for an account")
    if not user.can(role):
        raise Forbidden(f"{name} is a {user.role}; this needs the {role} role or above")
