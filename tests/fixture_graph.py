"""A small investigation written through the store API: two seizures, a shipment, people, phones, calls.

Used by the store and query tests on both engines, so everything here goes through Store.write.
"""

from __future__ import annotations

import pandas as pd

from linkgraph.schema import link_id, node_id

BATCH = "batch-fixture-1"
PROV = {
    "_batch": BATCH,
    "_source": "fixture.xlsx",
    "_sha256": "0" * 64,
    "_sheet": "Register",
    "_imported": "2026-11-30T09:00:00+00:00",
    "_handling": "P",
    "_source_type": "officer",
    "_agency": "KWS",
}


def _obs(row: int, grade: str = "B2", observed: str | None = "2023-04-05", **values) -> dict:
    return {
        **values,
        **PROV,
        "_row": row,
        "_observed": observed,
        "_reliability": grade[0],
        "_credibility": int(grade[1]),
    }


def person(name: str, birth: str | None = None, **kw) -> str:
    return node_id("Person", {"name_key": name.lower(), "birth_date": birth}, source="fixture.xlsx")


def build() -> tuple[dict[str, pd.DataFrame], dict[str, pd.DataFrame]]:
    people = [
        ("Hung Nguyen Van", "1978-03-02", "VN", 2),
        ("Joseph Mwangi", "1985", "KE", 3),
        ("Li Wei", None, "CN", 4),
        ("<script>alert(1)</script>", None, None, 5),
    ]
    nodes = {
        "Person": pd.DataFrame(
            [
                _obs(
                    r,
                    id=person(n, b),
                    caption=n,
                    name=n,
                    name_key=n.lower(),
                    birth_date=b,
                    nationality=c,
                    aliases=[n.upper()],
                )
                for n, b, c, r in people
            ]
        ),
        "Phone": pd.DataFrame(
            [
                _obs(
                    2,
                    id="Phone:+254712345678",
                    caption="+254712345678",
                    number="+254712345678",
                    valid=True,
                    country="KE",
                ),
                _obs(
                    3,
                    id="Phone:+254712345678",
                    caption="+254712345678",
                    number="+254712345678",
                    valid=True,
                    country="KE",
                ),
                _obs(
                    4,
                    "C3",
                    id="Phone:+84912345678",
                    caption="+84912345678",
                    number="+84912345678",
                    valid=True,
                    country="VN",
                ),
            ]
        ),
        "Seizure": pd.DataFrame(
            [
                _obs(
                    2,
                    id="Seizure:KWS-2023-001",
                    caption="KWS-2023-001",
                    reference="KWS-2023-001",
                    date="2023-04-05",
                    country="KE",
                    arrests=2,
                ),
                _obs(
                    3,
                    "A1",
                    "2023-06",
                    id="Seizure:KWS-2023-002",
                    caption="KWS-2023-002",
                    reference="KWS-2023-002",
                    date="2023-06",
                    country="KE",
                    arrests=0,
                ),
            ]
        ),
        "Species": pd.DataFrame(
            [
                _obs(
                    2,
                    id="Species:Loxodonta africana",
                    caption="Loxodonta africana",
                    scientific_name="Loxodonta africana",
                    cites_appendix="I",
                    verified=True,
                ),
                _obs(
                    3,
                    id="Species:Loxodonta africana",
                    caption="Loxodonta africana",
                    scientific_name="Loxodonta africana",
                    cites_appendix="I",
                    verified=True,
                ),
            ]
        ),
        "Location": pd.DataFrame(
            [
                _obs(
                    2,
                    id="Location:KE",
                    caption="Kenya",
                    name="Kenya",
                    kind="country",
                    code="KE",
                    latitude=0.0236,
                    longitude=37.9062,
                )
            ]
        ),
    }
    p = [person(n, b) for n, b, _, _ in people]

    def link(type_, s, st, t, tt, row, grade="B2", observed="2023-04-05", **props):
        keys = {k: props.get(k) for k in ("time", "commodity", "term", "leg", "role")}
        return _obs(
            row,
            grade,
            observed,
            id=link_id(type_, s, t, keys),
            source=s,
            target=t,
            source_type=st,
            target_type=tt,
            **props,
        )

    links = {
        "HAS_PHONE": pd.DataFrame(
            [
                link("HAS_PHONE", p[0], "Person", "Phone:+254712345678", "Phone", 2),
                link("HAS_PHONE", p[1], "Person", "Phone:+254712345678", "Phone", 3, "D4"),
                link("HAS_PHONE", p[2], "Person", "Phone:+84912345678", "Phone", 4),
            ]
        ),
        "PARTY_TO": pd.DataFrame(
            [
                link("PARTY_TO", p[0], "Person", "Seizure:KWS-2023-001", "Seizure", 2, role="suspect"),
                link(
                    "PARTY_TO", p[1], "Person", "Seizure:KWS-2023-002", "Seizure", 3, "A1", "2023-06", role="arrested"
                ),
                link("PARTY_TO", p[3], "Person", "Seizure:KWS-2023-002", "Seizure", 5, role="suspect"),
            ]
        ),
        "INVOLVED": pd.DataFrame(
            [
                link(
                    "INVOLVED",
                    "Seizure:KWS-2023-001",
                    "Seizure",
                    "Species:Loxodonta africana",
                    "Species",
                    2,
                    quantity=120.5,
                    unit="kg",
                    commodity="ivory",
                ),
                link(
                    "INVOLVED",
                    "Seizure:KWS-2023-002",
                    "Seizure",
                    "Species:Loxodonta africana",
                    "Species",
                    3,
                    quantity=12.0,
                    unit="tusks",
                    commodity="ivory",
                ),
            ]
        ),
        "LOCATED_IN": pd.DataFrame(
            [link("LOCATED_IN", "Seizure:KWS-2023-001", "Seizure", "Location:KE", "Location", 2)]
        ),
        "CALLED": pd.DataFrame(
            [
                link(
                    "CALLED",
                    "Phone:+254712345678",
                    "Phone",
                    "Phone:+84912345678",
                    "Phone",
                    7,
                    time="2023-04-01T10:02:00",
                    duration_s=65,
                ),
                link(
                    "CALLED",
                    "Phone:+254712345678",
                    "Phone",
                    "Phone:+84912345678",
                    "Phone",
                    8,
                    time="2023-04-02T11:40:00",
                    duration_s=12,
                ),
            ]
        ),
    }
    return nodes, links
