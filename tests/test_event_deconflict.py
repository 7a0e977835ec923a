"""Event deconfliction between two agencies, each with its own store, key home and plans file: A learns exactly
which of its planned operations meet B's (same UTC day, areas within the distance, also across a grid line),
B answers only trusted, large enough, fresh requests on a grid no finer than it allows, and neither file on disk
carries an operation, a place or a day in clear."""

from __future__ import annotations

import csv
import json
import stat
from datetime import datetime

import pandas as pd
import pytest

from linkgraph.errors import LinkgraphError
from linkgraph.sharing import audit_log, events, psi
from linkgraph.store import open_store
from tests.test_psi import cli, cli_refusal, fill, homes, partner  # noqa: F401  (homes, partner: fixtures)

HEADER = ["operation", "start", "end", "lat", "lon", "radius_km"]
# A (KWS) plans; beside each, what B (TPA) plans and what should come of it
PLANS_A = [
    ["A-SAME", "2025-05-01", "2025-05-02", "-1.30", "36.80", ""],  # B-SAME: same cell, 2 to 4 May -> 2 May
    ["A-EDGE", "2025-05-05", "", "-1.009", "37.30", "0"],  # B-EDGE 2 km north, across the -1.0 grid line
    ["A-DAYS", "2025-05-07", "", "-2.10", "38.10", "0"],  # B-DAYS: the same place on 8 May -> none
    ["A-FAR", "2025-05-10", "", "-3.10", "39.60", "5"],  # B-FAR: 400 km away, the same day -> none
    ["A-NIGHT", "2025-05-13T01:00+03:00", "2025-05-13T02:30+03:00", "-0.60", "35.20", "0"],  # 12 May in UTC
]
PLANS_B = [
    ["B-SAME", "2025-05-02", "2025-05-04", "-1.31", "36.81", "0"],
    ["B-EDGE", "2025-05-05", "", "-0.991", "37.30", "0"],
    ["B-DAYS", "2025-05-08", "", "-2.10", "38.10", "0"],
    ["B-FAR", "2025-05-10", "", "-6.80", "39.28", "20"],
    ["B-NIGHT", "2025-05-12", "", "-0.60", "35.20", "0"],
]
# (operation, UTC day, cell, south, west, north, east): B's cell in each conflict
CONFLICTS = [
    ("A-EDGE", "2025-05-05", "356:869", -1.0, 37.25, -0.75, 37.5),
    ("A-NIGHT", "2025-05-12", "357:860", -0.75, 35.0, -0.5, 35.25),
    ("A-SAME", "2025-05-02", "354:867", -1.5, 36.75, -1.25, 37.0),
]


def write_plans(path, rows, header=HEADER):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


@pytest.fixture
def plans(tmp_path):
    return write_plans(tmp_path / "kws-plans.csv", PLANS_A), write_plans(tmp_path / "tpa-plans.csv", PLANS_B)


def exchange(a, b, homes, plans, tmp_path, request_args=None, respond_args=None):  # noqa: F811
    ha, hb = homes
    req, resp = tmp_path / "req.events.json", tmp_path / "resp.events.json"
    info = events.request(a, plans[0], req, partner="TPA", home=ha, **(request_args or {}))
    events.respond(b, req, plans[1], resp, home=hb, **(respond_args or {}))
    return info, req, resp, events.result(a, resp, home=ha)


def as_rows(df: pd.DataFrame) -> list[tuple]:
    return [tuple(r) for r in df.itertuples(index=False)]


