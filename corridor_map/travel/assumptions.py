"""The stated assumptions every travel time rests on, and the plausible range of each.

None of these figures comes from a document: :class:`SpeedAssumptions` holds every speed and
factor a result depends on (every result carries them back), and :data:`LIMITS` with
:func:`check_limit` bound every numeric input of the CLI, the app and the API.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from corridor_map.core.numbers import finite_number
from corridor_map.travel.errors import TravelError


@dataclass(frozen=True)
class Limit:
    """The plausible range of one numeric input (CLI arguments, app sliders, API)."""

    low: float
    high: float
    unit: str
    name_zh: str
    low_open: bool = False
    # a sensitivity sweep may ask "would even this speed do?" up to here
    sweep_high: float | None = None

    def describe(self, sweep: bool = False) -> str:
        """Return the range as text, e.g. ``5–120 km/h`` (the sweep's range when asked)."""
        high = self.sweep_high if sweep and self.sweep_high is not None else self.high
        if self.low_open:
            return f"> {self.low:g} and ≤ {high:g} {self.unit}".rstrip()
        return f"{self.low:g}–{high:g} {self.unit}".rstrip()


# Outside these ranges a figure is a typo, not an assumption: walking is 5 km/h, no road in
# the region is designed above 120 km/h, and a trip or isochrone beyond 3 hours is no
# longer about a corridor's "半小时" targets.
LIMITS: dict[str, Limit] = {
    "network_kmh": Limit(5, 120, "km/h", "路网平均车速", sweep_high=400),
    "access_kmh": Limit(2, 60, "km/h", "接驳段车速", sweep_high=100),
    "planned_kmh": Limit(5, 120, "km/h", "规划道路设计车速", sweep_high=400),
    "access_detour": Limit(1, 3, "×", "接驳绕行系数"),
    "network_detour": Limit(1, 3, "×", "路网绕行系数"),
    "max_access_km": Limit(0.1, 50, "km", "最远接驳距离"),
    "access_candidates": Limit(1, 20, "", "接驳候选节点数"),
    "minutes": Limit(0, 180, "min", "时间", low_open=True),
    "rail_kmh": Limit(30, 350, "km/h", "铁路平均速度", sweep_high=400),
    "s1_kmh": Limit(20, 160, "km/h", "S1 线平均速度", sweep_high=400),
    "station_min": Limit(0, 60, "min", "车站停留时间"),
}


def check_limit(name: str, value: Any, label: str | None = None, sweep: bool = False) -> float:
    """Return ``value`` as a float when it lies in ``LIMITS[name]``, else raise.

    ``sweep`` allows values up to the limit's ``sweep_high`` (a sensitivity sweep's
    "what if even this speed").

    Raises
    ------
    TravelError
        Naming the argument and its range, e.g. ``network_kmh=1e-300: must be 5–120 km/h``.
    """
    limit = LIMITS[name]
    label = label or name
    high = limit.sweep_high if sweep and limit.sweep_high is not None else limit.high
    number = value if finite_number(value) else None
    ok = number is not None
    if number is not None:
        ok = (number > limit.low if limit.low_open else number >= limit.low) and number <= high
    if not ok:
        raise TravelError(
            f"{limit.name_zh}超出范围 / {label}={value!r} out of range: must be "
            f"{limit.describe(sweep)}{' (sensitivity sweep)' if sweep else ''}"
        )
    assert number is not None
    return float(number)


@dataclass(frozen=True)
class SpeedAssumptions:
    """Every speed and factor a travel time depends on. None of them comes from a document.

    Attributes
    ----------
    network_kmh
        Average speed on the reference network's edges. The edges carry no road class, so
        one figure stands for all: 40 km/h, an assumed average for major roads in town
        including junction delays.
    access_kmh
        Speed of the access and egress legs between a place and the network (local streets).
    access_detour
        Factor applied to the straight-line geodesic distance of access legs and of the
        connectors that join a planned link to the network (streets are not straight).
    planned_kmh
        Speed per planned-link id, overriding the link's ``design_speed_kmh`` from
        ``layers/planned_links.geojson`` (80 km/h for 太龙快速路, an assumption).
    access_candidates
        How many nearest network nodes an access leg may join (the nearest one alone may be
        a dead end pointing the wrong way).
    network_detour
        Factor on the network edges' ``length_km``. Those lengths are straight chords
        between junctions (median 1.002 × the geodesic distance of the edge's ends), so
        bends between junctions are ignored at 1.0; raise it to allow for them.
    max_access_km
        Nodes farther than this straight-line distance are not reachable by an access leg:
        a place with no node this close counts as off the network.
    rail
        The mode: False for road only, True for road + rail (the reference railways at
        ``rail_kmh`` between the stations of ``rail_services`` that a D/G train serves, the
        Taizhou S1 line at ``s1_kmh``; stations reached by road).
    rail_kmh
        Average speed of a train between boarding and alighting (150 km/h, an assumption:
        the D/G services of the 杭深线 stop at intermediate stations; no timetable is used).
    s1_kmh
        Average speed on the Taizhou S1 line between its stations (60 km/h, an assumption
        including stops); the line is drawn straight between consecutive stations.
    station_min
        Minutes spent at the stations per ride, half when boarding (walk to the platform,
        wait) and half when alighting (10 min, an assumption; no timetable or frequency).
    """

    network_kmh: float = 40.0
    access_kmh: float = 25.0
    access_detour: float = 1.3
    planned_kmh: Mapping[str, float] = field(default_factory=dict)
    access_candidates: int = 3
    max_access_km: float = 10.0
    network_detour: float = 1.0
    rail: bool = False
    rail_kmh: float = 150.0
    s1_kmh: float = 60.0
    station_min: float = 10.0
    # set by :func:`sensitivity` only: speeds may reach the limits' ``sweep_high``
    sweep: bool = field(default=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        """Refuse speeds and factors outside :data:`LIMITS` (times would mean nothing)."""
        checks: dict[str, tuple[str, Any]] = {
            name: (name, getattr(self, name))
            for name in (
                "network_kmh",
                "access_kmh",
                "access_detour",
                "network_detour",
                "max_access_km",
                "access_candidates",
                "rail_kmh",
                "s1_kmh",
                "station_min",
            )
        }
        for link, value in self.planned_kmh.items():
            checks[f"planned_kmh[{link}]"] = ("planned_kmh", value)
        for label, (name, value) in checks.items():
            check_limit(name, value, label, sweep=self.sweep)

    def to_dict(self) -> dict[str, Any]:
        """Return the assumptions as a JSON-ready dict."""
        data = asdict(self)
        data["planned_kmh"] = dict(self.planned_kmh)
        del data["sweep"]
        return data

    def describe(self) -> list[str]:
        """Return the assumptions as bilingual sentences for display."""
        return [
            f"路网平均车速 {self.network_kmh:g} km/h（假设，路网无道路等级）；路段长度为路口间直线"
            f" × {self.network_detour:g} / network average speed {self.network_kmh:g} km/h "
            f"(assumed; no road class); edge lengths are straight chords between junctions "
            f"× {self.network_detour:g}",
            f"接驳段：直线距离 × {self.access_detour:g}，{self.access_kmh:g} km/h（假设）/ "
            f"access legs: straight line × {self.access_detour:g} at {self.access_kmh:g} km/h "
            "(assumed)",
            "规划道路按设计车速（假设，文件未给出车速）/ planned links at an assumed design speed "
            "(no document states a speed)",
            *self._describe_rail(),
        ]

    def _describe_rail(self) -> list[str]:
        if not self.rail:
            return ["方式：仅道路 / mode: road only"]
        return [
            "方式：道路 + 铁路（动车站之间按参考铁路线、S1 线按站间直线）/ mode: road + rail "
            "(between D/G-served stations on the reference railways; the S1 line straight "
            "between its stations)",
            f"铁路平均速度 {self.rail_kmh:g} km/h，S1 线 {self.s1_kmh:g} km/h，每程车站停留 "
            f"{self.station_min:g} 分钟（上下车各半）（均为假设，无时刻表）/ rail "
            f"{self.rail_kmh:g} km/h, S1 {self.s1_kmh:g} km/h, {self.station_min:g} min at the "
            "stations per ride, half on each end (all assumed; no timetable)",
        ]
