"""Event deconfliction: planned operations checked against a partner's by PSI over coarse space-time cells.

Each agency keeps its plans in a CSV or XLSX file of its own, never imported into a store. A plan row is one
place of one operation:

| column | what |
|---|---|
| `operation` | the operation's reference (several rows may share one: an operation in several places) |
| `start` | ISO date `2025-03-10` or date-time `2025-03-10T06:00` (`+03:00` or `Z` allowed) |
| `end` | the same; optional (the start); a date is the whole of that day |
| `lat`, `lon` | the place, decimal degrees (WGS 84) |
| `radius_km` | optional (0): the operation's area is the disc of this radius round the place |

The place becomes cells of a latitude/longitude grid of `cell_deg` degrees (0.25 by default, 28 km north to
south) and the window becomes UTC days; an item is `event:latlon:<cell_deg>:<row>:<column>:<day>`. The
requester (A) expands: every cell within `radius_km + distance_km` of its place, for every day of its window
(widened by `margin_hours`). The responder (B) puts only the cells its own areas touch (its centre cell, for
a radius of 0), for its days. Two operations on a common UTC day whose areas come within `distance_km` of each
other always share a cell (a point between them lies in one), so no such conflict is missed however the grid
lines fall; a shared cell can also come from areas up to one cell diagonal farther apart (a false positive,
coarse by design). The grid travels in the signed request and B builds its items with it.

    request(store_a, "plans_a.csv", "a_to_b.json", partner="TPA")      # at A
    respond(store_b, "a_to_b.json", "plans_b.csv", "b_to_a.json")      # at B
    result(store_a, "b_to_a.json") -> EventResult                     # at A: its operations in conflict

The exchange is `linkgraph.sharing.psi`'s (signatures, nonce, ledger, rate, sizes) with its own file formats.
"""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pandas as pd

from linkgraph.errors import LinkgraphError
from linkgraph.sharing import psi

EVENTS = psi.Exchange("linkgraph-psi-event-request/1", "linkgraph-psi-event-response/1", "deconflict events", "cells")
CELL_DEG = 0.25  # 27.8 km north to south; east to west 27.8 km at the equator, 24 km at 30 degrees
MIN_CELL_DEG = 0.1  # B answers no finer grid: the finer the grid, the more precisely A learns B's places
DISTANCE_KM = 10.0  # how near two areas on a common day must come to be a conflict
MAX_SET = 10_000  # B answers no more cells in one request (25 days of a 400-cell region at the default grid)
MAX_RADIUS_KM = 500.0
MAX_DAYS = 366
EARTH_KM = 6371.0088  # the mean Earth radius
COLUMNS = ("operation", "start", "end", "lat", "lon", "radius_km")
REQUIRED = ("operation", "start", "lat", "lon")
ALIASES = {"latitude": "lat", "longitude": "lon", "lng": "lon", "radius": "radius_km"}
RESULT_COLUMNS = ["operation", "day", "cell", "south", "west", "north", "east"]
_ISO = re.compile(r"\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?")


@dataclass(frozen=True)
class Operation:
    """One place of a planned operation: its window in UTC and its area (`row`: its line in the plans file)."""

    operation: str
    start: datetime
    end: datetime
    lat: float
    lon: float
    radius_km: float
    row: int


@dataclass(frozen=True)
class EventResult:
    """What A learnt: `count` of its `n_items` cells the partner's operations also touch on the same day and,
    unless `count_only`, where (`conflicts`: A's operation, the UTC day, the grid cell and its bounds)."""

    partner: str
    nonce: str
    count_only: bool
    n_items: int
    count: int
    conflicts: pd.DataFrame


