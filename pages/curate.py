"""Curation page: a feature's state and history; with curation on, replace its geometry
from an official file (previewed first) and revert a change.

Read-only unless ``CORRIDOR_MAP_CURATION=on`` (:class:`corridor_map.core.settings.Settings`
``.curation``) and a curator is signed in; every save resolves the user on the server again
(:func:`corridor_map.ui.auth.require_session`) and writes its author. Every save goes through
:mod:`corridor_map.curation.edits`, the same validated and recorded path as the CLI; the
map, the panel and every view read the published layers and follow it at once.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from corridor_map.analysis import uploads
from corridor_map.core.errors import CorridorMapError
from corridor_map.core.i18n import basis_name, t
from corridor_map.core.markup import md_escape
from corridor_map.core.paths import data_root, layers_dir
from corridor_map.core.roles import Role, RoleError, can
from corridor_map.core.settings import load_settings
from corridor_map.curation import edits
from corridor_map.curation.postgres import open_curation_store
from corridor_map.curation.store import Store, store_present
from corridor_map.ui import auth
from corridor_map.views import tables

lang = st.session_state.get("lang", "zh")
settings = load_settings()


def _store() -> Store:
    # Opened on every run (a few milliseconds): a SQLite connection belongs to the thread
    # that made it, and Streamlit runs a session's reruns on different threads.
    return open_curation_store(settings.db_url, data_root())


def _history_rows(changes: list[Any]) -> list[dict[str, Any]]:
    return [
        {
            t("curate_col_id", lang): c.id,
            t("curate_col_time", lang): c.time,
            t("curate_col_author", lang): c.author,
            t("curate_col_kind", lang): c.kind,
            t("curate_col_reason", lang): c.reason,
            t("curate_col_source", lang): c.source,
            t("curate_col_before", lang): edits.state_summary(c.before),
            t("curate_col_after", lang): edits.state_summary(c.after),
        }
        for c in reversed(changes)
    ]


def _preview(upload: Any, crs: str) -> Any:
    """The measure view's reader on the uploaded file; shows its measures or the error."""
    try:
        out = uploads.measure_upload(upload.getvalue(), upload.name, crs)
        imported = uploads.read_upload(upload.getvalue(), upload.name, crs)
    except CorridorMapError as exc:
        st.error(md_escape(uploads.error_text(exc, lang)))
        return None
    st.caption(t("curate_preview", lang))
    st.dataframe(tables.measure_rows(out["result"], lang), hide_index=True)
    for warning in out["result"]["warnings"]:
        st.warning(md_escape(warning))
    return imported


def _geometry_form(store: Store, feature_id: str, version: int) -> None:
    st.subheader(t("curate_geometry", lang))
    upload = st.file_uploader(t("curate_upload", lang), key="curate_upload")
    crs = st.selectbox(
        t("curate_crs", lang),
        uploads.DECLARED_CRS_CHOICES,
        key="curate_crs",
        format_func=lambda c: t(f"crs_{c}", lang),
    )
    imported = _preview(upload, crs) if upload is not None else None
    labels = tables.shape_labels(imported.shapes, lang) if imported is not None else []
    with st.form("curate_geometry_form"):
        # The file's shapes by their own attributes: nobody must know its field names.
        picked = st.selectbox(
            t("curate_pick", lang), range(len(labels)), format_func=labels.__getitem__
        )
        supplier = st.text_input(t("curate_supplier", lang))
        reference = st.text_input(t("curate_reference", lang))
        date = st.text_input(t("curate_date", lang), placeholder="2026-03-01")
        precision = st.number_input(t("curate_precision", lang), min_value=0.0, value=5.0)
        reason = st.text_input(t("curate_reason", lang))
        source = st.text_input(t("curate_source", lang))
        submitted = st.form_submit_button(t("curate_save", lang), disabled=imported is None)
    if not submitted or imported is None:
        return
    try:
        official = edits.Official(supplier.strip(), reference.strip(), date.strip())
        if not all((official.supplier, official.reference, official.date)):
            raise CorridorMapError(
                f"{t('curate_supplier', lang)} / {t('curate_reference', lang)} / "
                f"{t('curate_date', lang)}"
            )
        if picked is None or imported.shapes[picked][1] is None:
            raise CorridorMapError(f"{imported.name}: {t('curate_no_geometry', lang)}")
        geometry = imported.shapes[picked][1]
        described = (
            f"read from {imported.name} ({imported.format}, {imported.source_crs}), "
            f"{labels[picked]}"
        )
        change = edits.replace_geometry(
            store,
            layers_dir(),
            feature_id,
            geometry,
            basis="official",
            precision_m=float(precision),
            geometry_source=edits.describe_geometry(official, described, source),
            provenance=edits.Provenance(_author(), reason, f"{source} [{imported.name}]"),
            official=official,
            expected_version=version,
        )
    except CorridorMapError as exc:
        st.error(md_escape(str(exc)))
        return
    _saved(change.id)


def _saved(change_id: int) -> None:
    # Run the page again so that the state and the history above show the change.
    st.session_state["curate_notice"] = f"{t('curate_saved', lang)} #{change_id}"
    st.rerun()


