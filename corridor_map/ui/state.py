"""The session's shared state and its URL codec.

What the user is looking at (language, basemap, selection, document filter, the reader,
the measuring sketch, the travel settings) lives in ``st.session_state``; the URL carries
it (``?lang=&basemap=&sel=&doc=&at=&sketch=`` and the travel page's ``tv=&tp=…``) so a
link or a reload reproduces the view. The page itself is the URL's path (``st.navigation``); an old
``?view=`` link is read once and lands on its page.

A URL is typed by anyone: every parameter is read within a length limit, a list (``sel``
given many ids, repeated keys, a sketch's points) within a count limit, and a selection
only when the atlas holds it; what is dropped is said once, escaped, in the UI language.
"""

from __future__ import annotations

from collections.abc import Callable, Container, Sequence
from dataclasses import dataclass, field

import streamlit as st

from corridor_map.core.errors import CorridorMapError
from corridor_map.core.i18n import normalize_language, t
from corridor_map.core.markup import md_escape
from corridor_map.ui import map_component, memory
from corridor_map.webmap import basemaps as map_basemaps


def _flag(text: str) -> bool:
    return text == "1"


def _flag_text(value: object) -> str:
    return "1" if value else "0"


#: URL parameter → (session key, parse, write): the travel page's settings (widget keys of
#: pages/travel_targets.py). Written while the page's widgets hold them.
TRAVEL_PARAMS: dict[str, tuple[str, Callable[[str], object], Callable[[object], str]]] = {
    "tc": ("travel_compare", _flag, _flag_text),
    "tv": ("travel_speed", float, "{:g}".format),
    "tp": ("travel_planned", _flag, _flag_text),
    "tr": ("travel_rail", _flag, _flag_text),
    "tvb": ("travel_speed_b", float, "{:g}".format),
    "tpb": ("travel_planned_b", _flag, _flag_text),
    "trb": ("travel_rail_b", _flag, _flag_text),
    "tt": ("travel_target", str, str),
    "io": ("iso_from", str, str),
    "im": ("iso_min", int, str),
}
#: Coordinates in the URL's sketch: 5 decimals of a degree, about a metre.
_SKETCH_DECIMALS = 5
_SKETCH_MODES = {"l": "line", "p": "polygon"}
#: Longest id read from a URL (the atlas's longest is under 40 characters).
MAX_ID_CHARS = 80
#: Ids of one list parameter looked at; the rest are dropped unread (a 10,000-id link is
#: not echoed back, nor looked up 10,000 times).
MAX_URL_IDS = 20
#: Points of a sketch read from a URL (each about 20 characters).
MAX_SKETCH_POINTS = 1_000
#: Longest value of any other parameter (numbers, flags, a language, a view).
MAX_PARAM_CHARS = 200
#: Dropped values named in the notice, each shortened to this many characters.
_NOTICE_IDS = 3
_NOTICE_ID_CHARS = 40


def encode_sketch(points: Sequence[Sequence[float]], mode: str) -> str:
    """The measuring sketch as ``l:lon,lat;lon,lat…`` (``p:`` for a polygon)."""
    code = "p" if mode == "polygon" else "l"
    pairs = ";".join(
        f"{lon:.{_SKETCH_DECIMALS}f},{lat:.{_SKETCH_DECIMALS}f}" for lon, lat in points
    )
    return f"{code}:{pairs}"


def decode_sketch(text: str | None) -> tuple[list[list[float]], str] | None:
    """Parse :func:`encode_sketch`; None when absent, malformed (WGS84 ranges checked) or
    longer than :data:`MAX_SKETCH_POINTS`."""
    if not text or ":" not in text or text.count(";") >= MAX_SKETCH_POINTS:
        return None
    code, _, pairs = text.partition(":")
    if code not in _SKETCH_MODES:
        return None
    points = []
    try:
        for pair in filter(None, pairs.split(";")):
            lon_s, lat_s = pair.split(",")
            lon, lat = float(lon_s), float(lat_s)
            if not (-180 <= lon <= 180 and -90 <= lat <= 90):
                return None
            points.append([lon, lat])
    except ValueError:
        return None
    return (points, _SKETCH_MODES[code]) if points else None


