"""Who may do what: the five roles, the signed-in user, and the one server-side check.

Roles are ordered, each allowing what the ones below it allow::

    reader < commenter < contributor < curator < administrator

A signed-in user's role comes from, in this order: the roles file (an administrator's
explicit word, so it may also lower a role the provider grants), the identity provider's
roles claim (or the trusted proxy's roles header), then the default role of the settings.
Anybody not signed in has no role at all: reading is allowed unless the settings ask for
sign-in, and every action needs a :class:`User`.

Every action that changes something calls :func:`require` itself, on the server, with the
user the server resolved; hiding a button is a courtesy, not the check. This module has
no Streamlit in it (:mod:`corridor_map.ui.auth` resolves the user of a browser session).
"""

from __future__ import annotations

import enum
import json
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from corridor_map.core.errors import CorridorMapError

__all__ = [
    "ROLE_NAMES",
    "PermissionRefusedError",
    "Role",
    "RoleError",
    "RolePolicy",
    "User",
    "can",
    "load_roles_file",
    "parse_role",
    "require",
    "role_policy",
    "roles_in_claims",
    "user_from_claims",
]


class Role(enum.IntEnum):
    """A role; a larger value allows everything a smaller one does."""

    READER = 1
    COMMENTER = 2
    CONTRIBUTOR = 3
    CURATOR = 4
    ADMINISTRATOR = 5

    @property
    def label(self) -> str:
        """The role's name as written in files and claims (``curator``)."""
        return self.name.lower()


#: role names, lowest first.
ROLE_NAMES = tuple(role.label for role in Role)


class RoleError(CorridorMapError):
    """A roles file or a role setting that cannot be read; the message names it."""


class PermissionRefusedError(CorridorMapError, PermissionError):
    """An action refused to a user (or to nobody signed in) on the server.

    Attributes
    ----------
    needed : Role
        The role the action needs.
    user : User or None
        Who asked; None when nobody is signed in.
    """

    def __init__(self, needed: Role, user: User | None) -> None:
        self.needed = needed
        self.user = user
        if user is None:
            message = (
                f"请先登录（需要 {needed.label} 角色）/ sign in first: this needs the role "
                f"{needed.label}"
            )
        else:
            message = (
                f"无权操作：需要 {needed.label} 角色，{user.label} 是 {user.role.label} / "
                f"refused: this needs the role {needed.label}; {user.label} is "
                f"{user.role.label}"
            )
        super().__init__(message)


@dataclass(frozen=True)
class User:
    """A signed-in user as the server resolved it.

    Attributes
    ----------
    subject : str
        The stable id: the provider's ``sub`` or the proxy's user header.
    email : str
        Lower-cased; empty when unknown.
    name : str
        Display name; empty when unknown.
    role : Role
    via : str
        ``oidc`` or ``proxy``: how the user signed in.
    """

    subject: str
    email: str
    name: str
    role: Role
    via: str

    @property
    def label(self) -> str:
        """Who this is, for the trail and the screen: name, else e-mail, else subject."""
        return self.name or self.email or self.subject

    @property
    def author(self) -> str:
        """The author written into the trail: the e-mail (else the subject) and the way in."""
        return f"{self.email or self.subject} ({self.via})"


@dataclass(frozen=True)
class RolePolicy:
    """How a signed-in user's role is found (see the module docstring).

    Attributes
    ----------
    claim : str
        Dotted path of the roles claim (``roles``, ``realm_access.roles``).
    table : Mapping
        The roles file: lower-cased e-mail or subject → role.
    default : Role
        The role of a user neither names.
    """

    claim: str = "roles"
    table: Mapping[str, Role] = field(default_factory=dict)
    default: Role = Role.READER


def parse_role(text: object, *, where: str) -> Role:
    """The role named by ``text`` (case-insensitive).

    Parameters
    ----------
    text
        A role name.
    where
        Names the file, key or setting in the error message.

    Raises
    ------
    RoleError
        ``text`` names no role.
    """
    name = str(text).strip().lower()
    for role in Role:
        if role.label == name:
            return role
    raise RoleError(f"{where}: 未知角色 / unknown role {text!r} (one of {', '.join(ROLE_NAMES)})")