def test_a_learns_exactly_its_operations_in_conflict(store, partner, homes, plans, tmp_path):  # noqa: F811
    ha, hb = homes
    req, resp = tmp_path / "req.events.json", tmp_path / "resp.events.json"
    info = events.request(store, plans[0], req, partner="TPA", home=ha)
    # A's items: every cell within 10 km of each place, for each UTC day of its window
    want_items = events.cells(events.read_plans(plans[0]), events.Grid(0.25), 10.0)
    assert info["n_items"] == len(want_items) > 10 and info["grid"] == {
        "scheme": "latlon",
        "cell_deg": 0.25,
        "bucket": "utc-day",
    }
    pending = ha / "psi" / "pending" / f"{info['nonce']}.json"
    assert stat.S_IMODE(pending.stat().st_mode) == 0o600

    b_info = events.respond(partner, req, plans[1], resp, home=hb)
    assert (b_info["to"], b_info["n_items"]) == ("KWS", info["n_items"])
    res = events.result(store, resp, home=ha)
    assert list(res.conflicts.columns) == events.RESULT_COLUMNS
    assert as_rows(res.conflicts) == CONFLICTS
    assert (res.partner, res.count, res.n_items, res.count_only) == ("TPA", 3, info["n_items"], False)
    assert not pending.exists()  # read once

    # neither file holds an operation, a coordinate, a day or a cell in clear
    needles = {"event:latlon", "354:867", "356:869"}
    for row in PLANS_A + PLANS_B:
        needles.update([row[0], row[1][:10], row[3], row[3].lstrip("-"), row[4]])  # each holds - or .
        needles.update([row[3].rstrip("0"), row[4].rstrip("0")])
    for path in (req, resp):
        data = path.read_bytes()
        for n in needles:
            assert n.encode() not in data, (path.name, n)
    assert set(json.loads(req.read_text())) == {
        *("format", "from", "to", "nonce", "created", "count_only", "n_items", "request", "grid", "signature")
    }

    # each step is audited; no operation or place is written into either store
    rows_a, rows_b = audit_log(store), audit_log(partner)
    assert {"deconflict events request", "deconflict events result"} <= set(rows_a["action"])
    detail = rows_a.query("action == 'deconflict events result'")["detail"].iloc[0]
    assert "3 of our" in detail and "3 of our operations in conflict" in detail
    row = rows_b.query("action == 'deconflict events respond'")["detail"].iloc[0]
    assert f"{info['n_items']} of their cells" in row and "KWS" in row
    text = " ".join(pd.concat([rows_a, rows_b])["detail"])
    assert not any(r[0] in text or r[3] in text for r in PLANS_A + PLANS_B)

    with pytest.raises(LinkgraphError, match="no request .* is waiting"):
        events.result(store, resp, home=ha)


def test_a_conflict_across_a_grid_line_needs_the_expansion(partner, homes, plans, tmp_path):  # noqa: F811
    """Without A's distance, A and B name only their own cells: the two points 2 km apart across the -1.0
    line are missed; the same place and cell is still found."""
    with open_store(str(tmp_path / "kws-db")) as a:
        _, req, _, res = exchange(
            a, partner, homes, plans, tmp_path, {"distance_km": 0}, {"min_items": 1}
        )  # one cell a day: fewer than 10
        assert json.loads(req.read_text())["n_items"] == 6
        assert as_rows(res.conflicts) == [CONFLICTS[1], CONFLICTS[2]]


def test_margin_widens_a_window_across_midnight(partner, homes, plans, tmp_path):  # noqa: F811
    with open_store(str(tmp_path / "kws-db")) as a:
        _, _, _, res = exchange(a, partner, homes, plans, tmp_path, {"margin_hours": 24})
    # a day either side: A-DAYS (7 May) meets B-DAYS (8 May) and A-SAME also meets B-SAME on 3 May
    got = {(op, day) for op, day, *_ in as_rows(res.conflicts)}
    assert got == {
        ("A-DAYS", "2025-05-08"),
        ("A-EDGE", "2025-05-05"),
        ("A-NIGHT", "2025-05-12"),
        ("A-SAME", "2025-05-02"),
        ("A-SAME", "2025-05-03"),
    }


def test_count_only(store, partner, homes, plans, tmp_path):  # noqa: F811
    info, req, resp, res = exchange(store, partner, homes, plans, tmp_path, {"count_only": True})
    assert json.loads(req.read_text())["count_only"] is True and json.loads(resp.read_text())["count_only"] is True
    assert res.count_only and res.count == 3 and len(res.conflicts) == 0
    assert list(res.conflicts.columns) == events.RESULT_COLUMNS
    assert "count only" in audit_log(store).query("action == 'deconflict events result'")["detail"].iloc[0]