@dataclass
class UrlReading:
    """What a URL gave, within the limits, and what was dropped from it.

    Attributes
    ----------
    values : dict
        Parameter → its one value (the last of repeated keys), each within the limits.
    dropped : list of str
        Parameter names whose value was too long, or held too many ids or points.
    ids_dropped : list of str
        Ids of ``sel`` not used (unknown, too long, or beyond the first known one), as
        given; at most :data:`MAX_URL_IDS` of them are kept, :attr:`ids_unread` counts
        the rest.
    """

    values: dict[str, str] = field(default_factory=dict)
    dropped: list[str] = field(default_factory=list)
    ids_dropped: list[str] = field(default_factory=list)
    ids_unread: int = 0

    @property
    def anything_dropped(self) -> bool:
        """Whether the notice is due."""
        return bool(self.dropped or self.ids_dropped or self.ids_unread)


def _limit(name: str) -> int:
    if name == "sketch":
        return MAX_SKETCH_POINTS * 24
    return MAX_PARAM_CHARS


def read_params(values: dict[str, list[str]]) -> UrlReading:
    """Read URL parameters (name → every value given) within the limits.

    ``sel`` is a list (comma-separated, or repeated keys): its ids are kept in
    :attr:`UrlReading.values` comma-joined for :func:`decode_selection`, at most
    :data:`MAX_URL_IDS` of them, each at most :data:`MAX_ID_CHARS` long. Any other
    parameter keeps its last value when within its length limit, else it is dropped whole
    (a shortened value would be another value).
    """
    reading = UrlReading()
    for name, given in values.items():
        if not given:
            continue
        if name == "sel":
            ids = [i for v in given for i in v.split(",") if i.strip()]
            kept = ids[:MAX_URL_IDS]
            reading.ids_unread = len(ids) - len(kept)
            short = [i.strip() for i in kept if len(i.strip()) <= MAX_ID_CHARS]
            reading.ids_dropped = [i for i in kept if len(i.strip()) > MAX_ID_CHARS]
            if short:
                reading.values["sel"] = ",".join(short)
            continue
        value = given[-1]
        if len(given) > MAX_URL_IDS or len(value) > _limit(name):
            reading.dropped.append(name)
        else:
            reading.values[name] = value
    return reading


def decode_selection(reading: UrlReading, known: Container[str] | None) -> str | None:
    """The selection a URL asks for: its first id the atlas holds (None: none).

    The other ids go to :attr:`UrlReading.ids_dropped`. With ``known`` None (the atlas
    could not be read) the first id is kept and the page reports it.
    """
    ids = [i for i in reading.values.get("sel", "").split(",") if i]
    chosen = next((i for i in ids if known is None or i in known), None)
    reading.ids_dropped.extend(i for i in ids if i != chosen)
    return chosen


def dropped_notice(reading: UrlReading, lang: str) -> str:
    """The one-line notice of what a URL lost, Markdown-escaped, in ``lang``."""
    shown = [
        i if len(i) <= _NOTICE_ID_CHARS else i[: _NOTICE_ID_CHARS - 1] + "…"
        for i in reading.ids_dropped[:_NOTICE_IDS]
    ]
    count = len(reading.ids_dropped) + reading.ids_unread
    parts = []
    if count:
        listed = "、".join(shown) if lang == "zh" else ", ".join(shown)
        more = count - len(shown)
        if more:
            listed += t("url_dropped_more", lang).format(n=more)
        parts.append(t("url_dropped_ids", lang).format(n=count, ids=listed))
    if reading.dropped:
        parts.append(t("url_dropped_params", lang).format(names=", ".join(reading.dropped)))
    return md_escape(" ".join(parts))


def _known_ids() -> Container[str] | None:
    from corridor_map.ui import data

    try:
        return data.atlas()
    except CorridorMapError:
        return None  # the page lists the data's error


def _restore_travel(params: dict[str, str]) -> None:
    for name, (key, parse, _) in TRAVEL_PARAMS.items():
        raw = params.get(name)
        if raw is None:
            continue
        try:
            st.session_state[key] = parse(raw)
        except ValueError:
            continue  # a hand-edited link: the page's default stands