def load_roles_file(path: Path) -> dict[str, Role]:
    """Read a roles file: e-mail or subject → role.

    TOML (``[roles]`` table) or JSON (an object, or one with a ``roles`` object), by the
    file's suffix. Keys are compared lower-cased.

    Raises
    ------
    RoleError
        The file cannot be read or parsed, or names an unknown role (the message names
        the file and the key).
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
        data: Any = json.loads(text) if path.suffix.lower() == ".json" else tomllib.loads(text)
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise RoleError(f"{path}: 无法读取角色文件 / cannot read the roles file: {exc}") from None
    table = data.get("roles", data) if isinstance(data, dict) else None
    if not isinstance(table, dict):
        raise RoleError(f"{path}: 角色文件须为映射 / the roles file must map users to roles")
    return {
        str(key).strip().lower(): parse_role(value, where=f"{path}: {key}")
        for key, value in table.items()
    }


def role_policy(*, roles_file: Path | None, roles_claim: str, default_role: str) -> RolePolicy:
    """The policy of the settings (``CORRIDOR_MAP_ROLES_*``, ``CORRIDOR_MAP_DEFAULT_ROLE``).

    Raises
    ------
    RoleError
        The roles file or the default role is wrong.
    """
    table = load_roles_file(roles_file) if roles_file is not None else {}
    default = parse_role(default_role, where="CORRIDOR_MAP_DEFAULT_ROLE")
    return RolePolicy(claim=roles_claim, table=table, default=default)


def _claim(claims: Mapping[str, Any], path: str) -> Any:
    value: Any = claims
    for part in path.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def roles_in_claims(claims: Mapping[str, Any], claim: str) -> list[Role]:
    """The known roles a claim names (a string, comma/space separated, or a list).

    Names that are no role (a provider's other groups) are ignored, not errors.
    """
    value = _claim(claims, claim)
    if value is None:
        return []
    names: Iterable[Any]
    if isinstance(value, str):
        names = value.replace(",", " ").split()
    elif isinstance(value, list | tuple):
        names = value
    else:
        return []
    return [Role[str(n).strip().upper()] for n in names if str(n).strip().lower() in ROLE_NAMES]


def user_from_claims(claims: Mapping[str, Any], *, via: str, policy: RolePolicy) -> User:
    """The user the claims describe, with the role the policy gives.

    Parameters
    ----------
    claims
        The ID token's claims (``sub``, ``email``, ``name``, the roles claim), or the same
        keys from the trusted proxy's headers.
    via
        ``oidc`` or ``proxy``.
    policy
        Where roles come from.

    Raises
    ------
    RoleError
        The claims carry no subject.
    """
    subject = str(claims.get("sub") or "").strip()
    if not subject:
        raise RoleError("身份声明缺少 sub / the identity claims carry no subject (sub)")
    email = str(claims.get("email") or "").strip().lower()
    name = str(claims.get("name") or claims.get("preferred_username") or "").strip()
    role = policy.table.get(email) if email else None
    if role is None:
        role = policy.table.get(subject.lower())
    if role is None:
        granted = roles_in_claims(claims, policy.claim)
        role = max(granted) if granted else policy.default
    return User(subject=subject, email=email, name=name, role=role, via=via)


def can(role: Role, user: User | None) -> bool:
    """Whether ``user`` holds ``role`` (or a higher one); nobody signed in holds none."""
    return user is not None and user.role >= role


def require(role: Role, user: User | None) -> User:
    """Refuse unless ``user`` holds ``role``: the check every action makes itself.

    Returns
    -------
    User
        ``user``, now known to be signed in and allowed.

    Raises
    ------
    PermissionRefusedError
        Nobody is signed in, or the user's role is lower.
    """
    if user is None or user.role < role:
        raise PermissionRefusedError(role, user)
    return user