def test_the_request_grid_is_used_and_a_fine_one_refused(partner, homes, plans, tmp_path):  # noqa: F811
    ha, hb = homes
    with open_store(str(tmp_path / "kws-db")) as a:
        _, _, _, res = exchange(a, partner, homes, plans, tmp_path, {"cell_deg": 0.5}, {"min_items": 1})
        # B built its cells on A's half-degree grid: A-SAME and A-EDGE now meet in B's cells of that grid
        assert [(op, day, cell) for op, day, cell, *_ in as_rows(res.conflicts)] == [
            ("A-EDGE", "2025-05-05", "178:434"),
            ("A-NIGHT", "2025-05-12", "178:430"),
            ("A-SAME", "2025-05-02", "177:433"),
        ]
        fine = tmp_path / "fine.json"
        events.request(a, plans[0], fine, cell_deg=0.05, home=ha)
        with pytest.raises(LinkgraphError, match="grid of 0.05 degrees is finer than our minimum of 0.1"):
            events.respond(partner, fine, plans[1], tmp_path / "x.json", home=hb)
        events.respond(partner, fine, plans[1], tmp_path / "x.json", home=hb, min_cell_deg=0.05)  # B's choice
        with pytest.raises(LinkgraphError, match="does not divide 180 degrees"):
            events.request(a, plans[0], tmp_path / "y.json", cell_deg=0.35, home=ha)
        # the grid is signed: changed to a coarser one, the request no longer verifies
        d = json.loads(fine.read_text())
        d["grid"]["cell_deg"] = 0.25
        fine.write_text(json.dumps(d))
        with pytest.raises(LinkgraphError, match="the signature of KWS does not verify"):
            events.respond(partner, fine, plans[1], tmp_path / "z.json", home=hb)


def test_target_and_event_files_are_not_interchangeable(partner, homes, plans, tmp_path):  # noqa: F811
    ha, hb = homes
    with open_store(str(tmp_path / "kws-db")) as a:
        fill(a, partner)
        t_req, e_req = tmp_path / "t-req.json", tmp_path / "e-req.json"
        psi.request(a, t_req, partner="TPA", home=ha)
        events.request(a, plans[0], e_req, partner="TPA", home=ha)
        with pytest.raises(LinkgraphError, match="t-req.json: refused, not a linkgraph-psi-event-request/1 file"):
            events.respond(partner, t_req, plans[1], tmp_path / "x.json", home=hb)
        with pytest.raises(LinkgraphError, match="e-req.json: refused, not a linkgraph-psi-request/1 file"):
            psi.respond(partner, e_req, tmp_path / "x.json", home=hb)
        refused = audit_log(partner)["action"].value_counts()
        assert refused["deconflict events respond refused"] == 1 and refused["deconflict respond refused"] == 1

        t_resp, e_resp = tmp_path / "t-resp.json", tmp_path / "e-resp.json"
        psi.respond(partner, t_req, t_resp, home=hb)
        events.respond(partner, e_req, plans[1], e_resp, home=hb)
        with pytest.raises(LinkgraphError, match="not a linkgraph-psi-event-response/1 file"):
            events.result(a, t_resp, home=ha)
        with pytest.raises(LinkgraphError, match="not a linkgraph-psi-response/1 file"):
            psi.result(a, e_resp, home=ha)
        # an event response that names a target request's nonce (B re-signing it) is refused at A
        d = json.loads(e_resp.read_text())
        d["nonce"] = json.loads(t_resp.read_text())["nonce"]
        del d["signature"]
        forged = tmp_path / "forged.json"
        psi._write_signed(d, forged, hb)
        with pytest.raises(LinkgraphError, match="our request .* was a linkgraph-psi-request/1"):
            events.result(a, forged, home=ha)
        assert psi.result(a, t_resp, home=ha).count == 7 and events.result(a, e_resp, home=ha).count == 3


