"""Small widgets the pages share: lazy expanders, download buttons, the format choice,
and long work run under a time limit with its steps shown."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import streamlit as st

from corridor_map.core.errors import CorridorMapError
from corridor_map.core.i18n import t
from corridor_map.core.markup import md_escape
from corridor_map.core.progress import Progress, TimeLimitError

if TYPE_CHECKING:
    from corridor_map.outputs import export

T = TypeVar("T")

#: Session key of the one prepared file a session holds (the next one replaces it; the
#: session's end releases it).
PREPARED_KEY = "_cm_prepared"


def lazy_expander(label: str, key: str) -> Any:
    """An expander whose content the caller writes only while it is open (``.open``)."""
    return st.expander(label, key=key, on_change="rerun")


def run_job(
    title: str, what: str, work: Callable[[Progress], T], lang: str, limit_s: float
) -> T | None:
    """Run long work in a status box naming each step, stopped at ``limit_s`` seconds.

    Parameters
    ----------
    title
        The box's label (the button's label).
    what
        What the messages name (a file name).
    work
        Called with the :class:`Progress` it must report its steps to.

    Returns
    -------
    The work's result; None when it stopped (at the limit, or on a data error): the box
    and one line below it say why, and nothing was kept.
    """
    with st.status(title, expanded=True) as box:

        def shown(name: str) -> None:
            label = t(f"job_step_{name}", lang)
            box.update(label=f"{title} · {label}")
            box.caption(label)

        details: list[str] = []
        try:
            result = work(Progress(what, limit_s, shown))
        except TimeLimitError as exc:
            message = md_escape(exc.message(lang))
            box.update(label=f"{title} · {t('job_stopped', lang)}", state="error", expanded=False)
        except CorridorMapError as exc:
            # The whole message: a data error's lines name each file, feature and field.
            first, *details = str(exc).splitlines()
            message = md_escape(first)
            box.update(label=f"{title} · {t('job_failed', lang)}", state="error", expanded=False)
        else:
            box.update(label=f"{title} · {t('job_done', lang)}", state="complete", expanded=False)
            return result
    st.error(message)
    if details:
        st.text("\n".join(details))
    return None


def _prepared(item: export.Download, key: str, lang: str, limit_s: float) -> None:
    """A long file: a button that makes it (steps shown, time limit), then its download."""
    held = st.session_state.get(PREPARED_KEY)
    if not (held and held["key"] == key and held["file_name"] == item.file_name):
        if not st.button(item.label, key=f"{key}-make"):
            return
        assert item.build is not None
        data = run_job(item.label, item.file_name, item.build, lang, limit_s)
        if data is None:
            return
        held = {"key": key, "file_name": item.file_name, "data": data}
        st.session_state[PREPARED_KEY] = held
    st.download_button(
        f"{item.label} ↓",
        held["data"],
        file_name=item.file_name,
        mime=item.mime,
        key=key,
        on_click="ignore",
        type="primary",
    )


def _within(build: Callable[[Progress], bytes], name: str, limit_s: float) -> bytes:
    # The clock starts at the click (Streamlit calls this then), not when the page ran.
    return build(Progress(name, limit_s))


def download_buttons(
    items: list[export.Download],
    prefix: str,
    lang: str = "zh",
    limit_s: float | None = None,
) -> None:
    """One download button per file; files are built on click, not on every rerun.

    With ``limit_s`` given, a long file (``item.prepare``, e.g. a printed map) is first
    prepared by a button, its steps shown (see :func:`run_job`); any other file with a
    ``build`` is made on click within the limit (past it the download fails and nothing
    is kept).
    """
    for item in items:
        if item.build is not None and limit_s is not None and item.prepare:
            _prepared(item, f"{prefix}-{item.key}", lang, limit_s)
            continue
        make = item.make
        if item.build is not None and limit_s is not None:
            make = functools.partial(_within, item.build, item.file_name, limit_s)
        st.download_button(
            item.label,
            make,
            file_name=item.file_name,
            mime=item.mime,
            key=f"{prefix}-{item.key}",
            on_click="ignore",
        )


def format_choice(lang: str, key: str) -> str:
    """The download format picker; returns the chosen format's key."""
    from corridor_map.outputs import export

    return str(
        st.selectbox(
            t("download_format", lang),
            list(export.FORMATS),
            format_func=export.format_label,
            key=key,
        )
    )
