"""While one session uploads the worst file of each kind, N others keep clicking.

Starts ``app.py`` bound to 127.0.0.1 (:func:`tests._appserver.streamlit_app`), opens one
headless Chromium (every request to anything but this machine is aborted), and:

1. quiet: N sessions load the map and click the Taizhou central core (click → full
   panel timed per session, as in ``load_sessions.py``);
2. hostile: N new sessions load the map; then one more session uploads, one after the
   other, the worst file of each kind (a KMZ lying about its size, a zip bomb, a
   GeoPackage with 2,000 layers, one whose layer is a view over 50 million rows, one with
   a recursive view, a CSV on one line, a CSV with a 600,000-column header, a CSV with
   a 200,000-character field, GeometryCollections nested 450 deep, a legitimate
   190,000-vertex polygon) while the N sessions click;
3. the sessions close; the server's memory is sampled for ``--release-wait`` seconds.

With ``--warm-uploads`` the warm-up session also uploads every file once, so the one-time
cost of the upload path (its imports, the measure page, the reference points) is charged
to the warm-up, and "over the warm-up" is what the sessions themselves leave.

Printed: p95 and median click → panel, quiet and hostile, and their ratio; each upload's
time to its message; errors (exceptions shown, failed clicks, uploads without a
message); the server's memory at start, after the runs and after the wait; upload worker
processes left. Bounded: at most 30 sessions and ``--time-limit`` seconds, localhost
only. It prints figures; it is not a test. Run::

    .venv/bin/python benchmarks/load_hostile.py [--sessions 20] [--release-wait 120]
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import sqlite3
import statistics
import struct
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

import geopandas as gpd
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests, benchmarks

from benchmarks.load_sessions import Session, click_point, rss_mb, wait_idle
from tests._appserver import CHROMIUM_ARGS, streamlit_app

ROOT = Path(__file__).resolve().parent.parent
MAX_SESSIONS = 30
UPLOAD_TIMEOUT_MS = 120_000
POLYGON = shapely.Polygon(
    [(121.36, 28.37), (121.40, 28.37), (121.40, 28.40), (121.36, 28.40), (121.36, 28.37)]
)


# ------------------------------------------------------------------- the hostile files


def _lying_kmz() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("doc.kml", b"<kml>" + b" " * 100_000_000 + b"</kml>")
    data = bytearray(buffer.getvalue())
    struct.pack_into("<I", data, data.find(b"PK\x03\x04") + 22, 300)
    struct.pack_into("<I", data, data.find(b"PK\x01\x02") + 24, 300)
    return bytes(data)


def _zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("a.kml", b"\0" * 200_000_000)
    return buffer.getvalue()


def _geopackage(folder: Path, name: str, change: str) -> bytes:
    path = folder / f"{name}.gpkg"
    gpd.GeoDataFrame({"name": ["a"]}, geometry=[POLYGON], crs="EPSG:4326").to_file(path)
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA page_size = 512")
        connection.execute("VACUUM")
    with sqlite3.connect(path) as connection:
        tables = []
        if change == "layers":
            for i in range(1999):
                connection.execute(f"CREATE TABLE t{i} (fid INTEGER PRIMARY KEY, geom BLOB)")
                tables.append(f"t{i}")
        else:
            stop = "WHERE i < 50000000" if change == "view" else ""
            connection.execute(
                f"CREATE VIEW v AS WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL "
                f"SELECT i + 1 FROM r {stop}) SELECT i AS fid, NULL AS geom FROM r"
            )
            tables.append("v")
        for table in tables:
            connection.execute(
                "INSERT INTO gpkg_contents (table_name, data_type, identifier, srs_id) "
                "VALUES (?, 'features', ?, 4326)",
                (table, table),
            )
            connection.execute(
                "INSERT INTO gpkg_geometry_columns VALUES (?, 'geom', 'POLYGON', 4326, 0, 0)",
                (table,),
            )
    return path.read_bytes()


def hostile_files(folder: Path) -> list[tuple[str, bytes]]:
    """(name, bytes) of the worst file of each kind."""
    nested = json.dumps({"type": "Point", "coordinates": [121.4, 28.6]})
    for _ in range(450):
        nested = '{"type":"GeometryCollection","geometries":[' + nested + "]}"
    circle = shapely.Point(121.4, 28.5).buffer(0.05, quad_segs=47_500)
    dense = {"type": "Polygon", "coordinates": [list(circle.exterior.coords)]}
    field = ("a" * 1000 + "\n") * 200
    return [
        ("liar.kmz", _lying_kmz()),
        ("bomb.kmz", _zip_bomb()),
        ("layers.gpkg", _geopackage(folder, "layers", "layers")),
        ("view.gpkg", _geopackage(folder, "view", "view")),
        ("forever.gpkg", _geopackage(folder, "forever", "forever")),
        ("one-line.csv", b"lon,lat," + b"x," * 2_400_000),
        ("wide.csv", ("lon,lat," + ",".join("c" * 5 for _ in range(600_000))).encode()[:4_900_000]),
        ("field.csv", f'lon,lat,note\n121.4,28.6,"{field}"\n'.encode()),
        ("nested.geojson", nested.encode()),
        ("dense.geojson", json.dumps(dense).encode()),
    ]


# ------------------------------------------------------------------------ the sessions


async def upload_all(
    browser: Any, url: str, files: list[tuple[str, bytes]], started: asyncio.Event
) -> list[str]:
    """Upload each file in the measure view; one line per file (time and outcome).

    ``started`` is set once the first file is sent, so the clicks run during the uploads.
    """
    uploader = Session(-1)
    await uploader.open(browser)
    lines = []
    try:
        await uploader.page.goto(f"{url}/?view=measure&basemap=none&lang=en")
        box = uploader.page.locator("input[type=file]").first
        await box.wait_for(state="attached", timeout=UPLOAD_TIMEOUT_MS)
        for name, data in files:
            start = time.monotonic()
            await box.set_input_files(
                files=[{"name": name, "mimeType": "application/octet-stream", "buffer": data}]
            )
            started.set()
            try:
                # A refusal names the file; a file that reads shows its measures table.
                alert = uploader.page.locator("[data-testid='stAlert']").filter(has_text=name)
                table = uploader.page.locator("[data-testid='stDataFrame']")
                await alert.or_(table).first.wait_for(timeout=UPLOAD_TIMEOUT_MS)
                if await alert.count():
                    text = (await alert.first.inner_text()).strip().splitlines()[0]
                else:
                    text = "read and measured"
                lines.append(
                    f"{name} ({len(data) / 1e6:.1f} MB): "
                    f"{time.monotonic() - start:.1f} s: {text[:110]}"
                )
            except Exception as exc:
                lines.append(
                    f"{name}: NO MESSAGE after {time.monotonic() - start:.0f} s "
                    f"({type(exc).__name__})"
                )
                uploader.errors.append(f"upload {name}: no message")
            await box.set_input_files(files=[])  # clear it: the next table is the next file's
            if await uploader.page.locator(".stException").count():
                uploader.errors.append(f"upload {name}: the app shows an exception")
    finally:
        started.set()  # never leave the clicks waiting
        await uploader.close()
    return lines + [f"  error: {e}" for e in uploader.errors]


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return (
        ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
        if ordered
        else float("nan")
    )


async def clicking(
    browser: Any,
    url: str,
    sessions: int,
    first: int,
    lat: float,
    lon: float,
    during: Any = None,
    started: asyncio.Event | None = None,
) -> tuple[list[Session], list[str]]:
    group = [Session(first + i) for i in range(sessions)]
    await asyncio.gather(*(s.open(browser) for s in group))
    await asyncio.gather(*(s.load(url) for s in group))
    uploads: list[str] = []
    if during is None:
        await asyncio.gather(*(s.click(lat, lon) for s in group))
    else:
        task = asyncio.ensure_future(during)
        if started is not None:
            await started.wait()  # the first upload is under way when the clicks start
        await asyncio.gather(*(s.click(lat, lon) for s in group))
        uploads = await task
    await asyncio.gather(*(s.check_app_errors() for s in group))
    await asyncio.gather(*(s.close() for s in group))
    return group, uploads


def _workers(pid: int) -> int:
    """Upload worker processes under the server."""
    count = 0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                status = (entry / "status").read_text()
                cmdline = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if f"PPid:\t{pid}\n" in status and b"upload_worker" in cmdline:
                count += 1
    return count


async def run(sessions: int, release_wait_s: float, warm_uploads: bool = False) -> int:
    from playwright.async_api import async_playwright

    lat, lon = click_point()
    env = dict(os.environ, STREAMLIT_SERVER_ADDRESS="127.0.0.1")
    env.pop("TIANDITU_KEY", None)
    with tempfile.TemporaryDirectory(prefix="cm-hostile-") as tmp:
        files = hostile_files(Path(tmp))
        with streamlit_app(ROOT / "app.py", cwd=ROOT, env=env, timeout_s=120) as app:
            pid = app.process.pid
            async with async_playwright() as p:
                browser = await p.chromium.launch(
                    executable_path="/usr/bin/chromium", args=list(CHROMIUM_ARGS)
                )
                await wait_idle(pid)
                rss_start = rss_mb(pid)
                started = asyncio.Event()
                warm, _ = await clicking(browser, app.url, 1, 0, lat, lon)
                if warm_uploads:
                    await upload_all(browser, app.url, files, asyncio.Event())
                await wait_idle(pid)
                rss_warm = rss_mb(pid)
                quiet, _ = await clicking(browser, app.url, sessions, 1, lat, lon)
                hostile, uploads = await clicking(
                    browser,
                    app.url,
                    sessions,
                    1 + sessions,
                    lat,
                    lon,
                    during=upload_all(browser, app.url, files, started),
                    started=started,
                )
                await browser.close()
            rss_after = rss_mb(pid)
            closed = time.monotonic()
            while time.monotonic() - closed < release_wait_s:
                await asyncio.sleep(5.0)
            rss_end, workers = rss_mb(pid), _workers(pid)
    quiet_s = [s.click_s for s in quiet if s.click_s is not None]
    hostile_s = [s.click_s for s in hostile if s.click_s is not None]
    errors = [f"session {s.number}: {e}" for s in [*warm, *quiet, *hostile] for e in s.errors]
    errors += [line for line in uploads if "error:" in line or "NO MESSAGE" in line]
    print(
        f"{sessions} clicking sessions per phase, server pid {pid}, localhost only"
        + (", warm-up with one upload of each file" if warm_uploads else "")
    )
    for label, values in (("quiet", quiet_s), ("hostile", hostile_s)):
        median = statistics.median(values) if values else float("nan")
        print(
            f"click → panel, {label}: p95 {_p95(values):.2f} s, median {median:.2f} s, "
            f"n={len(values)}"
        )
    print(f"p95 ratio hostile / quiet: {_p95(hostile_s) / _p95(quiet_s):.2f} (target ≤ 2)")
    print("uploads (one session, during the hostile clicks):")
    for line in uploads:
        print(f"  {line}")
    print(
        f"server memory (RSS): start {rss_start:.0f} MB, after one warm-up session "
        f"{rss_warm:.0f} MB, after the runs {rss_after:.0f} MB, {release_wait_s:.0f} s after "
        f"closing {rss_end:.0f} MB ({rss_end - rss_warm:+.0f} MB over the warm-up)"
    )
    print(f"upload workers left: {workers}")
    print(f"errors: {len(errors)}")
    for line in errors[:20]:
        print(f"  {line}")
    return 0 if not errors else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=20, help=f"1–{MAX_SESSIONS}")
    parser.add_argument("--release-wait", type=float, default=120.0, help="0–600 s")
    parser.add_argument("--time-limit", type=float, default=1500.0, help="whole run, ≤ 1800 s")
    parser.add_argument(
        "--warm-uploads",
        action="store_true",
        help="the warm-up session uploads every file once too (one-time costs apart)",
    )
    args = parser.parse_args(argv)
    if not 1 <= args.sessions <= MAX_SESSIONS:
        parser.error(f"--sessions must be within 1–{MAX_SESSIONS}")
    if not 0 <= args.release_wait <= 600:
        parser.error("--release-wait must be within 0–600 s")
    if not 0 < args.time_limit <= 1800:
        parser.error("--time-limit must be within 0–1800 s")
    try:
        return asyncio.run(
            asyncio.wait_for(
                run(args.sessions, args.release_wait, args.warm_uploads), args.time_limit
            )
        )
    except TimeoutError:
        print(f"stopped: the run exceeded --time-limit {args.time_limit:g} s", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
