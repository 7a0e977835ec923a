"""A small hostile subgraph for the renderer and exporter tests, built directly with pandas.

About 20 nodes of most entity types and 25 links, with names that try script injection, HTML injection,
tag breaking and spreadsheet formula injection, unicode names, and provenance JSON with Admiralty grades.
"""

from __future__ import annotations

import json

import pandas as pd

from linkgraph.subgraph import Subgraph

XSS_SCRIPT = "<script>alert(1)</script>"
XSS_IMG = '"><img src=x onerror=alert(1)>'
XSS_CLOSE = "</script><script>alert(2)</script>"
XSS_SOURCE = "<img src=x onerror=alert(3)>.xlsx"
XSS_COMMENT = "<!--<script>alert(4)//-->"
FORMULA_LINK = '=HYPERLINK("http://x","y")'
FORMULA_DDE = "+cmd|' /C calc'!A0"
FORMULA_MINUS = "-2+3+cmd|' /C calc'!A0"
FORMULA_AT = "@SUM(1+1)*cmd|' /C calc'!A0"
FORMULA_TAB = "\t=1+1"
FORMULA_CR = "\r=1+1"
VIETNAMESE = "Nguyễn Văn Hùng"
CHINESE = "穿山甲"
LINE_SEP = "line\u2028separator\u2029para"

HOSTILE_CAPTIONS = [XSS_SCRIPT, XSS_IMG, XSS_CLOSE, FORMULA_LINK, FORMULA_AT, FORMULA_MINUS]
FORMULAS = [FORMULA_LINK, FORMULA_DDE, FORMULA_MINUS, FORMULA_AT, FORMULA_TAB, FORMULA_CR]

SHA = "9f2c1a7e5b3d4c6f8a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f"


def prov(
    source="seizure_register.xlsx",
    sheet="2023",
    row=14,
    observed="2023-04-12",
    rel="B",
    cred=2,
    handling="TLP:AMBER",
    source_type="register",
    agency="KWS",
    batch="b-001",
    **extra,
) -> dict:
    rec = {
        "source": source,
        "sha256": SHA,
        "sheet": sheet,
        "row": row,
        "batch": batch,
        "imported": "2024-01-05T10:00:00Z",
        "observed": observed,
        "reliability": rel,
        "credibility": cred,
        "handling": handling,
        "source_type": source_type,
        "agency": agency,
    }
    rec.update(extra)
    return rec


