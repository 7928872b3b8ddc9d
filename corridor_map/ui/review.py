"""The review page's parts: proposals to review, the trail, a proposal form, comments.

Each part takes the user :mod:`corridor_map.ui.auth` resolved on the server in this run
and hands it to the action it calls (:mod:`corridor_map.curation.proposals`,
:mod:`corridor_map.curation.comments`), which checks the role itself: controls are
shown by role for convenience only. Every text from users or the data is escaped
(:func:`corridor_map.core.markup.md_escape`); tables show values as data, never markup.
"""

from __future__ import annotations

import contextlib
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import streamlit as st

from corridor_map.core.errors import CorridorMapError
from corridor_map.core.i18n import t
from corridor_map.core.markup import md_escape
from corridor_map.core.roles import Role, User, can
from corridor_map.core.settings import Settings
from corridor_map.curation import comments as cm
from corridor_map.curation import proposals as pr
from corridor_map.curation.db import Database, open_database
from corridor_map.curation.edits import Official
from corridor_map.curation.postgres import open_curation_store
from corridor_map.curation.store import FeatureState, Store

__all__ = [
    "comment_target",
    "comments_section",
    "curation_backend",
    "feature_state",
    "propose_form",
    "review_section",
    "show_flash",
    "trail_section",
]

#: properties a proposal may change through the form (the rest have their own edits).
FORM_FIELDS = ("name_zh", "name_en", "status", "role", "parent", "within", "stated")
GEOMETRY_BASES = ("official", "public_coordinates", "osm", "schematic")


@contextlib.contextmanager
def curation_backend(settings: Settings, data_root: Path) -> Iterator[tuple[Store, Database]]:
    """The store and its side tables for one run of the page, closed at its end.

    One connection per run: a Streamlit session's reruns may run on different threads,
    and neither driver's connection may be shared across threads.
    """
    store = open_curation_store(settings.db_url, data_root)
    db = open_database(settings.db_url, data_root)
    try:
        cm.ensure_comment_tables(db)
        pr.ensure_proposal_tables(db)
        yield store, db
    finally:
        db.close()
        store.close()


def _show(value: Any) -> str:
    # st.table renders its cells as Markdown (links, formatting): escape them.
    return "" if value is None else md_escape(json.dumps(value, ensure_ascii=False))


def _sketch(before: dict[str, Any] | None, after: dict[str, Any] | None) -> bytes | None:
    """PNG: the geometry now (grey, dashed) and proposed (blue), lon/lat axes."""
    if before is None and after is None:
        return None
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure
    from shapely.geometry import shape

    figure = Figure(figsize=(4, 3), dpi=100)
    axes = figure.add_subplot()
    for geometry, color, dashes in ((before, "#888888", "--"), (after, "#1f6f8b", "-")):
        if geometry is None:
            continue
        geom = shape(geometry)
        for part in getattr(geom, "geoms", [geom]):
            boundary = part.exterior if part.geom_type == "Polygon" else part
            if boundary.geom_type == "Point":
                axes.plot([boundary.x], [boundary.y], marker="o", color=color)
            else:
                xs, ys = boundary.xy
                axes.plot(list(xs), list(ys), color=color, linestyle=dashes)
    axes.set_aspect("equal", adjustable="datalim")
    axes.tick_params(labelsize=7)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", bbox_inches="tight")
    return buffer.getvalue()


def _report(exc: CorridorMapError) -> None:
    st.error(md_escape(str(exc)))


def _flash(message: str) -> None:
    """Keep a success message across the rerun that redraws the lists with the change."""
    st.session_state["review_flash"] = message
    st.rerun()


def show_flash() -> None:
    """Show (once) the messages :func:`_flash` and the review buttons kept."""
    message = st.session_state.pop("review_flash", None)
    if message:
        st.success(md_escape(message))
    error = st.session_state.pop("review_error", None)
    if error:
        st.error(md_escape(error))
    conflict = st.session_state.pop("review_conflict", None)
    if conflict:
        # Both states, for the reviewer to merge by hand (st.json shows data, not markup).
        st.json(conflict, expanded=False)