def _author() -> str:
    """The signed-in curator, resolved on the server at the moment of saving."""
    return auth.require_session(Role.CURATOR, settings).author


def _link_proposals(store: Store, enabled: bool) -> None:
    """The linker's proposals for one document; a curator accepts one as an excerpt link."""
    from corridor_map.analysis.linker import Linker
    from corridor_map.atlas.aliases import load_aliases
    from corridor_map.atlas.model import load_atlas
    from corridor_map.documents.corpus import load_corpus

    st.subheader(t("curate_links", lang))
    corpus = load_corpus()
    doc_id = st.selectbox(
        t("curate_links_doc", lang),
        list(corpus.documents),
        format_func=lambda d: f"《{corpus.documents[d].title}》",
        key="curate_links_doc",
    )
    linked = Linker(load_atlas(), load_aliases()).link(corpus.documents[doc_id])
    # a proposal whose span a feature already quotes from this document is done
    cited = [
        (state.id, str(source.get("quote")))
        for state in store.features()
        for source in state.properties.get("sources") or []
        if isinstance(source, dict) and source.get("doc") == doc_id
    ]
    fresh = [
        p
        for p in linked.proposals
        if not any(fid == p.feature_id and p.span in quote for fid, quote in cited)
    ]
    st.caption(t("curate_links_count", lang).format(total=len(linked.proposals), fresh=len(fresh)))
    for number, proposal in enumerate(fresh[:50]):
        left, right = st.columns([5, 1])
        left.markdown(
            md_escape(
                f"{proposal.feature_name} ({proposal.feature_id}) · {proposal.paragraph_id} · "
                f"{proposal.confidence:.2f} · {proposal.why}"
            )
            + "  \n"
            + md_escape(f"“{proposal.quote}”")
        )
        if enabled and right.button(t("curate_links_accept", lang), key=f"link-{number}"):
            try:
                change = edits.link_excerpt(
                    store,
                    layers_dir(),
                    proposal.feature_id,
                    doc_id,
                    proposal.quote,
                    provenance=edits.Provenance(
                        _author(), t("curate_links_reason", lang), f"{doc_id}: {proposal.quote}"
                    ),
                    paragraph=None if proposal.quote_unique else proposal.paragraph_id,
                )
            except CorridorMapError as exc:
                st.error(md_escape(str(exc)))
                return
            _saved(change.id)


def _revert_form(store: Store, changes: list[Any]) -> None:
    st.subheader(t("curate_revert", lang))
    with st.form("curate_revert_form"):
        change_id = st.selectbox(t("curate_revert_change", lang), [c.id for c in reversed(changes)])
        reason = st.text_input(t("curate_reason", lang))
        submitted = st.form_submit_button(t("curate_revert_button", lang))
    if not submitted:
        return
    try:
        change = edits.revert_change(
            store,
            layers_dir(),
            int(change_id),
            provenance=edits.Provenance(_author(), reason, ""),
        )
    except CorridorMapError as exc:
        st.error(md_escape(str(exc)))
        return
    _saved(change.id)


def _workbench(store: Store, curator: bool, enabled: bool) -> None:
    """The chosen feature's state, its geometry form, history, revert and link proposals."""
    states = store.features()
    labels = {
        s.id: f"{s.properties.get('name_zh')} / {s.properties.get('name_en')} ({s.id})"
        for s in states
    }
    feature_id = st.selectbox(
        t("curate_feature", lang),
        list(labels),
        format_func=labels.__getitem__,
        key="curate_feature",
    )
    state = store.feature(feature_id)
    props = state.properties
    st.markdown(
        md_escape(
            f"{t('geometry', lang)}: {basis_name(props.get('geometry_basis'), lang)}"
            # An unlocated place has no precision: no "±None m".
            + (
                f" · ±{precision:g} m"
                if isinstance(precision := props.get("precision_m"), int | float)
                else ""
            )
            + f" · {t('curate_version', lang)} {state.version}"
        )
    )
    st.caption(md_escape(str(props.get("geometry_source") or "")))
    if not settings.curation:
        st.info(t("curate_read_only", lang))
    elif not curator:
        st.info(t("curate_needs_curator", lang))
    else:
        _geometry_form(store, feature_id, state.version)
    changes = store.history(feature_id)
    st.subheader(t("curate_history", lang))
    if changes:
        st.dataframe(_history_rows(changes), hide_index=True)
        if enabled:
            _revert_form(store, changes)
    else:
        st.caption(t("curate_no_changes", lang))
    _link_proposals(store, enabled)


st.title(t("curate_title", lang))
notice = st.session_state.pop("curate_notice", None)
if notice:
    st.success(notice)
try:
    user = auth.current_user(settings)
except RoleError as exc:
    st.error(md_escape(str(exc)))
    user = None
curator = can(Role.CURATOR, user)
enabled = settings.curation and curator
# No st.stop() here: it would stop the app's frame too (no sidebar, no URL state).
if not settings.curation and not store_present(settings.db_url, data_root()):
    # Read-only and no change recorded yet: say so, and make no store.
    st.info(t("curate_read_only", lang))
    st.caption(t("curate_no_changes", lang))
else:
    try:
        _workbench(_store(), curator, enabled)
    except CorridorMapError as exc:
        st.error(md_escape(str(exc)))