# id, type, caption, properties, provenance records
NODES = [
    (
        "p:script",
        "Person",
        XSS_SCRIPT,
        {"name": XSS_SCRIPT, "nationality": "KE", "occupation": FORMULA_AT},
        [
            prov(row=14),
            prov(
                source="informant-17",
                sheet=None,
                row=None,
                rel="C",
                cred=3,
                source_type="informant",
                observed="2023-05",
            ),
        ],
    ),
    (
        "p:img",
        "Person",
        XSS_IMG,
        {"name": XSS_IMG, "nationality": "TZ", "aliases": [XSS_CLOSE, "J.M."]},
        [prov(row=15, rel="D", cred=4)],
    ),
    (
        "p:hung",
        "Person",
        VIETNAMESE,
        {"name": VIETNAMESE, "nationality": "VN", "birth_date": "1979-03-02", "gender": "M"},
        [prov(source="vn_customs.csv", sheet=None, row=3, rel="A", cred=1, handling="TLP:GREEN", agency="VN Customs")],
    ),
    (
        "p:jane",
        "Person",
        "Jane Mwangi",
        {"name": "Jane Mwangi", "occupation": "clearing agent"},
        [prov(row=16, rel="B", cred=3)],
    ),
    (
        "o:close",
        "Organization",
        XSS_CLOSE,
        {"name": XSS_CLOSE, "country": "KE", "kind": "company"},
        [prov(row=20, rel="C", cred=2)],
    ),
    (
        "o:formula",
        "Organization",
        FORMULA_LINK,
        {"name": FORMULA_LINK, "country": "VN", "registration_number": FORMULA_DDE},
        [prov(source=XSS_SOURCE, sheet="=cmd", row=2, rel="B", cred=2)],
    ),
    (
        "o:chinese",
        "Organization",
        CHINESE + "贸易有限公司",
        {"name": CHINESE + "贸易有限公司", "country": "CN"},
        [prov(source="cn_register.xlsx", row=7, rel="C", cred=3, handling="TLP:AMBER+STRICT")],
    ),
    ("ph:ke", "Phone", "+254712345678", {"number": "+254712345678", "country": "KE", "valid": True}, [prov(row=14)]),
    (
        "ph:vn",
        "Phone",
        "+84912345678",
        {"number": "+84912345678", "country": "VN", "valid": True},
        [prov(source="cdr_2023.csv", sheet=None, row=99, rel="A", cred=2, source_type="call records")],
    ),
    ("em:at", "Email", FORMULA_AT, {"address": FORMULA_AT}, [prov(row=17, rel="E", cred=5)]),
    (
        "ad:mombasa",
        "Address",
        FORMULA_MINUS,
        {"full": FORMULA_MINUS, "city": "Mombasa", "country": "KE"},
        [prov(row=14)],
    ),
    (
        "loc:mombasa",
        "Location",
        "Mombasa",
        {"name": "Mombasa", "kind": "port", "code": "KEMBA", "country": "KE", "latitude": -4.05, "longitude": 39.67},
        [],
    ),
    # as linkgraph.provenance folds rows: a compact range under `rows`
    (
        "loc:ke",
        "Location",
        "Kenya",
        {"name": "Kenya", "kind": "country", "code": "KE"},
        [{k: v for k, v in prov(source="countries.csv", sheet=None, row=None, rows="2-40,57").items() if k != "row"}],
    ),
    ("loc:vn", "Location", "Viet Nam", {"name": "Viet Nam", "kind": "country", "code": "VN"}, []),
    (
        "sp:manis",
        "Species",
        "Manis pentadactyla",
        {
            "scientific_name": "Manis pentadactyla",
            "common_name": CHINESE + " (Chinese pangolin)",
            "cites_appendix": "I",
        },
        [],
    ),
    (
        "sh:awb",
        "Shipment",
        "AWB 176-12345675",
        {
            "reference": "AWB 176-12345675",
            "kind": "air",
            "date": "2023-04-10",
            "declared_goods": FORMULA_DDE,
            "weight_kg": 412.5,
        },
        [
            prov(
                source="airway_bills.pdf",
                sheet=None,
                row=None,
                rel="B",
                cred=2,
                observed="2023-04-10",
                page=3,
                note=LINE_SEP,
            )
        ],
    ),
    (
        "sz:1",
        "Seizure",
        "SZ-2023-001",
        {
            "reference": "SZ-2023-001",
            "date": "2023-04-12",
            "place": "JKIA",
            "country": "KE",
            "agency": "KWS",
            "commodity": "scales",
            "arrests": 2,
        },
        [
            prov(row=14),
            prov(
                source="press_release.docx",
                sheet=None,
                row=None,
                rel="F",
                cred=6,
                handling="TLP:CLEAR",
                source_type="open source",
                observed="2023-04-13",
            ),
        ],
    ),
    (
        "ve:truck",
        "Vehicle",
        "KBZ 123A",
        {"registration": "KBZ 123A", "kind": "vehicle", "description": FORMULA_TAB},
        [prov(row=18, rel="C", cred=4)],
    ),
    (
        "pe:vn",
        "Permit",
        "VN-2023-0042",
        {"number": "VN-2023-0042", "kind": "export", "country": "VN"},
        [prov(source="cites_trade.csv", sheet=None, row=1201, rel="A", cred=1, handling="TLP:CLEAR")],
    ),
    (
        "ac:mpesa",
        "Account",
        "0712345678",
        {"number": "0712345678", "kind": "mobile money", "provider": "M-Pesa"},
        [prov(row=19, rel="B", cred=2, observed="2022-11-30")],
    ),
    (
        "id:pp",
        "Identification",
        "C1234567",
        {"number": "C1234567", "kind": "passport", "country": "VN"},
        [prov(source="vn_customs.csv", sheet=None, row=3, rel="A", cred=1, handling="TLP:GREEN")],
    ),
    (
        "__proto__",
        "Person",
        "constructor",
        {"name": "constructor", "hasOwnProperty": "toString"},
        [prov(row=21, rel="F", cred=6)],
    ),
    (
        "doc:report",
        "Document",
        FORMULA_CR + " intelligence report",
        {
            "title": FORMULA_CR + " intelligence report",
            "kind": "intelligence report",
            "narrative": XSS_COMMENT + " " + LINE_SEP,
        },
        [
            prov(
                source="intel_report_17.docx",
                sheet=None,
                row=None,
                rel="C",
                cred=3,
                handling="TLP:RED",
                source_type="informant",
            )
        ],
    ),
]