# ------------------------------------------------------------------------------------------------------ grid
@dataclass(frozen=True)
class Grid:
    """A latitude/longitude grid of `cell_deg` degrees; cell (row, column) counts from 90 S and 180 W."""

    cell_deg: float = CELL_DEG

    def __post_init__(self):
        c = self.cell_deg
        if not isinstance(c, (int, float)) or isinstance(c, bool) or not 0.01 <= c <= 10:
            raise LinkgraphError(f"the grid cell must be 0.01 to 10 degrees, not {c!r}")
        if abs(180 / c - round(180 / c)) > 1e-9:
            raise LinkgraphError(f"the grid cell of {c} degrees does not divide 180 degrees (0.1, 0.2, 0.25, 0.5 ...)")

    @property
    def rows(self) -> int:
        return round(180 / self.cell_deg)

    @property
    def cols(self) -> int:
        return round(360 / self.cell_deg)

    def params(self) -> dict:
        """The grid as the signed request carries it."""
        return {"scheme": "latlon", "cell_deg": float(self.cell_deg), "bucket": "utc-day"}

    @classmethod
    def from_params(cls, params, name: str, min_cell_deg: float = MIN_CELL_DEG) -> Grid:
        """The grid of a partner's request; refused in one line if it is not one we build, or finer than ours."""
        if not isinstance(params, dict) or params.get("scheme") != "latlon" or params.get("bucket") != "utc-day":
            raise LinkgraphError(f"{name}: refused, its grid is not a latlon grid of UTC days")
        c = params.get("cell_deg")
        if not isinstance(c, (int, float)) or isinstance(c, bool):
            raise LinkgraphError(f"{name}: refused, its grid has no cell size")
        if c < min_cell_deg:
            raise LinkgraphError(
                f"{name}: refused, its grid of {c:g} degrees is finer than our minimum of {min_cell_deg:g} "
                "(a fine grid tells where our operations are)"
            )
        try:
            return cls(float(c))
        except LinkgraphError as e:
            raise LinkgraphError(f"{name}: refused, {e}") from None

    def cell(self, lat: float, lon: float) -> tuple[int, int]:
        c = self.cell_deg
        return min(self.rows - 1, math.floor((lat + 90) / c)), math.floor((lon + 180) / c) % self.cols

    def bounds(self, i: int, j: int) -> tuple[float, float, float, float]:
        """south, west, north, east"""
        c = self.cell_deg
        return tuple(round(v, 9) for v in (-90 + i * c, -180 + j * c, -90 + (i + 1) * c, -180 + (j + 1) * c))

    def item(self, i: int, j: int, day: date) -> str:
        return f"event:latlon:{self.cell_deg:g}:{i}:{j}:{day.isoformat()}"

    def cover(self, lat: float, lon: float, km: float) -> set[tuple[int, int]]:
        """The cells with a point within `km` of (lat, lon): its own cell, and those a disc of `km` reaches."""
        cells = {self.cell(lat, lon)}
        ang = km / EARTH_KM
        dlat = math.degrees(ang)
        lo, hi = self.cell(max(-90.0, lat - dlat), 0)[0], self.cell(min(90.0, lat + dlat), 0)[0]
        if abs(lat) + dlat >= 90 or ang >= math.pi / 2:
            cols = range(self.cols)  # the disc reaches a pole: every column of its rows
        else:
            dlon = math.degrees(math.asin(min(1.0, math.sin(ang) / math.cos(math.radians(lat)))))
            w, e = self.cell(lat, lon - dlon)[1], self.cell(lat, lon + dlon)[1]
            cols = [(w + k) % self.cols for k in range((e - w) % self.cols + 1)]
        for i in range(lo, hi + 1):
            for j in cols:
                if _to_cell_km(self, lat, lon, i, j) <= km + 1e-6:
                    cells.add((i, j))
        return cells


def _haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * EARTH_KM * math.asin(min(1.0, math.sqrt(h)))


def _to_cell_km(grid: Grid, lat: float, lon: float, i: int, j: int) -> float:
    """The great-circle distance from a point to the nearest point of a cell."""
    s, w, n, e = grid.bounds(i, j)
    if (lon - w) % 360 <= grid.cell_deg:  # within the cell's longitudes: straight north or south
        return _haversine_km(lat, lon, min(max(lat, s), n), lon)
    to_w, to_e = (w - lon) % 360, (lon - e) % 360
    edge, dlam = (w, to_w) if to_w <= to_e else (e, to_e)
    # the nearest point of a meridian lies where tan(lat') = tan(lat) / cos(dlon), poleward of the point
    foot = (
        math.copysign(90.0, lat)
        if dlam >= 90
        else math.degrees(math.atan(math.tan(math.radians(lat)) / math.cos(math.radians(dlam))))
    )
    return _haversine_km(lat, lon, min(max(foot, s), n), edge)


# ----------------------------------------------------------------------------------------------------- plans
def _when(text: str, tz, end: bool) -> datetime:
    """A plan's start or end in UTC: a date is its whole day; a date-time without offset is in `tz`."""
    if not _ISO.fullmatch(text):
        raise ValueError(
            f"{text[:40]!r} is not an ISO date (2025-03-10) or date-time (2025-03-10T06:00, +03:00 allowed)"
        )
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), time.max if end else time.min, UTC)
        dt = datetime.fromisoformat(text.replace(" ", "T", 1))
    except ValueError:
        raise ValueError(f"{text[:40]!r} is not a date of the calendar") from None
    return (dt if dt.tzinfo else dt.replace(tzinfo=tz)).astimezone(UTC)


