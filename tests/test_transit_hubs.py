"""transit_hubs on a constructed case whose answer is known (both engines).

S1 seizure  2023-02 ivory (Loxodonta)  KE > NBO > DXB > VN     transit NBO, DXB
S2 seizure  2023-03 ivory (Loxodonta)  KE > NBO > DXB > VN     same route as S1
S3 seizure  2023-05 horn  (Ceratotherium) ZA > ADD > DXB > CN  transit ADD, DXB
A1 shipment 2023-08 ivory (Loxodonta)  TZ > NBO > CN           transit NBO
A2 shipment 2024-01 pangolin (Manis)   NG > ADD > VN           transit ADD
S4 seizure  2023-04, placed in AE (no route): enforcement effort for AE only

Distinct routes: DXB 2 (S1=S2, S3), NBO 2 (S1=S2, A1), ADD 2 (S3, A2); items DXB 3, NBO 3, ADD 2.
Seizures per country: KE (NBO) 2 (S1, S2), AE (DXB) 4 (S1, S2, S3, S4), ET (ADD) 1 (S3).
"""

from __future__ import annotations

import pandas as pd
import pytest

from linkgraph.querylib import execute
from tests.fixture_graph import _obs
from tests.query_fixture import _link

AIRPORTS = {"NBO": "KE", "DXB": "AE", "ADD": "ET"}
COUNTRIES = ["KE", "AE", "ET", "VN", "ZA", "CN", "TZ", "NG"]
SPECIES = {"lox": "Loxodonta africana", "cer": "Ceratotherium simum", "man": "Manis tricuspis"}
ITEMS = [  # id, type, date, species, commodity, legs
    ("S1", "Seizure", "2023-02-01", "lox", "ivory", ["KE", "NBO", "DXB", "VN"]),
    ("S2", "Seizure", "2023-03-01", "lox", "ivory", ["KE", "NBO", "DXB", "VN"]),
    ("S3", "Seizure", "2023-05-01", "cer", "horn", ["ZA", "ADD", "DXB", "CN"]),
    ("A1", "Shipment", "2023-08-01", "lox", "ivory", ["TZ", "NBO", "CN"]),
    ("A2", "Shipment", "2024-01-15", "man", "scales", ["NG", "ADD", "VN"]),
]


def _build():
    loc = [_obs(1, id=f"Location:{c}", caption=c, name=c, kind="country", code=c) for c in COUNTRIES]
    loc += [
        _obs(2, id=f"Location:{a}", caption=a, name=a, kind="airport", code=a, country=c) for a, c in AIRPORTS.items()
    ]
    nodes = {
        "Location": pd.DataFrame(loc),
        "Species": pd.DataFrame([_obs(3, id=f"Species:{n}", caption=n, scientific_name=n) for n in SPECIES.values()]),
        "Seizure": pd.DataFrame(
            [
                _obs(4, id=f"Seizure:{i}", caption=i, reference=i, date=d)
                for i, t, d, *_ in [*ITEMS, ("S4", "Seizure", "2023-04-01")]
                if t == "Seizure"
            ]
        ),
        "Shipment": pd.DataFrame(
            [_obs(5, id=f"Shipment:{i}", caption=i, reference=i, date=d) for i, t, d, *_ in ITEMS if t == "Shipment"]
        ),
    }
    links = {"ROUTED_VIA": [], "INVOLVED": [], "CONTAINED": []}
    for i, t, _d, sp, commodity, legs in ITEMS:
        x = f"{t}:{i}"
        rel = "INVOLVED" if t == "Seizure" else "CONTAINED"
        links[rel].append(
            _link(rel, x, t, f"Species:{SPECIES[sp]}", "Species", 6, commodity=commodity, quantity=1.0, unit="kg")
        )
        for leg, c in enumerate(legs, start=1):
            role = "origin" if leg == 1 else "destination" if leg == len(legs) else "transit"
            links["ROUTED_VIA"].append(_link("ROUTED_VIA", x, t, f"Location:{c}", "Location", 7, leg=leg, role=role))
    links["LOCATED_IN"] = [_link("LOCATED_IN", "Seizure:S4", "Seizure", "Location:AE", "Location", 8)]
    return nodes, {k: pd.DataFrame(v) for k, v in links.items()}


@pytest.fixture
def hstore(store):
    store.write(*_build())
    return store


def _rows(df, *cols):
    return [tuple(r) for r in df[list(cols)].itertuples(index=False)]


def test_ranked_by_distinct_routes(hstore):
    res = execute("transit_hubs", hstore)
    df = res.frame
    assert _rows(df, "hub", "country", "kind", "routes", "items") == [
        ("DXB", "AE", "airport", 2, 3),
        ("NBO", "KE", "airport", 2, 3),
        ("ADD", "ET", "airport", 2, 2),
    ]
    nbo = df.set_index("hub").loc["NBO"]
    assert list(nbo["species"]) == ["Loxodonta africana"]
    assert (nbo["first_date"], nbo["last_date"]) == ("2023-02-01", "2023-08-01")
    assert list(df.set_index("hub").loc["DXB", "species"]) == ["Ceratotherium simum", "Loxodonta africana"]
    assert {"Location:DXB", "Location:NBO", "Location:ADD", "Seizure:S1", "Shipment:A2"} <= set(res.node_ids)
    assert "Location:KE" not in res.node_ids  # an origin is not a hub
    assert execute("transit_hubs", hstore, min_routes=3).frame.empty


def test_species_and_period_filters(hstore):
    ivory = execute("transit_hubs", hstore, species="loxodonta").frame
    assert _rows(ivory, "hub", "routes", "items") == [("NBO", 2, 3), ("DXB", 1, 2)]
    period = execute("transit_hubs", hstore, date_from="2023-04", date_to="2023-12").frame
    assert _rows(period, "hub", "routes", "items") == [("ADD", 1, 1), ("DXB", 1, 1), ("NBO", 1, 1)]
    assert execute("transit_hubs", hstore, commodity="scales").frame["hub"].tolist() == ["ADD"]


def test_normalised_by_country_seizures(hstore):
    df = execute("transit_hubs", hstore, normalise="true").frame
    assert _rows(df, "hub", "routes", "country_seizures", "per_seizure") == [
        ("ADD", 2, 1, 2.0),
        ("NBO", 2, 2, 1.0),
        ("DXB", 2, 4, 0.5),
    ]
    # the period applies to the seizure counts too: from 2023-04 AE has S3 and S4, ET S3, KE none
    late = execute("transit_hubs", hstore, normalise=True, date_from="2023-04").frame
    assert _rows(late, "hub", "routes", "country_seizures") == [("ADD", 2, 1), ("DXB", 1, 2), ("NBO", 1, 0)]
    assert late["per_seizure"].tolist()[:2] == [2.0, 0.5] and pd.isna(late["per_seizure"].iloc[2])


def test_marks_the_hubs_on_a_chart(hstore):
    from linkgraph.marks import mark_rows

    title, marks = mark_rows(hstore, "transit_hubs", {"species": "loxodonta"})
    assert title == "Transit hubs ranked by distinct trafficking routes"
    assert [(m["id"], m["rank"]) for m in marks] == [("Location:NBO", 1), ("Location:DXB", 2)]
    assert marks[0]["text"] == "transit hub 1 of 2: 2 distinct routes, 3 seizures and shipments"
