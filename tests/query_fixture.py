"""More structure on top of tests/fixture_graph.py for the query library: routed shipments, a broker between a
Kenyan and a Vietnamese group, a shared passport, a repeat offender, dated associations. Written via Store.write.

    Kenyan group: Joseph Mwangi, Peter Otieno (KE), Mombasa Freight Ltd (KE)
    Vietnamese group: Hung Nguyen Van, Tran Thi Mai (VN)
    Chen Jian (CN) is ASSOCIATE_OF both groups: the broker (a liaison between KE and VN).
    Li Wei and Tran Thi Mai hold the same passport; Hung is party to both seizures.
    SHP-001 and SHP-002: KE (origin) -> AE (transit) -> VN (destination), elephant ivory.
"""

from __future__ import annotations

import pandas as pd

from linkgraph.schema import link_id, node_id
from tests import fixture_graph as fg
from tests.fixture_graph import _obs, person

PEOPLE = {  # name: (birth, nationality, grade)
    "Peter Otieno": ("1980", "KE", "B2"),
    "Tran Thi Mai": ("1990-01-01", "VN", "B2"),
    "Chen Jian": ("1975", "CN", "C3"),
}


def pid(name: str) -> str:
    base = {"Hung Nguyen Van": "1978-03-02", "Joseph Mwangi": "1985", "Li Wei": None}
    birth = base[name] if name in base else PEOPLE[name][0]
    return person(name, birth)


ORG = node_id("Organization", {"name_key": "mombasa freight ltd", "country": "KE"}, source="fixture.xlsx")
PASSPORT = node_id("Identification", {"kind": "passport", "number": "C1234567"})


def _link(type_, s, st, t, tt, row, grade="B2", observed="2023-04-05", **props):
    keys = {k: props.get(k) for k in ("time", "commodity", "term", "leg", "role")}
    return _obs(
        row, grade, observed, id=link_id(type_, s, t, keys), source=s, target=t, source_type=st, target_type=tt, **props
    )


