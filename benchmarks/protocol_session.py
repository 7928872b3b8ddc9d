"""A Streamlit session driven through the app's own websocket protocol, for load scripts.

A browser page costs a load script far more than the server it is meant to load: 50
headless Chromium pages on a two-core machine spend most of the CPU on Leaflet and React,
and their clicks measure the browsers' queue, not the server's. A reader session here is
what the server sees of a browser: one websocket on ``/_stcore/stream``, the page's first
run, the map bundle fetched once over HTTP, and per click the ``rerun_script`` message the
browser sends (recorded from a real Chromium click in the same run, so widget ids,
fragment id and page hash are the app's own), with only the selected id and the event's
sequence number changed. Click → panel is the time from sending that message to the
``ForwardMsg`` that carries the clicked feature's excerpt in the panel; the script's
``script_finished`` is awaited too, so the next click starts from an idle session, as a
person's would.

Used by ``benchmarks/load_bureaus.py``; the app and the tests never import it.
"""

from __future__ import annotations

import asyncio
import html
import json
import re
import time
import urllib.request
from dataclasses import dataclass
from typing import Any

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

EVENTS_SUFFIX = "cm_map__events"
_BUNDLE = re.compile(rb"/component/[A-Za-z0-9_.-]+/maps/[A-Za-z0-9_.-]+")
_TAG = re.compile(r"<[^>]*>")
_RERUN = ForwardMsg.ScriptFinishedStatus.FINISHED_EARLY_FOR_RERUN


class ProtocolError(RuntimeError):
    """The session saw something a browser would show as an error."""


@dataclass(frozen=True)
class ClickTemplate:
    """The ``rerun_script`` a real browser sent for a click on the map, to replay."""

    message: bytes  # serialized BackMsg

    @classmethod
    def from_frames(cls, frames: list[bytes]) -> ClickTemplate:
        """Pick the map-select rerun out of the websocket frames a browser sent."""
        for frame in frames:
            msg = BackMsg()
            msg.ParseFromString(frame)
            if msg.WhichOneof("type") != "rerun_script":
                continue
            for widget in msg.rerun_script.widget_states.widgets:
                if widget.id.endswith(EVENTS_SUFFIX) and '"select"' in widget.json_trigger_value:
                    return cls(frame)
        raise ProtocolError("no map click among the browser's websocket frames")

    def click(self, feature_id: str, seq: int) -> bytes:
        """The same message selecting ``feature_id`` as event number ``seq``."""
        msg = BackMsg()
        msg.ParseFromString(self.message)
        for widget in msg.rerun_script.widget_states.widgets:
            if widget.id.endswith(EVENTS_SUFFIX):
                widget.json_trigger_value = json.dumps(
                    [{"event": "select", "value": {"id": feature_id, "seq": seq}}]
                )
        return msg.SerializeToString()


def _first_run(query: str, url: str) -> bytes:
    msg = BackMsg()
    msg.rerun_script.query_string = query
    msg.rerun_script.widget_states.SetInParent()
    info = msg.rerun_script.context_info
    info.timezone, info.timezone_offset, info.locale = "UTC", 0, "zh-CN"
    info.url, info.is_embedded, info.color_scheme = url, False, "light"
    return msg.SerializeToString()


def _texts(msg: ForwardMsg) -> str:
    """The rendered text a delta carries (markdown or HTML body), '' for anything else."""
    if msg.WhichOneof("type") != "delta" or msg.delta.WhichOneof("type") != "new_element":
        return ""
    element = msg.delta.new_element
    kind = element.WhichOneof("type")
    if kind == "html":  # the text a browser shows: tags (highlight spans) dropped
        return html.unescape(_TAG.sub("", element.html.body))
    if kind == "markdown":
        return element.markdown.body
    return ""


class ProtocolSession:
    """One reader session on a running app, spoken to over its websocket.

    Parameters
    ----------
    base_url : str
        ``http://127.0.0.1:PORT`` of the app.
    query : str
        The page's query string (``lang=zh&basemap=none``).
    timeout_s : float
        The longest wait for any one step.
    """

    def __init__(self, base_url: str, query: str, timeout_s: float = 120.0) -> None:
        self.base_url = base_url
        self.query = query
        self.timeout_s = timeout_s
        self._ws: Any = None
        self._seq = 0
        self.exceptions: list[str] = []

    async def open(self) -> float:
        """Connect, run the page once and fetch its map bundle; return the seconds taken."""
        import websockets

        start = time.monotonic()
        ws_url = self.base_url.replace("http://", "ws://") + "/_stcore/stream"
        self._ws = await websockets.connect(
            ws_url,
            origin=self.base_url,
            max_size=None,
            open_timeout=self.timeout_s,
            subprotocols=["streamlit"],
        )
        await self._ws.send(_first_run(self.query, self.base_url + "/"))
        bundles: list[str] = []
        await self._until_finished(lambda _msg: False, bundles)
        if not bundles:
            raise ProtocolError("the page's first run sent no map bundle")
        await asyncio.to_thread(self._fetch, bundles[0])
        return time.monotonic() - start

    def _fetch(self, path: str) -> None:
        with urllib.request.urlopen(self.base_url + path, timeout=self.timeout_s) as response:
            response.read()

    async def click(self, template: ClickTemplate, feature_id: str, quote: str) -> float:
        """Select ``feature_id`` as the map would; return seconds until its excerpt arrives."""
        self._seq += 1
        start = time.monotonic()
        await self._ws.send(template.click(feature_id, self._seq))
        shown = await self._until_finished(lambda msg: quote in _texts(msg))
        if shown is None:
            raise ProtocolError(f"the panel of {feature_id} did not show its excerpt")
        return shown - start

    async def _until_finished(
        self, is_panel: Any, bundles: list[str] | None = None
    ) -> float | None:
        """Read messages until the run finishes; the time ``is_panel`` first held, if ever.

        ``bundles`` collects the map bundle paths the messages name (what the browser's
        component then fetches).
        """
        seen: float | None = None
        deadline = time.monotonic() + self.timeout_s
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise ProtocolError(f"no script_finished within {self.timeout_s:.0f} s")
            frame = await asyncio.wait_for(self._ws.recv(), timeout=left)
            if bundles is not None:
                bundles.extend(m.decode() for m in _BUNDLE.findall(frame))
            msg = ForwardMsg()
            msg.ParseFromString(frame)
            kind = msg.WhichOneof("type")
            if kind == "delta" and msg.delta.new_element.WhichOneof("type") == "exception":
                self.exceptions.append(msg.delta.new_element.exception.message[:200])
            if seen is None and is_panel(msg):
                seen = time.monotonic()
            if kind == "script_finished" and msg.script_finished != _RERUN:
                return seen

    async def close(self) -> None:
        """Close the websocket (the server's reaper frees the session)."""
        if self._ws is not None:
            await self._ws.close()
            self._ws = None
