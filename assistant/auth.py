"""Optional sign-in for the web interface, with two roles.

Roles:
    staff    chat and feedback
    trainer  also the Dokument and Utvärdering tabs and the feedback export

Two ways to configure users (both may be used; HANDBOK_AUTH wins for a name in both):

1. A users file, ``HANDBOK_USERS=/path/users.txt``: one user per line,
   ``name:role:scrypt$N$r$p$salt$hash``; blank lines and ``#`` comments are
   ignored. Passwords are stored as salted scrypt hashes, never in plain text.
   Add or change a user (prompts for the password)::

       HANDBOK_USERS=/etc/handbok/users.txt python -m assistant.auth add anna --role trainer

2. For quick setups, ``HANDBOK_AUTH="anna:lösenord:trainer,bo:lösenord2:staff"``
   (``name:password[:role]``, comma-separated, role ``staff`` when left out).
   The passwords are in plain text in the environment: fine for a trial, use
   the users file for anything that lasts. These passwords cannot contain ":" or ",".

Without either, the interface only listens on 127.0.0.1 and everyone using it is
a trainer (the person running it on their own machine).
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import secrets
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Mapping

from ingest.errors import ConfigError

ROLES = ("staff", "trainer")
_NAME = re.compile(r"^[^\s:,]+$")
_SCRYPT = {"n": 2 ** 14, "r": 8, "p": 1}


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    """A salted scrypt hash as one string: ``scrypt$N$r$p$salt$hash`` (base64)."""
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, dklen=32, **_SCRYPT)
    b64 = lambda b: base64.b64encode(b).decode("ascii")  # noqa: E731
    return f"scrypt${_SCRYPT['n']}${_SCRYPT['r']}${_SCRYPT['p']}${b64(salt)}${b64(digest)}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        got = hashlib.scrypt(password.encode("utf-8"), salt=base64.b64decode(salt),
                             n=int(n), r=int(r), p=int(p), dklen=len(expected))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, expected)


@dataclass
class User:
    name: str
    role: str
    password_hash: str = ""  # from the users file
    plain_password: str | None = None  # from HANDBOK_AUTH

    def check(self, password: str) -> bool:
        if self.plain_password is not None:
            return hmac.compare_digest(self.plain_password.encode("utf-8"), password.encode("utf-8"))
        return verify_password(password, self.password_hash)


def _check_user(name: str, role: str, where: str) -> None:
    if not _NAME.match(name):
        raise ConfigError(f"{where}: user name {name!r} must be non-empty without spaces, ':' or ','")
    if role not in ROLES:
        raise ConfigError(f"{where}: role {role!r} of user {name!r} is unknown: use one of {', '.join(ROLES)}")


def read_users_file(path: Path) -> dict[str, User]:
    """Parse a users file (``name:role:hash`` lines)."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"HANDBOK_USERS={path} does not exist: create it with "
                          f"`HANDBOK_USERS={path} python -m assistant.auth add NAME --role trainer`")
    users: dict[str, User] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split(":")
        if len(parts) != 3 or not parts[2].startswith("scrypt$"):
            raise ConfigError(f"{path}, line {number}: expected name:role:scrypt$..., "
                              "write users with `python -m assistant.auth add NAME`")
        name, role, password_hash = parts
        _check_user(name, role, f"{path}, line {number}")
        users[name] = User(name, role, password_hash=password_hash)
    return users


def parse_auth_env(value: str) -> dict[str, User]:
    """Parse ``HANDBOK_AUTH="name:password[:role],..."``."""
    users: dict[str, User] = {}
    for entry in filter(None, (e.strip() for e in value.split(","))):
        parts = entry.split(":")
        if len(parts) not in (2, 3):
            raise ConfigError("HANDBOK_AUTH entries are name:password[:role], separated by commas, "
                              "e.g. HANDBOK_AUTH=anna:hemligt:trainer (passwords without ':' or ',')")
        name, password = parts[0], parts[1]
        role = parts[2] if len(parts) == 3 else "staff"
        if not password:
            raise ConfigError(f"HANDBOK_AUTH: user {name!r} has an empty password")
        _check_user(name, role, "HANDBOK_AUTH")
        users[name] = User(name, role, plain_password=password)
    return users


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return hash_password("no such user")


class Users:
    """Who may sign in, and with which role. Falsy when sign-in is not configured."""

    def __init__(self, users: dict[str, User] | None = None):
        self.users = dict(users or {})

    @classmethod
    def from_settings(cls, settings, environ: Mapping[str, str] | None = None) -> "Users":
        """The users file (``settings.auth_file``) plus ``HANDBOK_AUTH`` from ``environ``."""
        environ = os.environ if environ is None else environ
        users: dict[str, User] = {}
        if settings.auth_file:
            users.update(read_users_file(settings.auth_file))
        users.update(parse_auth_env(environ.get("HANDBOK_AUTH", "")))
        return cls(users)

    def __bool__(self) -> bool:
        return bool(self.users)

    def check(self, username: str, password: str) -> bool:
        """Gradio's ``auth=`` callable."""
        user = self.users.get(username or "")
        if user is None:
            verify_password(password or "", _dummy_hash())  # same cost for unknown names
            return False
        return user.check(password or "")

    def role(self, username: str | None) -> str | None:
        """The user's role; "trainer" when sign-in is off (a local, single-user setup)."""
        if not self.users:
            return "trainer"
        user = self.users.get(username or "")
        return user.role if user else None


def add_user(path: Path, name: str, role: str, password: str) -> None:
    """Add or replace ``name`` in the users file (created if missing)."""
    _check_user(name, role, str(path))
    if not password:
        raise ConfigError("the password must not be empty")
    path = Path(path)
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else [
        "# Handbok users: name:role:scrypt-hash. Add with `python -m assistant.auth add NAME`."]
    lines = [line for line in lines if line.split(":", 1)[0].strip() != name]
    lines.append(f"{name}:{role}:{hash_password(password)}")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    try:
        path.chmod(0o600)
    except OSError:
        pass


def _cli():
    import click

    @click.group()
    def cli():
        """Manage Handbok's sign-in users (the HANDBOK_USERS file)."""

    def users_file(file):
        file = file or os.environ.get("HANDBOK_USERS")
        if not file:
            raise click.UsageError("give --file PATH or set HANDBOK_USERS=PATH")
        return Path(file)

    @cli.command()
    @click.argument("name")
    @click.option("--role", type=click.Choice(ROLES), default="staff", show_default=True)
    @click.option("--file", "file", type=click.Path(dir_okay=False),
                  help="The users file (default: $HANDBOK_USERS).")
    @click.password_option("--password", prompt="Lösenord", confirmation_prompt="Upprepa lösenordet",
                           help="Prompted for when left out.")
    def add(name, role, file, password):
        """Add NAME (or change their role and password)."""
        path = users_file(file)
        try:
            add_user(path, name, role, password)
        except ConfigError as exc:
            raise click.ClickException(str(exc)) from exc
        click.echo(f"{name} ({role}) saved in {path}")

    @cli.command(name="list")
    @click.option("--file", "file", type=click.Path(dir_okay=False))
    def list_(file):
        """List users and roles."""
        try:
            users = read_users_file(users_file(file))
        except ConfigError as exc:
            raise click.ClickException(str(exc)) from exc
        for user in users.values():
            click.echo(f"{user.name}\t{user.role}")

    return cli


def main(argv=None):
    _cli()(args=argv, prog_name="python -m assistant.auth")


if __name__ == "__main__":
    main()
