"""Sign-in for a browser session: Streamlit's OpenID Connect, or a trusted intranet proxy.

Two ways in, both resolved on the server for every run of the script:

- **OpenID Connect** (``st.login`` / ``st.user`` / ``st.logout``), configured in
  ``.streamlit/secrets.toml``::

      [auth]
      redirect_uri = "https://map.example.gov.cn/oauth2callback"
      cookie_secret = "a long random string"
      client_id = "corridor-map"
      client_secret = "…"
      server_metadata_url = "https://idp.example.gov.cn/.well-known/openid-configuration"

  Streamlit verifies the provider's ID token and keeps its claims in a signed cookie; the
  role comes from :func:`corridor_map.core.roles.user_from_claims`.
- **Trusted header**: an intranet reverse proxy that has authenticated the user puts the
  user's id (and e-mail, and optionally roles) in request headers. The headers are
  believed only on a connection whose peer is one of ``CORRIDOR_MAP_TRUSTED_PROXY``:
  anybody else can send the same headers. Streamlit reports a loopback peer as no address,
  so ``127.0.0.1`` in the setting means "a proxy on this host"; the app must then listen on
  127.0.0.1 only (``--server.address 127.0.0.1``) so that nothing else reaches it.

Pages call :func:`current_user` (or :func:`sign_in_box`, which also draws the sidebar
controls) and pass the user to the actions, which check it with
:func:`corridor_map.core.roles.require` themselves.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import streamlit as st

from corridor_map.core.i18n import t
from corridor_map.core.markup import md_escape
from corridor_map.core.roles import (
    Role,
    RoleError,
    RolePolicy,
    User,
    require,
    role_policy,
    user_from_claims,
)
from corridor_map.core.settings import Settings

__all__ = [
    "FRAME_DRAWS_SIGN_IN",
    "current_user",
    "gate_reading",
    "oidc_provider",
    "policy_of",
    "proxy_claims",
    "require_session",
    "sign_in_box",
]

#: what every loopback address (and Streamlit's None for one) compares as.
_LOOPBACK = "loopback"


def _address(text: str | None) -> str:
    """An address in one spelling: IPv4-mapped IPv6 (``::ffff:10.0.0.5``, how a server
    bound to ``::`` sees IPv4 peers) as IPv4; any loopback (and None, Streamlit's value
    for one) as ``loopback``; names other than ``localhost`` as given."""
    if text is None or text.strip().lower() == "localhost":
        return _LOOPBACK
    try:
        ip = ipaddress.ip_address(text.strip())
    except ValueError:
        return text.strip()
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return _LOOPBACK if ip.is_loopback else str(ip)


def policy_of(settings: Settings) -> RolePolicy:
    """The role policy of the settings (the roles file is read on each call: edits count).

    Raises
    ------
    RoleError
        The roles file or the default role is wrong.
    """
    return role_policy(
        roles_file=settings.roles_file,
        roles_claim=settings.roles_claim,
        default_role=settings.default_role,
    )


def oidc_provider() -> str | None:
    """The ``st.login`` provider of the secrets: ``""`` for a plain ``[auth]``, the name
    of the first ``[auth.NAME]`` section otherwise, None when sign-in is not configured."""
    try:
        auth = st.secrets.get("auth")
    except (FileNotFoundError, OSError):  # no secrets file at all
        return None
    if not isinstance(auth, Mapping):
        return None
    if "client_id" in auth:
        return ""
    for name, section in auth.items():
        if isinstance(section, Mapping) and section.get("client_id"):
            return str(name)
    return None


def proxy_claims(headers: Any, peer: str | None, settings: Settings) -> dict[str, Any] | None:
    """The claims a trusted proxy's headers carry, or None when the peer is not trusted.

    Parameters
    ----------
    headers
        The request's headers (case-insensitive ``get``).
    peer
        ``st.context.ip_address``: the connection's peer (None or an IPv4-mapped
        IPv6 address for a loopback one, depending on how the server is bound).
    settings
        Which proxies are trusted and which headers they write.
    """
    if not settings.trusted_proxies:
        return None
    trusted = {_address(a) for a in settings.trusted_proxies}
    if _address(peer) not in trusted:
        return None
    subject = (headers.get(settings.proxy_user_header) or "").strip()
    if not subject:
        return None
    claims: dict[str, Any] = {
        "sub": subject,
        "email": (headers.get(settings.proxy_email_header) or "").strip(),
    }
    if settings.proxy_roles_header:
        claims["roles"] = headers.get(settings.proxy_roles_header) or ""
    return claims


def _oidc_claims() -> dict[str, Any] | None:
    try:
        if not st.user.is_logged_in:
            return None
        return dict(st.user.to_dict())
    except (KeyError, AttributeError, FileNotFoundError):
        return None


#: Session key the app's frame sets: it draws the sign-in box, so a page inside it does not.
FRAME_DRAWS_SIGN_IN = "auth_frame_draws_sign_in"


def current_user(settings: Settings) -> User | None:
    """The signed-in user of this session, resolved on the server; None for nobody.

    The trusted proxy's headers come first (an intranet that uses them has no other way
    in); then Streamlit's OpenID Connect session.

    Raises
    ------
    RoleError
        The roles file or the role settings are wrong.
    """
    claims = proxy_claims(st.context.headers, st.context.ip_address, settings)
    if claims is not None:
        # proxy_claims files the roles header under "roles", whatever the claim setting.
        policy = replace(policy_of(settings), claim="roles")
        return user_from_claims(claims, via="proxy", policy=policy)
    claims = _oidc_claims()
    if claims is None:
        return None
    return user_from_claims(claims, via="oidc", policy=policy_of(settings))


def sign_in_box(settings: Settings, lang: str) -> User | None:
    """Draw who is signed in (and the sign-in / sign-out button) in the sidebar.

    Returns
    -------
    User or None
        The session's user (:func:`current_user`). A wrong roles file is shown as one line
        and treated as nobody signed in, so that nothing is allowed by mistake.
    """
    try:
        user = current_user(settings)
    except RoleError as exc:
        st.sidebar.error(md_escape(str(exc)))
        return None
    with st.sidebar:
        if user is not None:
            st.markdown(
                f"{t('signed_in_as', lang)} **{md_escape(user.label)}** · "
                f"{t('user_role_' + user.role.label, lang)}",
                help=t(f"signed_in_via_{user.via}", lang),
            )
            if user.via == "oidc":
                st.button(t("sign_out", lang), key="auth_sign_out", on_click=st.logout)
            return user
        provider = oidc_provider()
        if provider is None:
            st.caption(t("sign_in_unavailable", lang))
        elif provider:
            st.button(t("sign_in", lang), key="auth_sign_in", on_click=st.login, args=(provider,))
        else:
            st.button(t("sign_in", lang), key="auth_sign_in", on_click=st.login)
    return None


def require_session(role: Role, settings: Settings) -> User:
    """Resolve this session's user on the server now and refuse unless it holds ``role``.

    For a page's save handler, right before it changes anything:
    ``user = require_session(Role.CURATOR, settings)``, then ``user.author`` as the
    change's author.

    Raises
    ------
    PermissionRefusedError
        Nobody signed in, or a lower role.
    RoleError
        The roles file or the role settings are wrong.
    """
    return require(role, current_user(settings))


def gate_reading(settings: Settings, user: User | None, lang: str) -> None:
    """Stop the page for nobody signed in when the settings make reading need sign-in."""
    if settings.sign_in_to_read and user is None:
        st.info(t("sign_in_to_read", lang))
        st.stop()