def review_section(
    store: Store, db: Database, settings: Settings, data_root: Path, user: User | None, lang: str
) -> None:
    """Open proposals with before/after and the diff; accept/reject for curators."""
    st.subheader(t("review_open", lang))
    items = pr.proposals(db, status="open")
    if not items:
        st.caption(t("review_none", lang))
    for item in items:
        seen = pr.review(db, store, item.id)
        with st.container(border=True, key=f"proposal_{item.id}"):
            st.markdown(
                f"**#{item.id} · {md_escape(item.feature)}** · {md_escape(item.author_label)} "
                f"· {md_escape(item.time)}"
            )
            st.markdown(f"{t('review_reason', lang)}: {md_escape(item.reason)}")
            st.markdown(f"{t('review_source', lang)}: {md_escape(item.source)}")
            if seen.stale:
                st.warning(t("review_stale", lang))
            rows = [
                {
                    t("review_field", lang): md_escape(name),
                    t("review_before", lang): _show(old),
                    t("review_after", lang): _show(new),
                }
                for name, old, new in seen.diff
            ]
            if rows:
                st.table(rows)
            if seen.geometry_changed:
                png = _sketch(seen.before["geometry"], seen.after["geometry"])
                if png:
                    st.image(png, caption=t("review_sketch", lang))
            if can(Role.CURATOR, user):
                _decide_controls(settings, data_root, item, lang)


def _decide_controls(settings: Settings, data_root: Path, item: pr.Proposal, lang: str) -> None:
    st.text_input(t("review_note", lang), key=f"note_{item.id}")
    left, right = st.columns(2)
    left.button(
        t("review_accept", lang),
        key=f"accept_{item.id}",
        type="primary",
        on_click=_decide,
        args=(settings, data_root, item.id, "accept", lang),
    )
    right.button(
        t("review_reject", lang),
        key=f"reject_{item.id}",
        on_click=_decide,
        args=(settings, data_root, item.id, "reject", lang),
    )


def _decide(settings: Settings, data_root: Path, proposal_id: int, verdict: str, lang: str) -> None:
    """A click on accept/reject. Streamlit runs it before the next run of the page, for a
    button the previous run drew, so the user is resolved again here, on the server, and
    the action checks that user's role itself: a role withdrawn since the page was
    drawn is refused by the action, not merely by a button no longer drawn."""
    from corridor_map.ui.auth import current_user

    note = str(st.session_state.get(f"note_{proposal_id}", ""))
    try:
        user = current_user(settings)
        with curation_backend(settings, data_root) as (store, db):
            if verdict == "accept":
                decided, change = pr.accept(
                    db, store, data_root / "layers", user, proposal_id, note
                )
                message = f"{t('review_accepted', lang)} #{decided.id} → {change.id}"
            else:
                decided = pr.reject(db, user, proposal_id, note)
                message = f"{t('review_rejected', lang)} #{decided.id}"
    except pr.ProposalConflictError as exc:
        st.session_state["review_error"] = str(exc)
        st.session_state["review_conflict"] = {
            "based_on": exc.based_on,
            "current": exc.current.record(),
        }
    except CorridorMapError as exc:
        st.session_state["review_error"] = str(exc)
    else:
        st.session_state["review_flash"] = message


def trail_section(db: Database, lang: str) -> None:
    """Decided proposals: who proposed, who reviewed, when, why (readable by everyone)."""
    st.subheader(t("review_trail", lang))
    decided = [p for p in pr.proposals(db) if p.status != "open"]
    if not decided:
        st.caption(t("review_none", lang))
        return
    st.dataframe(
        [
            {
                "#": p.id,
                t("review_feature", lang): p.feature,
                t("review_status", lang): t(f"review_status_{p.status}", lang),
                t("review_proposer", lang): p.author_label,
                t("review_reason", lang): p.reason,
                t("review_reviewer", lang): p.decided_by,
                t("review_time", lang): p.decided_at,
                t("review_note", lang): p.note,
                t("review_change", lang): p.change,
            }
            for p in reversed(decided)
        ],
        hide_index=True,
    )


def feature_state(store: Store, feature_id: str, lang: str) -> FeatureState:
    """The feature as published now: version, geometry basis and source (for everyone)."""
    state = store.feature(feature_id)
    props = state.properties
    official = props.get("geometry_official") or {}
    st.markdown(
        f"**{md_escape(props.get('name_zh') or feature_id)}** · "
        f"{t('review_version', lang)} {state.version} · "
        f"{t('geometry', lang)}: {md_escape(props.get('geometry_basis'))}"
    )
    st.caption(
        md_escape(
            " · ".join(
                str(x)
                for x in (
                    props.get("geometry_source"),
                    official.get("supplier"),
                    official.get("reference"),
                    official.get("date"),
                )
                if x
            )
        )
    )
    return state


