"""The curation store on both backends: SQLite (embedded) and PostgreSQL + PostGIS.

Every test runs once per backend. The PostgreSQL cluster is a private one started for
this module from Debian's postgresql-15 (tests/_postgres.py); each test gets a fresh
database cloned from a PostGIS template. Without the binaries the PostgreSQL half is
skipped with the reason.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator
from pathlib import Path

import pytest
from shapely.geometry import shape

from corridor_map.atlas import validation
from corridor_map.atlas.model import load_atlas
from corridor_map.core.roles import PermissionRefusedError, RolePolicy, user_from_claims
from corridor_map.curation import comments as cm
from corridor_map.curation import proposals as pr
from corridor_map.curation.db import open_database
from corridor_map.curation.edits import Official, Provenance, set_fields
from corridor_map.curation.postgres import (
    PostgresStore,
    adopt_shared_report,
    follow_store,
    open_curation_store,
)
from corridor_map.curation.publish import render_all
from corridor_map.curation.store import (
    CURATED_FILES,
    REGISTER_FILES,
    CurationError,
    StoreError,
)
from tests._postgres import postgres_cluster, skip_reason
from tests._support import copy_data

FEATURE = "taizhou-central-core"
BACKENDS = ("sqlite", "postgresql")


@pytest.fixture(scope="module")
def cluster() -> Iterator[str]:
    reason = skip_reason()
    if reason:
        pytest.skip(reason)
    with postgres_cluster("template_corridor") as url:
        yield url


_counter = iter(range(1, 10_000))


@pytest.fixture(params=(BACKENDS[0], pytest.param(BACKENDS[1], marks=pytest.mark.slow)))
def db_url(request: pytest.FixtureRequest) -> str:
    """'' for SQLite in the data folder; a fresh PostGIS database's URL for PostgreSQL."""
    if request.param == "sqlite":
        return ""
    import psycopg

    template = request.getfixturevalue("cluster")
    name = f"t{next(_counter)}"
    with psycopg.connect(template.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE template_corridor')
    return template.rsplit("/", 1)[0] + "/" + name


@pytest.fixture
def data_root(tmp_path: Path) -> Path:
    return copy_data(tmp_path / "data")


def _user(sub: str, role: str | None) -> object:
    claims: dict[str, object] = {"sub": sub, "email": f"{sub}@bureau.example"}
    if role:
        claims["roles"] = [role]
    return user_from_claims(claims, via="oidc", policy=RolePolicy())


def test_store_starts_from_the_layers_and_publishes_them_byte_for_byte(
    db_url: str, data_root: Path
) -> None:
    store = open_curation_store(db_url, data_root)
    texts = render_all(store)
    assert sorted(texts) == sorted(CURATED_FILES + REGISTER_FILES)
    for name, text in texts.items():
        assert text.encode("utf-8") == (data_root / "layers" / name).read_bytes(), name
    assert store.feature(FEATURE).version == 1
    assert store.history() == []


def _rename(store, data_root: Path, value: str, version: int | None, author: str = "a"):
    return set_fields(
        store,
        data_root / "layers",
        FEATURE,
        {"name_en": value},
        provenance=Provenance(author=author, reason="test rename", source="test"),
        expected_version=version,
    )


def test_change_recorded_and_seen_by_a_second_connection(db_url: str, data_root: Path) -> None:
    first = open_curation_store(db_url, data_root)
    second = open_curation_store(db_url, data_root)  # another app process, say
    before = second.feature(FEATURE)
    change = _rename(first, data_root, "Central Innovation Core (renamed)", 1)
    seen = second.feature(FEATURE)
    assert seen.version == 2 and seen.properties["name_en"].endswith("(renamed)")
    assert [c.id for c in second.history(FEATURE)] == [change.id] == [1]
    assert change.before["properties"] == before.properties
    assert change.after["properties"]["name_en"] == "Central Innovation Core (renamed)"
    published = (data_root / "layers" / seen.file).read_text("utf-8")
    assert "Central Innovation Core (renamed)" in published


def test_stale_version_is_refused_and_nothing_is_written(db_url: str, data_root: Path) -> None:
    store = open_curation_store(db_url, data_root)
    _rename(store, data_root, "first", 1)
    files = {n: (data_root / "layers" / n).read_bytes() for n in CURATED_FILES}
    with pytest.raises(CurationError) as caught:
        _rename(store, data_root, "second", 1)
    assert "version 1" in str(caught.value) and "version 2" in str(caught.value)
    assert store.feature(FEATURE).properties["name_en"] == "first"
    assert len(store.history()) == 1
    assert files == {n: (data_root / "layers" / n).read_bytes() for n in CURATED_FILES}


def _edit_in_process(db_url: str, data_root: str, value: str, barrier, results) -> None:
    store = open_curation_store(db_url, Path(data_root))
    version = store.feature(FEATURE).version  # both read version 1 …
    barrier.wait()  # … before either saves
    try:
        change = _rename(store, Path(data_root), value, version, author=value)
        results.put((value, "saved", change.id))
    except CurationError as exc:
        results.put((value, "conflict", str(exc)))


@pytest.mark.slow
def test_two_processes_edit_one_feature_one_wins_nothing_lost(db_url: str, data_root: Path) -> None:
    open_curation_store(db_url, data_root).close()  # created before the race
    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(2), ctx.Queue()
    workers = [
        ctx.Process(target=_edit_in_process, args=(db_url, str(data_root), v, barrier, results))
        for v in ("curator-a", "curator-b")
    ]
    for w in workers:
        w.start()
    outcome = sorted(results.get(timeout=120) for _ in workers)
    for w in workers:
        w.join(timeout=60)
        assert w.exitcode == 0
    kinds = sorted(o[1] for o in outcome)
    assert kinds == ["conflict", "saved"], outcome
    winner = next(o for o in outcome if o[1] == "saved")
    loser = next(o for o in outcome if o[1] == "conflict")
    assert "version 1" in loser[2] and "version 2" in loser[2]
    store = open_curation_store(db_url, data_root)
    assert store.feature(FEATURE).properties["name_en"] == winner[0]
    assert [(c.id, c.author) for c in store.history()] == [(1, winner[0])]
    # The loser was told, with the version it must merge into; its retry lands after.
    _rename(store, data_root, loser[0], 2, author=loser[0])
    assert [c.author for c in store.history()] == [winner[0], loser[0]]
    assert store.feature(FEATURE).version == 3


def test_comments_apart_from_the_data(db_url: str, data_root: Path) -> None:
    store = open_curation_store(db_url, data_root)
    db = open_database(db_url, data_root)
    cm.ensure_comment_tables(db)
    commenter, reader, other = (
        _user("wang", "commenter"),
        _user("li", None),
        _user("zhao", "commenter"),
    )
    curator = _user("chen", "curator")
    before = store.feature(FEATURE)
    text = "<img src=x onerror=alert(1)> 边界[link](http://evil.example) `x` ${y}"
    first = cm.add_comment(db, commenter, cm.Target.feature(FEATURE), text)
    cm.add_comment(db, commenter, cm.Target.paragraph("taizhou-2023", "p12"), "段落有误")
    cm.add_comment(db, other, cm.Target.point(121.42, 28.66), "此处应有站点")
    assert store.feature(FEATURE) == before and store.history() == []
    on_feature = cm.comments(db, cm.Target.feature(FEATURE))
    assert [c.text for c in on_feature] == [text] and on_feature[0].status == "open"
    assert {c.target.kind for c in cm.comments(db)} == {"feature", "paragraph", "point"}
    with pytest.raises(PermissionRefusedError):
        cm.add_comment(db, reader, cm.Target.feature(FEATURE), "readers cannot comment")
    with pytest.raises(PermissionRefusedError):
        cm.add_comment(db, None, cm.Target.feature(FEATURE), "nobody cannot comment")
    with pytest.raises(PermissionRefusedError):  # somebody else's thread: curators only
        cm.resolve_comment(db, other, first.id)
    resolved = cm.resolve_comment(db, curator, first.id, "已核实")
    assert resolved.status == "resolved" and resolved.status_note == "已核实"
    assert [c.id for c in cm.comments(db, status="open")] == [first.id + 1, first.id + 2]
    reopened = cm.reopen_comment(db, commenter, first.id)
    assert reopened.status == "open"
    with pytest.raises(cm.CommentError, match="outside"):
        cm.Target.point(10.0, 10.0)
    with pytest.raises(cm.CommentError, match="empty"):
        cm.add_comment(db, commenter, cm.Target.feature(FEATURE), "   ")
    html = cm.as_html(first)
    assert "<img" not in html and "&lt;img" in html and "${" not in html
    md = cm.as_markdown(first)
    assert "[link](" not in md and "\\[link\\]" in md and "\\`x\\`" in md
    assert len(cm.comments(db)) == 3 and store.history() == []


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
@pytest.mark.slow
def test_postgis_column_follows_the_geometry(db_url: str, data_root: Path) -> None:
    store = open_curation_store(db_url, data_root)
    assert isinstance(store, PostgresStore)
    inside = shape(store.feature(FEATURE).geometry).representative_point()
    assert FEATURE in store.within(inside.x, inside.y)


def test_wrong_database_url_is_one_clear_line(data_root: Path) -> None:
    with pytest.raises(StoreError, match="CORRIDOR_MAP_DB") as caught:
        open_curation_store("mysql://user:secret@host/db", data_root)
    assert "secret" not in str(caught.value) and "\n" not in str(caught.value)
    with pytest.raises(StoreError) as unreachable:
        open_curation_store("postgresql://user:hunter2@127.0.0.1:1/none", data_root)
    assert "hunter2" not in str(unreachable.value)


def _smaller(store) -> dict:
    from shapely import affinity

    from corridor_map.geo.geojson import geometry_json

    current = shape(store.feature(FEATURE).geometry)
    return geometry_json(affinity.scale(current, 0.97, 0.97, origin="centroid"))


def _tables(db_url: str, data_root: Path):
    db = open_database(db_url, data_root)
    pr.ensure_proposal_tables(db)
    return db


def test_proposal_reviewed_and_accepted_is_published(db_url: str, data_root: Path) -> None:
    store = open_curation_store(db_url, data_root)
    db = _tables(db_url, data_root)
    contributor, curator = _user("zhou", "contributor"), _user("chen", "curator")
    geometry = _smaller(store)
    item = pr.propose_geometry(
        db, store, contributor, FEATURE, geometry,
        basis="official", precision_m=5, geometry_source="红线 from the bureau",
        reason="official 红线", source="台自然资规〔2026〕12号",
        official=Official("台州市自然资源和规划局", "台自然资规〔2026〕12号", "2026-03-01"),
    )  # fmt: skip
    assert item.status == "open" and item.base_version == 1
    assert store.history() == [] and store.feature(FEATURE).version == 1  # nothing yet
    seen = pr.review(db, store, item.id)
    fields = {name for name, _, _ in seen.diff}
    assert {"geometry_basis", "geometry_source", "precision_m", "geometry_official"} <= fields
    assert seen.geometry_changed and not seen.stale
    assert seen.before["geometry"] == store.feature(FEATURE).geometry
    decided, change = pr.accept(db, store, data_root / "layers", curator, item.id, "核对无误")
    assert decided.status == "accepted" and decided.change == change.id
    assert decided.note == "核对无误" and decided.decided_by == curator.author
    now = store.feature(FEATURE)
    assert now.version == 2 and now.properties["geometry_basis"] == "official"
    assert now.geometry == geometry
    assert change.author == f"{contributor.author}; accepted by {curator.author}"
    assert change.source == f"proposal #{item.id}: 台自然资规〔2026〕12号"
    assert change.reason == "official 红线"
    published = (data_root / "layers" / now.file).read_text("utf-8")
    assert "台自然资规〔2026〕12号" in published
    with pytest.raises(pr.ProposalError, match="already accepted"):
        pr.accept(db, store, data_root / "layers", curator, item.id)


def test_rejected_proposal_stays_in_the_trail(db_url: str, data_root: Path) -> None:
    store = open_curation_store(db_url, data_root)
    db = _tables(db_url, data_root)
    contributor, curator = _user("zhou", "contributor"), _user("chen", "curator")
    item = pr.propose_fields(
        db, store, contributor, FEATURE, {"name_en": "Wrong Name"},
        reason="rename", source="a blog post",
    )  # fmt: skip
    with pytest.raises(pr.ProposalError, match="note"):
        pr.reject(db, curator, item.id, "  ")
    rejected = pr.reject(db, curator, item.id, "博客不是依据 / a blog is no source")
    assert rejected.status == "rejected" and rejected.change is None
    assert store.history() == [] and store.feature(FEATURE).version == 1
    assert [p.status for p in pr.proposals(db)] == ["rejected"]
    events = db.query("SELECT status FROM proposal_events ORDER BY id")
    assert [e[0] for e in events] == ["open", "rejected"]


def test_review_actions_check_the_role_on_the_server(db_url: str, data_root: Path) -> None:
    store = open_curation_store(db_url, data_root)
    db = _tables(db_url, data_root)
    reader, commenter = _user("li", None), _user("wang", "commenter")
    contributor, curator = _user("zhou", "contributor"), _user("chen", "curator")
    for who in (None, reader, commenter):
        with pytest.raises(PermissionRefusedError):
            pr.propose_fields(db, store, who, FEATURE, {"name_en": "x"}, reason="r", source="s")
    own = pr.propose_fields(
        db, store, curator, FEATURE, {"name_en": "Mine"}, reason="r", source="s"
    )
    theirs = pr.propose_fields(
        db, store, contributor, FEATURE, {"name_en": "Theirs"}, reason="r", source="s"
    )
    layers = data_root / "layers"
    for who in (None, reader, commenter, contributor):
        with pytest.raises(PermissionRefusedError):
            pr.accept(db, store, layers, who, theirs.id)
        with pytest.raises(PermissionRefusedError):
            pr.reject(db, who, theirs.id, "no")
    with pytest.raises(PermissionRefusedError):  # four eyes
        pr.accept(db, store, layers, curator, own.id)
    assert store.history() == []
    assert [p.status for p in pr.proposals(db)] == ["open", "open"]
    with pytest.raises(pr.ProposalError, match="source"):
        pr.propose_fields(db, store, contributor, FEATURE, {"name_en": "y"}, reason="r", source="")
    with pytest.raises(pr.ProposalError, match="outside"):
        pr.propose_geometry(
            db, store, contributor, FEATURE, {"type": "Point", "coordinates": [500000, 3200000]},
            basis="schematic", precision_m=100, geometry_source="drawn", reason="r", source="s",
        )  # fmt: skip


def test_stale_proposal_is_refused_with_both_states(db_url: str, data_root: Path) -> None:
    store = open_curation_store(db_url, data_root)
    db = _tables(db_url, data_root)
    contributor, curator = _user("zhou", "contributor"), _user("chen", "curator")
    item = pr.propose_fields(
        db, store, contributor, FEATURE, {"name_en": "Proposed"}, reason="r", source="s"
    )
    _rename(store, data_root, "Edited meanwhile", 1)
    assert pr.review(db, store, item.id).stale
    with pytest.raises(pr.ProposalConflictError) as caught:
        pr.accept(db, store, data_root / "layers", curator, item.id)
    conflict = caught.value
    assert conflict.based_on["properties"]["name_en"] != "Edited meanwhile"
    assert conflict.current.properties["name_en"] == "Edited meanwhile"
    assert conflict.current.version == 2 and "version 1" in str(conflict)
    assert "name_en" in str(conflict)
    assert pr.proposal(db, item.id).status == "open"
    assert [c.author for c in store.history()] == ["a"]


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
@pytest.mark.slow
def test_replicas_on_one_database_follow_each_other(
    db_url: str, data_root: Path, tmp_path: Path
) -> None:
    """Replicas on several hosts share a PostgreSQL database (SQLite has one folder)."""
    other_root = copy_data(tmp_path / "replica-b")  # another host's data folder
    here = open_curation_store(db_url, data_root)
    there = open_curation_store(db_url, other_root)
    assert isinstance(there, PostgresStore)
    assert follow_store(there, other_root / "layers") == []  # nothing changed yet
    _rename(here, data_root, "Saved on replica A", 1)
    name = here.feature(FEATURE).file
    assert "Saved on replica A" not in (other_root / "layers" / name).read_text("utf-8")
    assert follow_store(there, other_root / "layers") == [name]
    assert (other_root / "layers" / name).read_bytes() == (data_root / "layers" / name).read_bytes()
    assert follow_store(there, other_root / "layers") == []
    # A save on replica B while B's folder lags behind A's: B publishes over its own older
    # file (what was last published to B), which is no edit made outside the store.
    _rename(here, data_root, "Saved on replica A again", 2)
    _rename(there, other_root, "Saved on replica B", 3, author="b")
    assert "Saved on replica B" in (other_root / "layers" / name).read_text("utf-8")
    follow_store(here, data_root / "layers")
    assert (other_root / "layers" / name).read_bytes() == (data_root / "layers" / name).read_bytes()


@pytest.mark.slow
@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_a_replica_loads_a_change_with_the_report_its_writer_kept(
    db_url: str, data_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A change is validated once, by the process that saves it: a replica holding the
    same bytes loads it with the writer's report; bytes no writer checked are validated."""
    monkeypatch.setenv("CORRIDOR_MAP_CACHE", "off")  # hosts share no report folder
    other_root = copy_data(tmp_path / "replica-b")
    here = open_curation_store(db_url, data_root)
    there = open_curation_store(db_url, other_root)
    assert isinstance(there, PostgresStore)
    _rename(here, data_root, "Checked once", 1)
    name = here.feature(FEATURE).file
    assert follow_store(there, other_root / "layers") == [name]
    validation.forget_reports()  # replica B is another process: it holds no report
    checked: list[Path] = []
    real = validation._validated
    monkeypatch.setattr(validation, "_validated", lambda d: checked.append(d) or real(d))

    assert adopt_shared_report(db_url, other_root / "layers")
    assert load_atlas(other_root / "layers").get(FEATURE).name_en == "Checked once"
    assert checked == []

    layer = other_root / "layers" / name
    layer.write_text(layer.read_text("utf-8").replace("Checked once", "Edited by hand"), "utf-8")
    assert not adopt_shared_report(db_url, other_root / "layers")
    assert load_atlas(other_root / "layers").get(FEATURE).name_en == "Edited by hand"
    assert checked == [(other_root / "layers").resolve()]


@pytest.mark.slow
@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_a_replicas_follower_brings_its_folder_up_with_no_session_running(
    db_url: str, data_root: Path, tmp_path: Path
) -> None:
    """The app's background follower: another host's save reaches this replica's files
    (and the hook that builds the new state runs after them) without any page run."""
    import threading

    from corridor_map.ui.replica import Follower

    other_root = copy_data(tmp_path / "replica-b")
    here = open_curation_store(db_url, data_root)
    name = here.feature(FEATURE).file
    seen: list[bytes] = []
    changed = threading.Event()

    def on_change() -> None:
        seen.append((other_root / "layers" / name).read_bytes())
        changed.set()

    follower = Follower(db_url, other_root / "layers", every_s=0.05, on_change=on_change)
    follower.start()
    try:
        assert not changed.is_set()  # the first look found nothing to follow
        _rename(here, data_root, "Saved on another host", 1)
        assert changed.wait(timeout=60), "the follower never brought the change in"
        assert seen[0] == (data_root / "layers" / name).read_bytes()
        assert "Saved on another host" in seen[0].decode("utf-8")
        # the next save too, through the same connection the follower keeps
        changed.clear()
        _rename(here, data_root, "Saved again on another host", 2)
        assert changed.wait(timeout=60), "the follower missed the second change"
        assert "Saved again on another host" in seen[-1].decode("utf-8")
        assert follower.last_error is None
    finally:
        follower.stop.set()