def test_probing_limits_apply(store, homes, plans, tmp_path):  # noqa: F811
    """B (here the store under test) refuses a small request, a large one, a replay and a partner beyond its rate."""
    ha, hb = homes
    one = write_plans(tmp_path / "one.csv", [["PROBE", "2025-05-02", "", "-1.31", "36.81", "0"]])
    with open_store(str(tmp_path / "kws-db")) as a:
        events.request(a, one, tmp_path / "probe.json", distance_km=0, home=ha)
        with pytest.raises(LinkgraphError, match="1 items is fewer than the minimum of 10"):
            events.respond(store, tmp_path / "probe.json", plans[1], tmp_path / "x.json", home=hb)
        reqs = [tmp_path / f"req{i}.json" for i in range(3)]
        for r in reqs:
            events.request(a, plans[0], r, home=ha)
        with pytest.raises(LinkgraphError, match="is more than the maximum of 5"):
            events.respond(store, reqs[0], plans[1], tmp_path / "x.json", home=hb, max_items=5)
        events.respond(store, reqs[0], plans[1], tmp_path / "r0.json", home=hb, max_per_day=2)
        with pytest.raises(LinkgraphError, match="was answered before \\(a replayed request\\)"):
            events.respond(store, reqs[0], plans[1], tmp_path / "x.json", home=hb, max_per_day=2)
        events.respond(store, reqs[1], plans[1], tmp_path / "r1.json", home=hb, max_per_day=2)
        with pytest.raises(LinkgraphError, match="KWS has had 2 requests answered today, the limit is 2"):
            events.respond(store, reqs[2], plans[1], tmp_path / "x.json", home=hb, max_per_day=2)
        assert not (tmp_path / "x.json").exists()
    refused = audit_log(store).query("action == 'deconflict events respond refused'")["detail"].tolist()
    assert len(refused) == 4 and "fewer than the minimum" in refused[0]
    ledger = json.loads((hb / "psi" / "ledger.json").read_text())["requests"]
    assert [r["format"] for r in ledger] == [events.EVENTS.request_format] * 2


@pytest.mark.parametrize(
    "row, where, why",
    [
        (["OP-1", "2025-05-01", "", "91", "36.8", ""], 'row 3, column "lat"', "'91' is not a latitude"),
        (["OP-1", "2025-05-01", "", "-1.3", "east", ""], 'row 3, column "lon"', "'east' is not a longitude"),
        (["OP-1", "03/05/2025", "", "-1.3", "36.8", ""], 'row 3, column "start"', "'03/05/2025' is not an ISO date"),
        (["OP-1", "2025-05-03", "2025-05-01", "-1.3", "36.8", ""], 'row 3, column "end"', "is before the start"),
        (["OP-1", "2025-02-30", "", "-1.3", "36.8", ""], 'row 3, column "start"', "not a date of the calendar"),
        (["", "2025-05-01", "", "-1.3", "36.8", ""], 'row 3, column "operation"', "empty"),
        (["OP-1", "2025-05-01", "", "-1.3", "36.8", "-2"], 'row 3, column "radius_km"', "not a radius in km"),
    ],
)
def test_bad_plans_are_one_line_naming_row_and_column(tmp_path, row, where, why):
    path = write_plans(tmp_path / "plans.csv", [["OP-0", "2025-05-01", "", "-1.3", "36.8", "1"], row])
    with pytest.raises(LinkgraphError) as e:
        events.read_plans(path)
    msg = str(e.value)
    assert msg.startswith(f"plans.csv, {where}: ") and why in msg and "\n" not in msg, msg


def test_plans_columns_and_xlsx(tmp_path):
    with pytest.raises(LinkgraphError, match='plans.csv: no "lon" column'):
        events.read_plans(
            write_plans(tmp_path / "plans.csv", [["X", "2025-05-01", "-1.3"]], ["Operation", "Start", "Lat"])
        )
    with pytest.raises(LinkgraphError, match="no planned operations"):
        events.read_plans(write_plans(tmp_path / "empty.csv", []))
    with pytest.raises(LinkgraphError, match="unknown time zone 'Mars/Olympus'"):
        events.read_plans(write_plans(tmp_path / "p.csv", PLANS_A), tz="Mars/Olympus")

    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Plans"
    ws.append(["Operation", "Start", "End", "Latitude", "Longitude", "Radius", "Notes"])
    ws.append(["X-1", datetime(2025, 5, 1), datetime(2025, 5, 2, 18, 0), -1.3, 36.8, 5, "ignored"])
    ws.append([None] * 7)
    ws.append(["X-2", datetime(2025, 5, 3, 6, 30), None, -1.35, 36.85, None, None])
    wb.save(tmp_path / "plans.xlsx")
    ops = events.read_plans(tmp_path / "plans.xlsx", tz="Africa/Nairobi")
    assert [(o.operation, o.start.isoformat(), o.end.isoformat(), o.lat, o.lon, o.radius_km, o.row) for o in ops] == [
        ("X-1", "2025-05-01T00:00:00+00:00", "2025-05-02T15:00:00+00:00", -1.3, 36.8, 5.0, 2),
        ("X-2", "2025-05-03T03:30:00+00:00", "2025-05-03T03:30:00+00:00", -1.35, 36.85, 0.0, 4),
    ]
    ws.append(["X-3", datetime(2025, 5, 3), None, "north", 36.85, None, None])
    wb.save(tmp_path / "plans.xlsx")
    with pytest.raises(LinkgraphError, match=r'^plans.xlsx, sheet "Plans", row 5, column "Latitude": \'north\''):
        events.read_plans(tmp_path / "plans.xlsx")