def _number(text: str, lo: float, hi: float, what: str) -> float:
    t = text.strip()
    if "," in t and "." not in t:
        t = t.replace(",", ".", 1)  # a decimal comma
    try:
        v = float(t)
    except ValueError:
        raise ValueError(f"{text[:40]!r} is not {what}") from None
    if not math.isfinite(v) or not lo <= v <= hi:
        raise ValueError(f"{text[:40]!r} is not {what} from {lo:g} to {hi:g}")
    return v


def _zone(tz):
    if tz is None or str(tz).strip().upper() in ("", "UTC", "Z"):
        return UTC
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(str(tz).strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise LinkgraphError(f"unknown time zone {str(tz)[:60]!r} (e.g. UTC, Africa/Nairobi)") from None


def read_plans(path, tz="UTC") -> list[Operation]:
    """The planned operations of a CSV or XLSX file (its first sheet), one per row with a place.

    Any bad value stops the reading with one line naming the file, the row and the column. Columns are matched
    without regard to case; others (notes) are not read. `tz`: the zone of date-times written without offset.
    """
    from linkgraph.importing.readers import open_sheets

    zone = _zone(tz)
    sheet = open_sheets(path)[0]
    label = sheet.label()
    if sheet.fmt not in ("csv", "xlsx") or not sheet.preview:
        raise LinkgraphError(f"{label}: a plans file is a .csv or .xlsx table with a header row")
    header = [ALIASES.get(k, k) for k in (re.sub(r"\s+", "_", h.strip().lower()) for h in sheet.preview[0])]
    where = {}
    for k, h in enumerate(header):
        if h in COLUMNS:
            if h in where:
                raise LinkgraphError(f'{label}: two "{h}" columns')
            where[h] = k
    missing = [c for c in REQUIRED if c not in where]
    if missing:
        raise LinkgraphError(
            f'{label}: no "{missing[0]}" column (a plan has operation, start, lat, lon; optional end, radius_km)'
        )
    ops = []
    for chunk in sheet.chunks(0, 5000):
        for rec in chunk.itertuples(index=False):
            vals = {c: str(rec[k] if k < len(rec) - 1 else "").strip() for c, k in where.items()}
            row = int(rec[-1])
            if not any(vals.values()):
                continue
            ops.append(_operation(vals, row, label, sheet.preview[0], where, zone))
    if not ops:
        raise LinkgraphError(f"{label}: no planned operations in the file")
    return ops


def _operation(vals: dict, row: int, label: str, names: list[str], where: dict, zone) -> Operation:
    col = "operation"

    def bad(msg: str) -> LinkgraphError:
        return LinkgraphError(f'{label}, row {row}, column "{names[where[col]].strip()}": {msg}')

    try:
        for col in REQUIRED:
            if not vals[col]:
                raise ValueError("empty (a plan needs operation, start, lat and lon)")
        col = "start"
        start = _when(vals["start"], zone, end=False)
        col = "end" if vals.get("end") else "start"
        end = _when(vals.get("end") or vals["start"], zone, end=True)
        if end < start:
            raise ValueError(f"{vals['end'][:40]!r} is before the start")
        if (end - start) > timedelta(days=MAX_DAYS):
            raise ValueError(f"the window is longer than {MAX_DAYS} days")
        col = "lat"
        lat = _number(vals["lat"], -90, 90, "a latitude in decimal degrees")
        col = "lon"
        lon = _number(vals["lon"], -180, 180, "a longitude in decimal degrees")
        col = "radius_km"
        radius = _number(vals["radius_km"], 0, MAX_RADIUS_KM, "a radius in km") if vals.get("radius_km") else 0.0
    except ValueError as e:
        raise bad(str(e)) from None
    return Operation(vals["operation"][:200], start, end, lat, lon, radius, row)


def _days(op: Operation, margin_hours: float) -> list[date]:
    first = (op.start - timedelta(hours=margin_hours)).date()
    last = (op.end + timedelta(hours=margin_hours)).date()
    return [first + timedelta(days=k) for k in range((last - first).days + 1)]


def cells(ops: list[Operation], grid: Grid, distance_km: float = 0.0, margin_hours: float = 0.0) -> dict:
    """Every item of the operations, with the operations (references) that put it: the cells within each
    area's radius plus `distance_km`, for each UTC day of its window widened by `margin_hours`."""
    out: dict[str, set[str]] = {}
    for op in ops:
        around = sorted(grid.cover(op.lat, op.lon, op.radius_km + distance_km))
        days = _days(op, margin_hours)
        if len(out) + len(around) * len(days) > psi.MAX_SET:
            raise LinkgraphError(
                f"operation {op.operation!r} (row {op.row}) takes the request past {psi.MAX_SET} cells: "
                "a smaller radius, distance or window, or a coarser grid"
            )
        for day in days:
            for i, j in around:
                out.setdefault(grid.item(i, j, day), set()).add(op.operation)
    return out


def _file_note(path) -> str:
    p = Path(path)
    return f"{p.name} (sha256 {hashlib.sha256(p.read_bytes()).hexdigest()[:12]})"


# ---------------------------------------------------------------------------------------------- the exchange
def request(
    store,
    plans,
    out,
    partner: str | None = None,
    cell_deg: float = CELL_DEG,
    distance_km: float = DISTANCE_KM,
    margin_hours: float = 0.0,
    tz="UTC",
    count_only: bool = False,
    home=None,
) -> dict:
    """At A: a signed event PSI request of our planned operations' expanded cells, written to `out`.

    The request holds the grid and the encrypted cells only (no operation, place or day); which operation put
    which cell waits with A's key in A's key home until `result`. Returns the request's fields.
    """
    psi._own(home)
    grid = Grid(cell_deg)
    if not 0 <= distance_km <= MAX_RADIUS_KM or not 0 <= margin_hours <= 24 * 7:
        raise LinkgraphError(f"the distance is 0 to {MAX_RADIUS_KM:g} km and the margin 0 to 168 hours")
    ops = read_plans(plans, tz)
    by_item = cells(ops, grid, distance_km, margin_hours)
    items = sorted(by_item)
    keep = {"grid": grid.params(), "operations": {it: sorted(by_item[it]) for it in items}}
    n_ops = len({op.operation for op in ops})
    detail = (
        f" for {n_ops} operations in {_file_note(plans)}, grid {grid.cell_deg:g} degrees, "
        f"within {distance_km:g} km" + (f" and {margin_hours:g} h" if margin_hours else "")
    )
    return psi.send_request(
        store, out, items, EVENTS, partner, count_only, home, extra={"grid": grid.params()}, keep=keep, detail=detail
    )


def respond(
    store,
    request_file,
    plans,
    out,
    home=None,
    tz="UTC",
    min_items: int = psi.MIN_SET,
    max_items: int = MAX_SET,
    max_per_day: int = psi.RATE,
    min_cell_deg: float = MIN_CELL_DEG,
) -> dict:
    """At B: answer a partner's event request with the cells our planned operations touch, on the request's grid.

    Refused as target requests are (trust, addressee, sizes, replay, rate), and also a grid finer than
    `min_cell_deg`. Our plans are read only once the request has passed those checks. Returns the response's
    fields.
    """
    name = Path(request_file).name

    def ours(body: dict) -> list[str]:
        grid = Grid.from_params(body.get("grid"), name, min_cell_deg)
        return sorted(cells(read_plans(plans, tz), grid))

    return psi.answer(store, request_file, out, ours, EVENTS, home, min_items, max_items, max_per_day)


def result(store, response_file, home=None) -> EventResult:
    """At A: which of our planned operations the partner's touch: a row per operation, UTC day and shared cell."""

    def ops(shared, pending):
        hit = {op for it in shared for op in pending["keep"]["operations"].get(it, [])}
        return f", {len(hit)} of our operations in conflict"

    ans = psi.read_answer(store, response_file, EVENTS, home, describe=ops)
    grid = Grid(ans.pending["keep"]["grid"]["cell_deg"])
    rows = []
    for it in ans.shared:
        _, _, _, i, j, day = it.split(":")
        s, w, n, e = grid.bounds(int(i), int(j))
        for op in ans.pending["keep"]["operations"].get(it, []):
            rows.append({"operation": op, "day": day, "cell": f"{i}:{j}", "south": s, "west": w, "north": n, "east": e})
    conflicts = pd.DataFrame(rows, columns=RESULT_COLUMNS)
    conflicts = conflicts.sort_values(["operation", "day", "cell"]).reset_index(drop=True)
    return EventResult(ans.partner, ans.nonce, ans.count_only, len(ans.items), ans.count, conflicts)