def _parse_value(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


def propose_form(store: Store, db: Database, user: User | None, feature_id: str, lang: str) -> None:
    """A contributor's proposal for one feature: fields or a geometry, reason and source."""
    if not can(Role.CONTRIBUTOR, user):
        st.caption(t("review_need_contributor", lang))
        return
    with st.form("propose", clear_on_submit=False):
        kind = st.radio(
            t("review_kind", lang),
            ("geometry", "set"),
            format_func=lambda k: t(f"review_kind_{k}", lang),
            horizontal=True,
        )
        field = st.selectbox(t("review_field", lang), FORM_FIELDS)
        value = st.text_input(t("review_value", lang))
        geometry_text = st.text_area(t("review_geojson", lang), height=100)
        basis = st.selectbox(t("geometry", lang), GEOMETRY_BASES)
        precision = st.number_input(t("review_precision", lang), min_value=0.0, value=50.0)
        geometry_source = st.text_input(t("review_geometry_source", lang))
        supplier = st.text_input(t("review_supplier", lang))
        reference = st.text_input(t("review_reference", lang))
        date = st.text_input(t("review_date", lang))
        reason = st.text_input(t("review_reason", lang))
        source = st.text_input(t("review_source", lang))
        submitted = st.form_submit_button(t("review_propose", lang))
    if not submitted:
        return
    try:
        if kind == "set":
            item = pr.propose_fields(
                db, store, user, feature_id, {field: _parse_value(value)},
                reason=reason, source=source,
            )  # fmt: skip
        else:
            try:
                geometry = json.loads(geometry_text)
            except ValueError as exc:
                raise pr.ProposalError(f"{feature_id}: geometry: {exc}") from None
            if isinstance(geometry, dict) and geometry.get("type") == "Feature":
                geometry = geometry.get("geometry")
            official = Official(supplier, reference, date) if basis == "official" else None
            item = pr.propose_geometry(
                db, store, user, feature_id, geometry if isinstance(geometry, dict) else {},
                basis=basis, precision_m=float(precision), geometry_source=geometry_source,
                reason=reason, source=source, official=official,
            )  # fmt: skip
    except CorridorMapError as exc:
        _report(exc)
    else:
        _flash(f"{t('review_proposed', lang)} #{item.id}")


def comment_target(names: dict[str, str], lang: str) -> cm.Target | None:
    """Pick what to comment on: a feature, a document paragraph or a point on the map."""
    from corridor_map.core.vocab import REGION
    from corridor_map.documents.corpus import load_corpus

    kind = st.radio(
        t("comment_on", lang),
        ("feature", "paragraph", "point"),
        format_func=lambda k: t(f"comment_on_{k}", lang),
        horizontal=True,
        key="comment_kind",
    )
    if kind == "feature":
        about = st.selectbox(
            t("review_pick_feature", lang),
            list(names),
            format_func=lambda i: f"{names[i]} ({i})",
            key="comment_feature",
        )
        return cm.Target.feature(about) if about else None
    if kind == "paragraph":
        documents = load_corpus().documents
        doc_id = st.selectbox(
            t("comment_document", lang),
            list(documents),
            format_func=lambda d: documents[d].title,
            key="comment_document",
        )
        if not doc_id:
            return None
        paragraphs = {p.id: p.text for p in documents[doc_id].paragraphs}
        paragraph_id = st.selectbox(
            t("comment_paragraph", lang),
            list(paragraphs),
            format_func=lambda p: f"{p} · {paragraphs[p][:40]}",
            key="comment_paragraph",
        )
        return cm.Target.paragraph(doc_id, paragraph_id) if paragraph_id else None
    lon_min, lat_min, lon_max, lat_max = REGION
    left, right = st.columns(2)
    lon = left.number_input(
        t("comment_lon", lang), lon_min, lon_max, (lon_min + lon_max) / 2, format="%.6f"
    )
    lat = right.number_input(
        t("comment_lat", lang), lat_min, lat_max, (lat_min + lat_max) / 2, format="%.6f"
    )
    return cm.Target.point(float(lon), float(lat))


def comments_section(db: Database, user: User | None, target: cm.Target, lang: str) -> None:
    """The comments on one target, resolve/reopen, and a new comment for commenters."""
    for comment in cm.comments(db, target):
        with st.container(border=True, key=f"comment_{comment.id}"):
            st.markdown(cm.as_markdown(comment))
            mine = user is not None and comment.author == user.author
            if mine or can(Role.CURATOR, user):
                label = "comment_reopen" if comment.status == "resolved" else "comment_resolve"
                if st.button(t(label, lang), key=f"{label}_{comment.id}"):
                    try:
                        if comment.status == "resolved":
                            cm.reopen_comment(db, user, comment.id)
                        else:
                            cm.resolve_comment(db, user, comment.id)
                    except CorridorMapError as exc:
                        _report(exc)
                    else:
                        st.rerun()
    if not can(Role.COMMENTER, user):
        st.caption(t("comment_need_commenter", lang))
        return
    with st.form(f"comment_{target.kind}_{target.key}", clear_on_submit=True):
        text = st.text_area(t("comment_new", lang), max_chars=cm.MAX_COMMENT_CHARS)
        if st.form_submit_button(t("comment_add", lang)):
            try:
                cm.add_comment(db, user, target, text)
            except CorridorMapError as exc:
                _report(exc)
            else:
                st.rerun()