def test_cover_finds_every_cell_a_disc_reaches():
    """A's expansion, checked against points sampled in each disc: every one lies in a cell of the cover, and
    every cell of the cover comes within the radius."""
    import math
    import random

    rnd = random.Random(7)
    for cell in (0.25, 0.5):
        grid = events.Grid(cell)
        for _ in range(60):
            lat, lon, km = rnd.uniform(-75, 75), rnd.uniform(-180, 180), rnd.uniform(0, 60)
            cover = grid.cover(lat, lon, km)
            for _ in range(150):
                b, d = rnd.uniform(0, 2 * math.pi), rnd.uniform(0, km) / events.EARTH_KM
                p1, l1 = math.radians(lat), math.radians(lon)
                p2 = math.asin(math.sin(p1) * math.cos(d) + math.cos(p1) * math.sin(d) * math.cos(b))
                l2 = l1 + math.atan2(
                    math.sin(b) * math.sin(d) * math.cos(p1), math.cos(d) - math.sin(p1) * math.sin(p2)
                )
                assert grid.cell(math.degrees(p2), (math.degrees(l2) + 180) % 360 - 180) in cover
            for i, j in cover:
                s, w, n, e = grid.bounds(i, j)
                near = min(
                    events._haversine_km(lat, lon, s + (n - s) * u / 30, w + (e - w) * v / 30)
                    for u in range(31)
                    for v in range(31)
                )
                assert near <= km + cell * 111.2 / 30, (lat, lon, km, i, j)  # the sampling's spacing


def test_cli_request_respond_result(store_target, tmp_path, homes, plans):  # noqa: F811
    ha, hb = homes
    with open_store(store_target), open_store(str(tmp_path / "tpa-db")):
        pass  # both stores exist: the commands open them with create=False
    req, resp, out_csv = tmp_path / "req.json", tmp_path / "resp.json", tmp_path / "conflicts.csv"
    db_a, db_b = ("--db", store_target), ("--db", tmp_path / "tpa-db")
    out = cli("deconflict", "events", "request", plans[0], "--to", "TPA", "--out", req, "--home", ha, *db_a)
    assert "cells (encrypted) for TPA" in out
    out = cli("deconflict", "events", "respond", req, plans[1], "--out", resp, "--home", hb, *db_b)
    assert "answered event request" in out and "from KWS" in out
    out = cli("deconflict", "events", "result", resp, "--out", out_csv, "--home", ha, *db_a)
    assert "TPA's operations touch 3 of our" in out
    got = pd.read_csv(out_csv)
    assert [tuple(r) for r in got.itertuples(index=False)] == CONFLICTS

    bad = write_plans(tmp_path / "bad.csv", [["OP-1", "2025-05-01", "", "-1.3", "36,8,1", ""]])
    err = cli_refusal("deconflict", "events", "request", bad, "--out", req, "--home", ha, "--db", store_target)
    assert "bad.csv, row 2, column \"lon\": '36,8,1' is not a longitude" in err

    cli("deconflict", "events", "request", plans[0], "--out", req, "--count-only", "--home", ha, *db_a)
    cli("deconflict", "events", "respond", req, plans[1], "--out", resp, "--home", hb, *db_b)
    out = cli("deconflict", "events", "result", resp, "--home", ha, *db_a)
    assert "TPA's operations touch 3 of our" in out and "A-SAME" not in out


def test_cli_defaults_are_the_library_defaults():
    import inspect

    from linkgraph.cli import events_request, events_respond

    req, resp = inspect.signature(events_request).parameters, inspect.signature(events_respond).parameters
    assert req["cell_deg"].default == events.CELL_DEG and req["distance_km"].default == events.DISTANCE_KM
    assert resp["min_items"].default == psi.MIN_SET and resp["max_per_day"].default == psi.RATE
    assert resp["max_items"].default == events.MAX_SET and resp["min_cell_deg"].default == events.MIN_CELL_DEG