def build() -> tuple[dict[str, pd.DataFrame], dict[str, pd.DataFrame]]:
    nodes, links = fg.build()
    more_nodes = {
        "Person": pd.DataFrame(
            [
                _obs(20 + i, g, id=pid(n), caption=n, name=n, name_key=n.lower(), birth_date=b, nationality=c)
                for i, (n, (b, c, g)) in enumerate(PEOPLE.items())
            ]
        ),
        "Organization": pd.DataFrame(
            [
                _obs(
                    30,
                    id=ORG,
                    caption="Mombasa Freight Ltd",
                    name="Mombasa Freight Ltd",
                    name_key="mombasa freight ltd",
                    country="KE",
                )
            ]
        ),
        "Identification": pd.DataFrame(
            [_obs(31, id=PASSPORT, caption="C1234567", number="C1234567", kind="passport", country="VN")]
        ),
        "Location": pd.DataFrame(
            [
                _obs(32, id=f"Location:{c}", caption=n, name=n, kind="country", code=c)
                for c, n in [("AE", "United Arab Emirates"), ("VN", "Viet Nam"), ("CN", "China")]
            ]
        ),
        "Shipment": pd.DataFrame(
            [
                _obs(
                    40,
                    "A2",
                    "2023-05-10",
                    id="Shipment:SHP-001",
                    caption="SHP-001",
                    reference="SHP-001",
                    kind="sea",
                    date="2023-05-10",
                    weight_kg=520.0,
                ),
                _obs(
                    41,
                    "B3",
                    "2023-07",
                    id="Shipment:SHP-002",
                    caption="SHP-002",
                    reference="SHP-002",
                    kind="sea",
                    date="2023-07",
                    weight_kg=310.0,
                ),
            ]
        ),
    }
    hung, joseph, li = pid("Hung Nguyen Van"), pid("Joseph Mwangi"), pid("Li Wei")
    peter, tran, chen = pid("Peter Otieno"), pid("Tran Thi Mai"), pid("Chen Jian")
    route = []
    for shp, row in (("Shipment:SHP-001", 50), ("Shipment:SHP-002", 53)):
        for leg, (loc, role) in enumerate([("KE", "origin"), ("AE", "transit"), ("VN", "destination")], start=1):
            route.append(
                _link("ROUTED_VIA", shp, "Shipment", f"Location:{loc}", "Location", row + leg - 1, leg=leg, role=role)
            )
    more_links = {
        "ASSOCIATE_OF": pd.DataFrame(
            [
                _link("ASSOCIATE_OF", joseph, "Person", peter, "Person", 60, date="2023-01-10"),
                _link("ASSOCIATE_OF", chen, "Person", joseph, "Person", 61, "C3", date="2023-02-01"),
                _link("ASSOCIATE_OF", chen, "Person", peter, "Person", 62, "D4", date="2023-02-15"),
                _link("ASSOCIATE_OF", chen, "Person", hung, "Person", 63, "C3", date="2023-03-01"),
                _link("ASSOCIATE_OF", chen, "Person", tran, "Person", 64, "C3", date="2023-03-20"),
                _link("ASSOCIATE_OF", hung, "Person", tran, "Person", 65, date="2023-01-05"),
            ]
        ),
        "MEMBER_OF": pd.DataFrame([_link("MEMBER_OF", peter, "Person", ORG, "Organization", 66, role="director")]),
        "HAS_ID": pd.DataFrame(
            [
                _link("HAS_ID", li, "Person", PASSPORT, "Identification", 67),
                _link("HAS_ID", tran, "Person", PASSPORT, "Identification", 68, "C3"),
            ]
        ),
        "NATIONAL_OF": pd.DataFrame([_link("NATIONAL_OF", chen, "Person", "Location:CN", "Location", 69)]),
        "PARTY_TO": pd.DataFrame(
            [_link("PARTY_TO", hung, "Person", "Seizure:KWS-2023-002", "Seizure", 70, role="owner")]
        ),
        "SEIZED_FROM": pd.DataFrame(
            [_link("SEIZED_FROM", "Seizure:KWS-2023-001", "Seizure", "Shipment:SHP-001", "Shipment", 71)]
        ),
        "CONSIGNED": pd.DataFrame(
            [
                _link("CONSIGNED", ORG, "Organization", "Shipment:SHP-001", "Shipment", 72, role="shipper"),
                _link("CONSIGNED", tran, "Person", "Shipment:SHP-001", "Shipment", 73, role="consignee"),
                _link("CONSIGNED", ORG, "Organization", "Shipment:SHP-002", "Shipment", 74, "B3", role="shipper"),
            ]
        ),
        "CONTAINED": pd.DataFrame(
            [
                _link(
                    "CONTAINED",
                    "Shipment:SHP-001",
                    "Shipment",
                    "Species:Loxodonta africana",
                    "Species",
                    75,
                    commodity="ivory",
                    term="tusks",
                    quantity=500.0,
                    unit="kg",
                ),
                _link(
                    "CONTAINED",
                    "Shipment:SHP-002",
                    "Shipment",
                    "Species:Loxodonta africana",
                    "Species",
                    76,
                    commodity="ivory",
                    term="tusks",
                    quantity=300.0,
                    unit="kg",
                ),
            ]
        ),
        "ROUTED_VIA": pd.DataFrame(route),
    }
    for k, v in more_nodes.items():
        nodes[k] = pd.concat([nodes[k], v], ignore_index=True) if k in nodes else v
    for k, v in more_links.items():
        links[k] = pd.concat([links[k], v], ignore_index=True) if k in links else v
    return nodes, links


IDS = {
    "hung": lambda: pid("Hung Nguyen Van"),
    "joseph": lambda: pid("Joseph Mwangi"),
    "li": lambda: pid("Li Wei"),
    "peter": lambda: pid("Peter Otieno"),
    "tran": lambda: pid("Tran Thi Mai"),
    "chen": lambda: pid("Chen Jian"),
}
