"""Test support: a throwaway PostgreSQL + PostGIS cluster from Debian's postgresql-15.

:func:`postgres_cluster` runs ``initdb`` and ``pg_ctl`` in a temporary folder, listens on
a free localhost port (and a private socket folder), creates one database with the
PostGIS extension and yields its ``postgresql://`` URL; the cluster is stopped and its
folder removed at the end. PostgreSQL refuses to run as root, so as root the binaries run
as the ``postgres`` user (``runuser``) in a folder it owns.

:func:`skip_reason` says why no cluster can be started here (binaries or PostGIS absent),
for ``pytest.skip``.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests._appserver import free_port

BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
POSTGIS_CONTROL = Path("/usr/share/postgresql/15/extension/postgis.control")


def skip_reason() -> str | None:
    """Why a cluster cannot be started here, or None when it can."""
    for tool in ("initdb", "pg_ctl", "postgres"):
        if not (BIN / tool).exists():
            return f"{BIN / tool} not installed (apt-get install postgresql-15)"
    if not POSTGIS_CONTROL.exists():
        return f"{POSTGIS_CONTROL} not installed (apt-get install postgresql-15-postgis-3)"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root and there is no postgres user to run the cluster as"
        if shutil.which("runuser") is None:
            return "running as root without runuser to run the cluster as postgres"
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg is not installed (pip install 'psycopg[binary]')"
    return None


def _run(args: list[str], owner: str | None) -> None:
    cmd = ["runuser", "-u", owner, "--", *args] if owner else args
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args[:1])} failed: {done.stderr or done.stdout}")


@contextmanager
def postgres_cluster(database: str = "corridor") -> Iterator[str]:
    """Start a private cluster with ``database`` (PostGIS enabled); yield its URL."""
    import psycopg

    owner = "postgres" if os.geteuid() == 0 else None
    root = Path(tempfile.mkdtemp(prefix="corridor-map-pg-"))
    data, sockets, log = root / "data", root / "sockets", root / "server.log"
    sockets.mkdir()
    if owner:
        entry = pwd.getpwnam(owner)
        for path in (root, sockets):
            os.chown(path, entry.pw_uid, entry.pw_gid)
    port = free_port()
    started = False
    try:
        _run(
            [str(BIN / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8"],
            owner,
        )
        options = f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off"
        _run(
            [str(BIN / "pg_ctl"), "-D", str(data), "-l", str(log), "-o", options, "-w", "start"],
            owner,
        )
        started = True
        admin = f"postgresql://postgres@127.0.0.1:{port}/postgres"
        deadline = time.monotonic() + 30
        while True:
            try:
                with psycopg.connect(admin, autocommit=True) as conn:
                    conn.execute(f'CREATE DATABASE "{database}"')
                break
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        url = f"postgresql://postgres@127.0.0.1:{port}/{database}"
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")
        yield url
    finally:
        if started:
            _run([str(BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"], owner)
        shutil.rmtree(root, ignore_errors=True)