# id, type, source, target, properties, provenance
LINKS = [
    ("l:1", "HAS_PHONE", "p:script", "ph:ke", {}, [prov(row=14)]),
    ("l:2", "HAS_PHONE", "p:hung", "ph:vn", {}, [prov(source="cdr_2023.csv", sheet=None, row=99, rel="A", cred=2)]),
    (
        "l:3",
        "CALLED",
        "ph:ke",
        "ph:vn",
        {"time": "2023-04-01T10:02:00", "duration_s": 312, "kind": "voice"},
        [prov(source="cdr_2023.csv", sheet=None, row=100, rel="A", cred=1, observed="2023-04-01")],
    ),
    (
        "l:4",
        "CALLED",
        "ph:vn",
        "ph:ke",
        {"time": "2023-04-11T22:40:00", "duration_s": 45, "cell": FORMULA_LINK},
        [prov(source="cdr_2023.csv", sheet=None, row=101, rel="A", cred=1, observed="2023-04-11")],
    ),
    ("l:5", "PARTY_TO", "p:script", "sz:1", {"role": FORMULA_DDE}, [prov(row=14)]),
    ("l:6", "PARTY_TO", "p:img", "sz:1", {"role": "driver"}, [prov(row=15, rel="D", cred=4)]),
    ("l:7", "SEIZED_FROM", "sz:1", "sh:awb", {}, [prov(row=14)]),
    ("l:8", "SEIZED_FROM", "sz:1", "ve:truck", {}, [prov(row=18, rel="C", cred=4)]),
    ("l:9", "INVOLVED", "sz:1", "sp:manis", {"quantity": 412.5, "unit": "kg", "commodity": "scales"}, [prov(row=14)]),
    (
        "l:10",
        "CONTAINED",
        "sh:awb",
        "sp:manis",
        {"commodity": "scales", "term": "SCA", "quantity": 400.0},
        [prov(source="airway_bills.pdf", sheet=None, row=None, rel="B", cred=3, observed="2023-04-10")],
    ),
    (
        "l:11",
        "ROUTED_VIA",
        "sh:awb",
        "loc:mombasa",
        {"leg": 1, "role": "export", "date": "2023-04-10"},
        [prov(source="airway_bills.pdf", sheet=None, row=None, observed="2023-04-10")],
    ),
    (
        "l:12",
        "ROUTED_VIA",
        "sh:awb",
        "loc:vn",
        {"leg": 2, "role": "destination", "date": "2023-04-12"},
        [prov(source="airway_bills.pdf", sheet=None, row=None, observed="2023-04-12")],
    ),
    ("l:13", "CONSIGNED", "o:close", "sh:awb", {"role": "shipper"}, [prov(row=20, rel="C", cred=2)]),
    ("l:14", "CONSIGNED", "o:formula", "sh:awb", {"role": "consignee"}, [prov(source=XSS_SOURCE, sheet="=cmd", row=2)]),
    ("l:15", "MEMBER_OF", "p:jane", "o:close", {"role": "director"}, [prov(row=16, rel="B", cred=3)]),
    (
        "l:16",
        "MEMBER_OF",
        "p:hung",
        "o:formula",
        {"role": XSS_IMG},
        [prov(source="vn_customs.csv", sheet=None, row=3, rel="A", cred=1)],
    ),
    (
        "l:17",
        "ASSOCIATE_OF",
        "p:script",
        "p:jane",
        {"relation": "cousin", "date": "2021"},
        [prov(source="informant-17", sheet=None, row=None, rel="C", cred=3, observed="2021")],
    ),
    ("l:18", "HAS_EMAIL", "p:jane", "em:at", {}, [prov(row=17, rel="E", cred=5)]),
    ("l:19", "HAS_ADDRESS", "p:script", "ad:mombasa", {}, [prov(row=14)]),
    ("l:20", "LOCATED_IN", "ad:mombasa", "loc:mombasa", {}, []),
    ("l:21", "LOCATED_IN", "loc:mombasa", "loc:ke", {}, []),
    (
        "l:22",
        "COVERED_BY",
        "sh:awb",
        "pe:vn",
        {},
        [prov(source="cites_trade.csv", sheet=None, row=1201, rel="A", cred=1)],
    ),
    ("l:23", "HAS_ACCOUNT", "p:jane", "ac:mpesa", {}, [prov(row=19, observed="2022-11-30")]),
    ("l:24", "HAS_ID", "p:hung", "id:pp", {}, [prov(source="vn_customs.csv", sheet=None, row=3, rel="A", cred=1)]),
    (
        "l:25",
        "MENTIONS",
        "doc:report",
        "p:img",
        {},
        [prov(source="intel_report_17.docx", sheet=None, row=None, rel="C", cred=3, handling="TLP:RED")],
    ),
    ("l:26", "USES_VEHICLE", "p:img", "ve:truck", {}, [prov(row=18, rel="C", cred=4, observed="2023-04-12")]),
    ("l:27", "SEIZED_BY", "sz:1", "o:chinese", {}, [prov(source="cn_register.xlsx", row=7, rel="C", cred=3)]),
    ("l:28", "ASSOCIATE_OF", "p:jane", "__proto__", {"relation": "__proto__"}, []),
]