def init_state(basemaps: Sequence[str]) -> None:
    """Restore selection, basemap and language from the URL once per session."""
    state = st.session_state
    params = st.query_params
    if state.get("_cm_init"):
        # The language is a widget's value: Streamlit drops it after a run that did not
        # draw the widget (a page switch stops the run before the sidebar). Keep it.
        state["lang"] = state.get("lang") or normalize_language(params.get("lang"))
        return
    reading = read_params({name: params.get_all(name) for name in params})
    given = reading.values
    state["lang"] = normalize_language(given.get("lang"))
    basemap = given.get("basemap")
    state["basemap"] = basemap if basemap in basemaps else map_basemaps.DEFAULT_BASEMAP
    state["selected"] = decode_selection(reading, _known_ids()) if "sel" in given else None
    state["reader"] = None
    state["doc_filter"] = given.get("doc") or None
    state["_cm_view"] = map_component.parse_view(given.get("at"))
    # An old link's ?view=: the frame switches to that page once (see pending_page).
    state["_cm_goto"] = given.get("view") or None
    if state["selected"]:
        state["_cm_frame"] = {"seq": 1, "select": state["selected"]}
    elif state["doc_filter"]:
        state["_cm_frame"] = {"seq": 1, "doc": state["doc_filter"]}
    sketch = decode_sketch(given.get("sketch"))
    if sketch:
        state["measure_pts"], state["measure_mode"] = sketch
    _restore_travel(given)
    state["_cm_init"] = True
    memory.watch_session_end(state)
    memory.start_reaper()
    if reading.anything_dropped:
        st.warning(dropped_notice(reading, state["lang"]), icon=":material/link_off:")


def goto(page: str) -> None:
    """Ask the frame to switch to ``page`` on the next run (a callback cannot switch)."""
    st.session_state["_cm_goto"] = page


def pending_page() -> str | None:
    """The page asked for by :func:`goto` or an old ``?view=`` link, once (None: none)."""
    return st.session_state.pop("_cm_goto", None)


def wanted_params() -> dict[str, str]:
    """The URL parameters that reproduce the session's view."""
    state = st.session_state
    wanted = {"lang": state["lang"], "basemap": state["basemap"]}
    if state.get("selected"):
        wanted["sel"] = state["selected"]
    if state.get("doc_filter"):
        wanted["doc"] = state["doc_filter"]
    points = state.get("measure_pts")
    if points:
        wanted["sketch"] = encode_sketch(points, state.get("measure_mode", "line"))
    for name, (key, _, write) in TRAVEL_PARAMS.items():
        if state.get(key) is not None:
            wanted[name] = write(state[key])
    # The map writes its own centre and zoom (?at=) without a rerun; keep it (a sane one).
    at = st.query_params.get("at")
    if at and len(at) <= MAX_PARAM_CHARS:
        wanted["at"] = at
    return wanted


def sync_query_params() -> None:
    """Write the session's view into the URL when it differs."""
    wanted = wanted_params()
    if dict(st.query_params) != wanted:
        st.query_params.from_dict(wanted)


def next_frame_seq() -> int:
    """A new sequence number: the map frames a target once per new number."""
    return int((st.session_state.get("_cm_frame") or {}).get("seq", 0)) + 1


def select(feature_id: str | None) -> None:
    """Select a feature chosen outside the map (search, hierarchy, list) and frame it."""
    st.session_state["selected"] = feature_id
    st.session_state["reader"] = None
    st.session_state["panel_closed"] = False
    st.session_state["_cm_frame"] = {"seq": next_frame_seq(), "select": feature_id}


def filter_map(doc_id: str | None, show_map: bool = False) -> None:
    """Filter the map to the features citing a document (None: all) and frame them."""
    doc_id = doc_id or None  # "": the picker's "all features"
    st.session_state["doc_filter"] = doc_id
    if doc_id:
        st.session_state["_cm_frame"] = {"seq": next_frame_seq(), "doc": doc_id}
    if show_map:
        goto("map")


def map_needs_atlas() -> bool:
    """Whether the map draws something that depends on the atlas (selection, filter, frame)."""
    state = st.session_state
    return bool(state.get("selected") or state.get("doc_filter") or state.get("_cm_frame"))


def on_map_event(event: map_component.MapEvent) -> None:
    """A click on the map selects without reframing: the user is looking right there."""
    if event.kind == "select" and event.feature_id:
        st.session_state["selected"] = event.feature_id
        st.session_state["reader"] = None
        st.session_state["panel_closed"] = False


def open_reader(doc_id: str, paragraph_id: str | None, quote: str | list[str], slot: str) -> None:
    """Open the reader at a paragraph; ``slot`` names the button it opened from."""
    st.session_state["reader"] = {"doc": doc_id, "p": paragraph_id, "quote": quote, "slot": slot}


def close_reader() -> None:
    """Close the reader."""
    st.session_state["reader"] = None


def copy_widget(widget_key: str, state_key: str) -> None:
    """Copy a widget's value into the shared state (a widget per language keeps its labels)."""
    st.session_state[state_key] = st.session_state[widget_key]
