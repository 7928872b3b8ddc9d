"""Basemaps: the offline context basemap and the tile services, with their credits."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from corridor_map.core import credits
from corridor_map.core.settings import load_settings

#: Basemap ids, in the order the selector lists them. ``none`` is the offline context
#: basemap drawn from the reference layers.
BASEMAPS = ("none", "osm", "gaode", "tianditu")


DEFAULT_BASEMAP = "none"


#: Basemaps whose tiles are in GCJ-02, so overlays must be shifted to match them.
GCJ02_BASEMAPS = frozenset({"gaode"})


@dataclass(frozen=True)
class Basemap:
    """A tile basemap: URL template, attribution and Leaflet options."""

    id: str
    url: str
    attribution: str
    subdomains: str | None = None
    max_zoom: int = 18
    overlay_url: str | None = None


def missing_settings(basemap: str, env: Mapping[str, str] | None = None) -> tuple[str, ...]:
    """Return the settings a basemap needs that are not set (empty: it can be drawn).

    Every basemap is offered; one whose settings are missing is drawn as the offline
    basemap and the sidebar names what to set (:func:`drawn_basemap`). Tianditu needs a
    token (``TIANDITU_KEY``) unless an intranet node's template
    (``CORRIDOR_MAP_TIANDITU_URL``) has no ``{key}`` in it: such nodes often take none.

    ``env`` is read through :func:`corridor_map.core.settings.load_settings` (default: the
    process's environment).
    """
    if basemap != "tianditu":
        return ()
    settings = load_settings(env)
    if settings.tianditu_key:
        return ()
    if settings.tianditu_url and "{key}" not in settings.tianditu_url:
        return ()
    return ("TIANDITU_KEY",)


def drawn_basemap(basemap: str, env: Mapping[str, str] | None = None) -> str:
    """Return the basemap the map draws for a choice: the offline one while the chosen
    one lacks its settings (a tile layer without them would draw a blank map)."""
    return DEFAULT_BASEMAP if missing_settings(basemap, env) else basemap


def basemap_tiles(basemap: str, env: Mapping[str, str] | None = None) -> Basemap | None:
    """Return the tile source of a basemap id (None for the offline ``none`` basemap).

    URLs and credits come from xyzservices where it has the provider; Tianditu is not in
    xyzservices, so its WMTS template is written here (its key from ``TIANDITU_KEY``).
    """
    import xyzservices.providers as xyz

    settings = load_settings(env)
    if basemap == "osm":
        p = xyz.OpenStreetMap.Mapnik
        return Basemap("osm", p.build_url(), credits.OSM, max_zoom=19)
    if basemap == "gaode":
        p = xyz.Gaode.Normal
        # xyzservices writes the template with plain http://; the same hosts serve TLS.
        return Basemap(
            "gaode",
            p.url.replace("http://", "https://", 1),
            "© 高德地图 Gaode/AMap (GCJ-02)",
            subdomains="".join(p.get("subdomains", "1234")),
        )
    if basemap == "tianditu":
        if missing_settings(basemap, env):
            return None
        key = settings.tianditu_key
        if settings.tianditu_url:
            # An intranet (政务) node: its own template, with {key} where the token goes.
            url = settings.tianditu_url.replace("{key}", key)
            return Basemap("tianditu", url, "© 天地图 Tianditu", subdomains="01234567")
        wmts = (
            "https://t{s}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile"
            "&VERSION=1.0.0&LAYER={layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles"
            "&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk="
        )
        return Basemap(
            "tianditu",
            wmts.replace("{layer}", "vec") + key,
            "© 天地图 Tianditu (国家地理信息公共服务平台)",
            subdomains="01234567",
            overlay_url=wmts.replace("{layer}", "cva") + key,
        )
    return None
