"""Test support: a real OpenID Connect provider on localhost, and an app config that uses it.

``oidc-provider-mock`` (PyPI) is a complete provider (discovery, authorization code flow,
signed ID tokens, JWKS); its authorization page lets the browser pick a predefined user
instead of typing a password. Streamlit's ``st.login`` talks to it exactly as to a
bureau's provider. The app and the CLI never import this module.
"""

from __future__ import annotations

import json
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests._appserver import free_port

ROOT = Path(__file__).resolve().parent.parent
CLIENT_ID = "corridor-map-test"


@contextmanager
def oidc_provider(users: Sequence[Mapping[str, Any]], timeout_s: float = 30) -> Iterator[str]:
    """Run ``python -m oidc_provider_mock`` on a free port; yield its issuer URL.

    Parameters
    ----------
    users
        Predefined users: each a claims object with ``sub`` (and e.g. ``email``,
        ``roles``); the authorization page offers one button per user.
    timeout_s
        How long to wait for its discovery document.
    """
    port = free_port()
    args = [sys.executable, "-m", "oidc_provider_mock", "--port", str(port)]
    for user in users:
        args += ["--user-claims", json.dumps(dict(user))]
    issuer = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(args, stdout=log, stderr=log)
        try:
            started = time.monotonic()
            while True:
                try:
                    url = f"{issuer}/.well-known/openid-configuration"
                    with urllib.request.urlopen(url, timeout=1):
                        break
                except OSError:
                    pass
                if proc.poll() is not None or time.monotonic() - started > timeout_s:
                    log.seek(0)
                    raise RuntimeError(
                        "OIDC provider did not start: " + log.read().decode(errors="replace")
                    )
                time.sleep(0.05)
            yield issuer
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def app_config_with_sign_in(folder: Path, issuer: str) -> Path:
    """Copy the app's ``.streamlit/config.toml`` into ``folder`` with a ``secrets.toml``
    whose ``[auth]`` section points at ``issuer``; return ``folder`` (the server's cwd).

    The redirect URI keeps Streamlit's ``{port}`` placeholder: the server fills in the
    port it was given.
    """
    config = folder / ".streamlit"
    config.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / ".streamlit" / "config.toml", config / "config.toml")
    (config / "secrets.toml").write_text(
        "[auth]\n"
        'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        f'cookie_secret = "{secrets.token_hex(32)}"\n'
        f'client_id = "{CLIENT_ID}"\n'
        f'client_secret = "{secrets.token_hex(16)}"\n'
        f'server_metadata_url = "{issuer}/.well-known/openid-configuration"\n',
        encoding="utf-8",
    )
    return folder