PATH = ["p:hung", "ph:vn", "ph:ke", "p:script"]


def _summary(recs: list[dict]) -> dict:
    """Best grade, most restrictive handling, first and last seen (what the store keeps per item)."""
    if not recs:
        return {}
    graded = [r for r in recs if r.get("reliability")]
    best = min(graded, key=lambda r: ("ABCDEF".index(r["reliability"]) + r["credibility"], r["reliability"]))
    order = ["TLP:CLEAR", "TLP:GREEN", "TLP:AMBER", "TLP:AMBER+STRICT", "TLP:RED"]
    handling = max((r["handling"] for r in recs), key=order.index)
    seen = sorted(r["observed"] for r in recs if r.get("observed"))
    return {
        "reliability": best["reliability"],
        "credibility": best["credibility"],
        "handling": handling,
        "first_seen": seen[0] if seen else None,
        "last_seen": seen[-1] if seen else None,
        "batches": sorted({r["batch"] for r in recs}),
    }


def build_subgraph(path: bool = True) -> Subgraph:
    """The hostile fixture subgraph (23 nodes, 28 links)."""
    nodes = []
    for nid, ntype, caption, props, recs in NODES:
        row = {"id": nid, "type": ntype, "caption": caption, **props, **_summary(recs)}
        if recs:
            row["prov"] = json.dumps(recs, ensure_ascii=False)
        nodes.append(row)
    links = []
    for lid, ltype, src, tgt, props, recs in LINKS:
        row = {"id": lid, "type": ltype, "source": src, "target": tgt, **props, **_summary(recs)}
        if recs:
            row["prov"] = json.dumps(recs, ensure_ascii=False)
        links.append(row)
    return Subgraph(
        nodes=pd.DataFrame(nodes),
        links=pd.DataFrame(links),
        title="Operation <b>Pangolin</b> & co",
        path=list(PATH) if path else [],
    )


def node_prov(nid: str) -> list[dict]:
    return next(recs for i, *_rest, recs in NODES if i == nid)
