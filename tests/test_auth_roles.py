"""Roles: the order, where a role comes from, the roles file, the server-side check."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from corridor_map.core.roles import (
    PermissionRefusedError,
    Role,
    RoleError,
    RolePolicy,
    can,
    load_roles_file,
    require,
    role_policy,
    roles_in_claims,
    user_from_claims,
)
from corridor_map.core.settings import load_settings


def test_roles_are_ordered_lowest_first() -> None:
    assert [r.label for r in sorted(Role)] == [
        "reader",
        "commenter",
        "contributor",
        "curator",
        "administrator",
    ]


def test_roles_file_toml_and_json(tmp_path: Path) -> None:
    toml = tmp_path / "roles.toml"
    toml.write_text(
        '[roles]\n"Planner@Bureau.example" = "curator"\n"sub-7" = "Contributor"\n',
        encoding="utf-8",
    )
    assert load_roles_file(toml) == {
        "planner@bureau.example": Role.CURATOR,
        "sub-7": Role.CONTRIBUTOR,
    }
    js = tmp_path / "roles.json"
    js.write_text(json.dumps({"a@b.example": "administrator"}), encoding="utf-8")
    assert load_roles_file(js) == {"a@b.example": Role.ADMINISTRATOR}


def test_roles_file_with_unknown_role_names_file_and_key(tmp_path: Path) -> None:
    bad = tmp_path / "roles.toml"
    bad.write_text('[roles]\n"x@y.example" = "superuser"\n', encoding="utf-8")
    with pytest.raises(RoleError) as caught:
        load_roles_file(bad)
    message = str(caught.value)
    assert str(bad) in message and "x@y.example" in message and "superuser" in message
    assert "\n" not in message


def test_unreadable_roles_file_is_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "roles.toml"
    bad.write_text("[roles\n", encoding="utf-8")
    with pytest.raises(RoleError, match=r"roles\.toml"):
        load_roles_file(bad)
    with pytest.raises(RoleError, match=r"missing\.toml"):
        load_roles_file(tmp_path / "missing.toml")


def test_claims_string_list_and_nested() -> None:
    assert roles_in_claims({"roles": ["staff", "curator"]}, "roles") == [Role.CURATOR]
    assert roles_in_claims({"roles": "commenter, contributor"}, "roles") == [
        Role.COMMENTER,
        Role.CONTRIBUTOR,
    ]
    nested = {"realm_access": {"roles": ["offline_access", "administrator"]}}
    assert roles_in_claims(nested, "realm_access.roles") == [Role.ADMINISTRATOR]
    assert roles_in_claims({"roles": 5}, "roles") == []
    assert roles_in_claims({}, "roles") == []


def test_file_wins_over_claims_then_claims_then_default() -> None:
    policy = RolePolicy(
        claim="groups",
        table={"demoted@bureau.example": Role.READER, "sub-9": Role.CURATOR},
        default=Role.COMMENTER,
    )
    demoted = user_from_claims(
        {"sub": "s1", "email": "Demoted@Bureau.example", "groups": ["administrator"]},
        via="oidc",
        policy=policy,
    )
    assert demoted.role is Role.READER and demoted.email == "demoted@bureau.example"
    by_subject = user_from_claims({"sub": "SUB-9"}, via="proxy", policy=policy)
    assert by_subject.role is Role.CURATOR
    by_claim = user_from_claims(
        {"sub": "s2", "groups": ["contributor", "curator"]}, via="oidc", policy=policy
    )
    assert by_claim.role is Role.CURATOR
    nobody_said = user_from_claims({"sub": "s3", "name": "张三"}, via="oidc", policy=policy)
    assert nobody_said.role is Role.COMMENTER and nobody_said.label == "张三"


def test_claims_without_subject_are_refused() -> None:
    with pytest.raises(RoleError, match="sub"):
        user_from_claims({"email": "a@b.example"}, via="oidc", policy=RolePolicy())


def test_require_refuses_lower_roles_and_nobody() -> None:
    policy = RolePolicy()
    reader = user_from_claims({"sub": "r"}, via="oidc", policy=policy)
    curator = user_from_claims({"sub": "c", "roles": ["curator"]}, via="oidc", policy=policy)
    assert require(Role.CONTRIBUTOR, curator) is curator
    assert can(Role.CURATOR, curator) and not can(Role.ADMINISTRATOR, curator)
    with pytest.raises(PermissionRefusedError) as caught:
        require(Role.COMMENTER, reader)
    assert caught.value.needed is Role.COMMENTER and "reader" in str(caught.value)
    with pytest.raises(PermissionRefusedError, match="sign in"):
        require(Role.READER, None)
    assert not can(Role.READER, None)


def test_settings_and_policy(tmp_path: Path) -> None:
    roles = tmp_path / "roles.toml"
    roles.write_text('[roles]\n"a@b.example" = "curator"\n', encoding="utf-8")
    settings = load_settings(
        {
            "CORRIDOR_MAP_ROLES_FILE": str(roles),
            "CORRIDOR_MAP_ROLES_CLAIM": "realm_access.roles",
            "CORRIDOR_MAP_DEFAULT_ROLE": "Commenter",
            "CORRIDOR_MAP_TRUSTED_PROXY": "10.0.0.5, 127.0.0.1",
            "CORRIDOR_MAP_SIGN_IN_TO_READ": "on",
            "CORRIDOR_MAP_DB": "postgresql://localhost/corridor",
        }
    )
    assert settings.trusted_proxies == ("10.0.0.5", "127.0.0.1")
    assert settings.sign_in_to_read and settings.db_url == "postgresql://localhost/corridor"
    policy = role_policy(
        roles_file=settings.roles_file,
        roles_claim=settings.roles_claim,
        default_role=settings.default_role,
    )
    assert policy.table == {"a@b.example": Role.CURATOR}
    assert policy.default is Role.COMMENTER and policy.claim == "realm_access.roles"
    defaults = load_settings({})
    assert not defaults.sign_in_to_read and defaults.trusted_proxies == ()
    assert defaults.db_url == "" and defaults.default_role == "reader"
    with pytest.raises(RoleError, match="CORRIDOR_MAP_DEFAULT_ROLE"):
        role_policy(roles_file=None, roles_claim="roles", default_role="boss")


def test_proxy_headers_believed_only_from_the_trusted_peer() -> None:
    from corridor_map.ui.auth import proxy_claims

    headers = {"X-Remote-User": "li.si", "X-Remote-Email": "li.si@bureau.example"}
    remote = load_settings({"CORRIDOR_MAP_TRUSTED_PROXY": "10.0.0.5"})
    assert proxy_claims(headers, "10.0.0.5", remote) == {
        "sub": "li.si",
        "email": "li.si@bureau.example",
    }
    # Anybody else can send the same headers; a loopback peer is not that proxy either.
    assert proxy_claims(headers, "10.0.0.9", remote) is None
    assert proxy_claims(headers, None, remote) is None
    local = load_settings({"CORRIDOR_MAP_TRUSTED_PROXY": "127.0.0.1"})
    assert proxy_claims(headers, None, local) is not None
    assert proxy_claims(headers, "10.0.0.5", local) is None
    off = load_settings({})
    assert proxy_claims(headers, None, off) is None
    assert proxy_claims({}, "10.0.0.5", remote) is None
    with_roles = load_settings(
        {"CORRIDOR_MAP_TRUSTED_PROXY": "10.0.0.5", "CORRIDOR_MAP_PROXY_ROLES_HEADER": "X-Roles"}
    )
    claims = proxy_claims({**headers, "X-Roles": "curator"}, "10.0.0.5", with_roles)
    assert claims is not None and claims["roles"] == "curator"


def test_proxy_address_spellings() -> None:
    from corridor_map.ui.auth import proxy_claims

    headers = {"X-Remote-User": "li.si"}
    remote = load_settings({"CORRIDOR_MAP_TRUSTED_PROXY": "10.0.0.5"})
    # A server bound to "::" sees IPv4 peers as IPv4-mapped IPv6 addresses.
    assert proxy_claims(headers, "::ffff:10.0.0.5", remote) is not None
    assert proxy_claims(headers, "::ffff:10.0.0.6", remote) is None
    assert proxy_claims(headers, "::ffff:127.0.0.1", remote) is None
    local = load_settings({"CORRIDOR_MAP_TRUSTED_PROXY": "localhost"})
    for peer in (None, "127.0.0.1", "::1", "::ffff:127.0.0.1"):
        assert proxy_claims(headers, peer, local) is not None, peer
