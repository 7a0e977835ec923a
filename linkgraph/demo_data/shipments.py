"""The shipment manifest: air waybills and bills of lading of the network's front companies on their lanes, and
legitimate traders' air cargo around them."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from linkgraph.demo_data.formats import cargo_date, csv_text, imo, new_awb
from linkgraph.demo_data.world import World

HEADERS = ["AWB number", "B/L No", "Date", "Arrival date", "Shipper", "Shipper country", "Consignee"]
HEADERS += ["Consignee country", "Notify party", "Origin", "Transit", "Destination", "Declared goods"]
HEADERS += ["Gross weight (kg)", "Flight", "Vessel IMO", "Mode"]


def manifest(w: World, path: Path) -> None:
    w.vessels = [imo(w.rng) for _ in range(4)]
    used_awb: set[str] = set()
    rows = _air_rows(w, used_awb) + _sea_rows(w)
    # the air waybill the NCA report names: Okafor's company to the Malaysian Sdn Bhd
    w.report_awb = next(r["awb"] for r in rows if r["orgs"][:2] == ["O04", "O02"])
    rows += _legit_rows(w, used_awb)
    rows.sort(key=lambda r: (r["date"], r["awb"] or r["bol"]))
    out = [HEADERS]
    for n, r in enumerate(rows, start=2):
        out.append(_cells(r))
        if r["orgs"]:
            cols = ["Shipper", "Consignee"] + (["Notify party"] if len(r["orgs"]) > 2 else [])
            for col, oid, written in zip(cols, r["orgs"], (r["shipper"], r["consignee"], r["notify"])):
                w.org_mentions.append({"file": path.name, "row": n, "column": col, "name": written, "org": oid})
    path.write_text(csv_text(out), encoding="utf-8", newline="")


def _cells(r: dict) -> list:
    return [
        r["awb"],
        r["bol"],
        cargo_date(r["date"]),
        cargo_date(r["arrival"]),
        r["shipper"],
        r["sc"],
        r["consignee"],
        r["cc"],
        r["notify"],
        r["origin"],
        r["transit"],
        r["dest"],
        r["goods"],
        f"{r['weight']:,}",
        r["flight"],
        f"IMO {r['imo']}" if r["imo"] else "",
        r["mode"],
    ]


def _variants(w: World) -> dict[str, list[str]]:
    return {oid: o["variants"] for oid, o in w.facts["organizations"].items()}


def _parties(w: World, v: dict[str, list[str]], lane: dict, sep: str) -> dict:
    """A network shipment's shipper, consignee and notify party (each in one of its spellings), route and goods."""
    rng, shipper, consignee, notify = w.rng, lane["shipper"], lane["consignee"], lane["notify"]
    return dict(
        shipper=rng.choice(v[shipper]),
        sc=lane["shipper_country"],
        consignee=rng.choice(v[consignee]),
        cc=lane["consignee_country"],
        notify=rng.choice(v[notify]) if notify else "",
        origin=lane["origin"],
        transit=sep.join(lane["transit"]),
        dest=lane["destination"],
        goods=rng.choice(lane["goods"]),
        orgs=[shipper, consignee] + ([notify] if notify else []),
    )


def _air_rows(w: World, used_awb: set[str]) -> list[dict]:
    rng, v = w.rng, _variants(w)
    rows = []
    for lane in w.facts["shipments"]["air_lanes"]:
        for _ in range(lane["shipments"]):
            when = date(2023, 1, 5) + timedelta(days=rng.randrange(0, 660))
            awb = new_awb(rng, lane["airline"], used_awb)
            arrival = when + timedelta(days=rng.choice([1, 2, 3]))
            row = dict(awb=awb, bol="", date=when, arrival=arrival, **_parties(w, v, lane, "; "))
            weight = rng.choice([180, 240, 320, 410, 515, 640, 780, 960]) + rng.randrange(0, 60)
            rows.append(
                {**row, "weight": weight, "flight": rng.choice(lane["flights"]), "imo": "", "mode": lane["mode"]}
            )
    return rows


def _sea_rows(w: World) -> list[dict]:
    rng, v = w.rng, _variants(w)
    rows = []
    for lane in w.facts["shipments"]["sea_lanes"]:
        for _ in range(lane["shipments"]):
            when = date(2023, 1, 5) + timedelta(days=rng.randrange(0, 640))
            bol = f"{rng.choice(['MEDU', 'MSCU', 'CMDU', 'PCIU'])}{rng.randrange(1000000, 9999999)}"
            arrival = when + timedelta(days=rng.randrange(24, 41))
            row = dict(awb="", bol=bol, date=when, arrival=arrival, **_parties(w, v, lane, " / "))
            weight = rng.randrange(12000, 26000, 10)
            rows.append({**row, "weight": weight, "flight": "", "imo": rng.choice(w.vessels), "mode": "sea"})
    return rows


def _legit_rows(w: World, used_awb: set[str]) -> list[dict]:
    rng, facts = w.rng, w.facts["shipments"]
    rows = []
    for _ in range(28):
        s_name, sc, sa = rng.choice(facts["legit_shippers"])
        c_name, cc, ca = rng.choice(facts["legit_consignees"])
        via = rng.choice(facts["hubs"][sa])
        prefix, carrier = facts["airlines"][via]
        when = date(2023, 1, 3) + timedelta(days=rng.randrange(0, 680))
        awb = new_awb(rng, prefix, used_awb)
        rows.append(
            dict(
                awb=awb,
                bol="",
                date=when,
                arrival=when + timedelta(days=rng.choice([1, 2])),
                shipper=s_name,
                sc=sc,
                consignee=c_name,
                cc=cc,
                notify="",
                origin=sa,
                transit=via,
                dest=ca,
                goods=rng.choice(facts["legit_goods"]),
                weight=rng.randrange(90, 2400),
                flight=f"{carrier} {rng.randrange(100, 999)}",
                imo="",
                mode="air",
                orgs=[],
            )
        )
    return rows
