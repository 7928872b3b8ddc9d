"""Test and benchmark support: serve ``app.py`` locally and drive it in an offline Chromium.

Used by ``tests/test_browser.py`` and ``benchmarks/bench_app.py`` only; the app and the CLI
never import it. Playwright (a test dependency) is imported only by :func:`launch_chromium`.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-gpu",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)
_LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost"})


@dataclass(frozen=True)
class AppServer:
    """A running Streamlit server: its base URL and when its process was started."""

    url: str
    process: subprocess.Popen[bytes]
    started: float  # time.monotonic() just before the process was spawned


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def is_local(url: str) -> bool:
    """Return True for a request that stays on this machine (local host or inline data)."""
    if url.startswith(("data:", "blob:", "about:")):
        return True
    host = url.split("/")[2].split(":")[0] if "://" in url else ""
    return host in _LOCAL_HOSTS


@contextmanager
def streamlit_app(
    app: Path,
    *,
    cwd: Path,
    env: Mapping[str, str] | None = None,
    timeout_s: float = 60,
) -> Iterator[AppServer]:
    """Run ``streamlit run app`` headless on a free port until its health check answers.

    Parameters
    ----------
    app
        The Streamlit script.
    cwd
        Working directory of the server.
    env
        The server's environment (default: this process's).
    timeout_s
        How long to wait for the health check before giving up.

    Yields
    ------
    AppServer
        The running server; it is terminated (killed if it lingers) on exit.
    """
    port = free_port()
    # A file, not a pipe: a chatty server cannot block on a full pipe nobody reads.
    with tempfile.TemporaryFile() as stderr:
        started = time.monotonic()
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                str(app),
                "--server.headless",
                "true",
                "--server.port",
                str(port),
                "--browser.gatherUsageStats",
                "false",
            ],
            cwd=cwd,
            env=dict(os.environ if env is None else env),
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_healthy(url, proc, started, timeout_s, stderr)
            yield AppServer(url=url, process=proc, started=started)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _wait_healthy(
    url: str, proc: subprocess.Popen[bytes], started: float, timeout_s: float, stderr: Any
) -> None:
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1):
                return
        except OSError:
            pass
        if proc.poll() is not None:
            stderr.seek(0)
            raise RuntimeError(stderr.read().decode(errors="replace") or "streamlit died")
        if time.monotonic() - started > timeout_s:
            raise RuntimeError(f"streamlit did not start within {timeout_s:g} s")
        time.sleep(0.05)


def launch_chromium(playwright: Any) -> Any:
    """Launch the system Chromium headless through a ``sync_playwright()`` instance."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=list(CHROMIUM_ARGS))
