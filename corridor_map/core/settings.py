"""The one reader of the environment: every setting of the app and the CLI.

Each ``CORRIDOR_MAP_*`` variable (and ``TIANDITU_KEY``) is read here and nowhere else; the
README lists them. Callers at the edge (the app's frame, the CLI's ``main``) call
:func:`load_settings` and pass what they need down.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

__all__ = ["ENVIRONMENT", "Settings", "load_settings"]

#: variable → what it sets (the README's table is written from this).
ENVIRONMENT: dict[str, str] = {
    "CORRIDOR_MAP_DATA": "data folder holding seeds/ and layers/ (default: the checkout or "
    "the wheel's copy)",
    "CORRIDOR_MAP_CACHE": "cache folder (validation reports, map bundles, vendored scripts); "
    "'off' turns the report store off (default: $XDG_CACHE_HOME/corridor-map)",
    "CORRIDOR_MAP_STATIC": "folder the app's generated static files go to (default: "
    "static/ under the cache folder)",
    "TIANDITU_KEY": "Tianditu (天地图) token; without it the Tianditu basemap says what is missing",
    "CORRIDOR_MAP_TIANDITU_URL": "Tianditu tile template for an intranet node, with {x} {y} "
    "{z} and {key} (a template without {key} needs no token) (default: the public t0-t7 WMTS "
    "nodes)",
    "CORRIDOR_MAP_APPROVAL_NUMBER": "审图号 printed on maps (default: none)",
    "CORRIDOR_MAP_SCHEMATIC_MARK": "'on' prints the 示意图 mark on maps (default: on)",
    "CORRIDOR_MAP_DB": "the curation store's database: a postgresql://… URL for a shared "
    "deployment (PostgreSQL + PostGIS), the same for the CLI and the app (default: SQLite "
    "in the data folder)",
    "CORRIDOR_MAP_SIGN_IN_TO_READ": "'on': reading the map needs sign-in too (default: off; "
    "editing always needs it)",
    "CORRIDOR_MAP_ROLES_FILE": "TOML or JSON file mapping e-mail or subject to a role "
    "(reader, commenter, contributor, curator, administrator); it wins over the claims",
    "CORRIDOR_MAP_ROLES_CLAIM": "the identity provider's claim holding roles, dotted for "
    "nested claims, e.g. realm_access.roles (default: roles)",
    "CORRIDOR_MAP_DEFAULT_ROLE": "role of a signed-in user that neither the roles file nor "
    "the claims name (default: reader)",
    "CORRIDOR_MAP_TRUSTED_PROXY": "comma-separated addresses of the intranet reverse proxy "
    "whose user headers are trusted (default: none, header sign-in off)",
    "CORRIDOR_MAP_PROXY_USER_HEADER": "header the trusted proxy puts the user's id in "
    "(default: X-Remote-User)",
    "CORRIDOR_MAP_PROXY_EMAIL_HEADER": "header the trusted proxy puts the user's e-mail in "
    "(default: X-Remote-Email)",
    "CORRIDOR_MAP_PROXY_ROLES_HEADER": "header the trusted proxy puts the user's roles in, "
    "comma-separated (default: none)",
    "CORRIDOR_MAP_CURATION": "'on' lets the app's curation page change the data (default: "
    "off, read-only)",
    "CORRIDOR_MAP_JOB_TIME_LIMIT": "seconds one long job of a request may take in the app "
    "(printing a map, a brief or a site report, routing the travel targets); past it the "
    "job stops with one line and writes nothing (default: 120)",
}

#: Default of ``CORRIDOR_MAP_JOB_TIME_LIMIT`` (a print takes about 1 s, a brief 2-5 s idle;
#: 47 and 100 s were seen on a loaded machine).
DEFAULT_JOB_TIME_LIMIT_S = 120.0


@dataclass(frozen=True)
class Settings:
    """Every setting, read once from the environment.

    Attributes
    ----------
    data_dir : Path or None
        ``CORRIDOR_MAP_DATA``; None means the shipped data.
    cache_dir : Path or None
        Where caches live; None when ``CORRIDOR_MAP_CACHE`` is ``off`` or empty.
    static_dir : Path or None
        ``CORRIDOR_MAP_STATIC``; None means ``static`` under the cache folder.
    tianditu_key : str
        Empty when unset.
    tianditu_url : str
        Empty for the public nodes.
    approval_number : str
        The 审图号, empty when unset.
    schematic_mark : bool
        Whether printed maps carry the 示意图 mark.
    db_url : str
        ``CORRIDOR_MAP_DB``; empty means the embedded SQLite store.
    sign_in_to_read : bool
        Whether reading needs sign-in.
    roles_file : Path or None
        ``CORRIDOR_MAP_ROLES_FILE``.
    roles_claim : str
        The claim (dotted path) holding a signed-in user's roles.
    default_role : str
        Role name of a signed-in user nobody gave a role (checked by
        :func:`corridor_map.core.roles.role_policy`).
    trusted_proxies : tuple of str
        Addresses whose user headers are believed; empty turns header sign-in off.
    proxy_user_header, proxy_email_header, proxy_roles_header : str
        Header names the trusted proxy writes (the roles header may be empty: unused).
    curation : bool
        Whether the app's curation page may change the data (``CORRIDOR_MAP_CURATION``).
    job_time_limit_s : float
        Seconds one long job of a request may take (``CORRIDOR_MAP_JOB_TIME_LIMIT``; a
        value that is not a positive number gives the default).
    """

    data_dir: Path | None
    cache_dir: Path | None
    static_dir: Path | None
    tianditu_key: str
    tianditu_url: str
    approval_number: str
    schematic_mark: bool
    # Defaults so that code building Settings by hand keeps working.
    db_url: str = ""
    sign_in_to_read: bool = False
    roles_file: Path | None = None
    roles_claim: str = "roles"
    default_role: str = "reader"
    trusted_proxies: tuple[str, ...] = ()
    proxy_user_header: str = "X-Remote-User"
    proxy_email_header: str = "X-Remote-Email"
    proxy_roles_header: str = ""
    curation: bool = False
    job_time_limit_s: float = DEFAULT_JOB_TIME_LIMIT_S


def _seconds(text: str, default: float) -> float:
    try:
        value = float(text)
    except ValueError:
        return default
    return value if 0 < value < float("inf") else default


def _on(value: str) -> bool:
    return value.strip().lower() in {"on", "1", "yes", "true"}


def _cache_dir(env: Mapping[str, str]) -> Path | None:
    override = env.get("CORRIDOR_MAP_CACHE")
    if override is not None:
        return None if override.strip() in {"", "off"} else Path(override)
    base = env.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "corridor-map"


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Return the settings of ``env`` (default: this process's environment).

    Parameters
    ----------
    env : Mapping, optional
        The variables to read; ``os.environ`` when omitted.
    """
    env = os.environ if env is None else env
    data = env.get("CORRIDOR_MAP_DATA", "").strip()
    static = env.get("CORRIDOR_MAP_STATIC", "").strip()
    mark = env.get("CORRIDOR_MAP_SCHEMATIC_MARK", "on").strip().lower()
    return Settings(
        data_dir=Path(data) if data else None,
        cache_dir=_cache_dir(env),
        static_dir=Path(static) if static else None,
        tianditu_key=env.get("TIANDITU_KEY", "").strip(),
        tianditu_url=env.get("CORRIDOR_MAP_TIANDITU_URL", "").strip(),
        approval_number=env.get("CORRIDOR_MAP_APPROVAL_NUMBER", "").strip(),
        schematic_mark=mark not in {"off", "0", "no", "false"},
        db_url=env.get("CORRIDOR_MAP_DB", "").strip(),
        sign_in_to_read=_on(env.get("CORRIDOR_MAP_SIGN_IN_TO_READ", "")),
        roles_file=Path(roles)
        if (roles := env.get("CORRIDOR_MAP_ROLES_FILE", "").strip())
        else None,
        roles_claim=env.get("CORRIDOR_MAP_ROLES_CLAIM", "").strip() or "roles",
        default_role=env.get("CORRIDOR_MAP_DEFAULT_ROLE", "").strip().lower() or "reader",
        trusted_proxies=tuple(
            a.strip() for a in env.get("CORRIDOR_MAP_TRUSTED_PROXY", "").split(",") if a.strip()
        ),
        proxy_user_header=env.get("CORRIDOR_MAP_PROXY_USER_HEADER", "").strip() or "X-Remote-User",
        proxy_email_header=env.get("CORRIDOR_MAP_PROXY_EMAIL_HEADER", "").strip()
        or "X-Remote-Email",
        proxy_roles_header=env.get("CORRIDOR_MAP_PROXY_ROLES_HEADER", "").strip(),
        curation=env.get("CORRIDOR_MAP_CURATION", "").strip().lower() in {"on", "1", "yes", "true"},
        job_time_limit_s=_seconds(
            env.get("CORRIDOR_MAP_JOB_TIME_LIMIT", "").strip(), DEFAULT_JOB_TIME_LIMIT_S
        ),
    )
