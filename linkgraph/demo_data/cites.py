"""CITES files: the shipment-level export (legal-trade context, drawn at random on the network's corridors) and
the comparative tabulation with its planted discrepancies, whose known answers go into the truth."""

from __future__ import annotations

from pathlib import Path

from linkgraph.demo_data.formats import csv_text
from linkgraph.demo_data.world import World

SHIPMENT_HEADERS = ["Id", "Year", "Appendix", "Taxon", "Class", "Order", "Family", "Genus", "Term", "Quantity"]
SHIPMENT_HEADERS += ["Unit", "Importer", "Exporter", "Origin", "Purpose", "Source", "Reporter.type"]
SHIPMENT_HEADERS += ["Import.permit.RandomID", "Export.permit.RandomID", "Origin.permit.RandomID"]
COMPARATIVE_HEADERS = ["Year", "App.", "Taxon", "Class", "Order", "Family", "Genus", "Importer", "Exporter", "Origin"]
COMPARATIVE_HEADERS += ["Importer reported quantity", "Exporter reported quantity", "Term", "Unit", "Purpose"]
COMPARATIVE_HEADERS += ["Source"]
PERMITS = ("Import.permit.RandomID", "Export.permit.RandomID", "Origin.permit.RandomID")


def _taxon(w: World, name: str) -> list[str]:
    """Appendix, taxon, class, order, family, genus: the columns that name a taxon."""
    t = w.facts["cites"]["taxa"][name]
    return [t["appendix"], name, t["class"], t["order"], t["family"], t["genus"]]


def shipments(w: World, path: Path) -> None:
    rng, taxa, lanes = w.rng, w.facts["cites"]["taxa"], w.facts["cites"]["lanes"]
    out = [SHIPMENT_HEADERS]
    ids = rng.sample(range(5_100_000, 9_800_000), 34)
    for k, rid in enumerate(sorted(ids)):
        lane = lanes[k % len(lanes)] if k < 21 else rng.choice(lanes)
        exps, imps = lane["exporters"], lane["importers"]
        term, unit, lo, hi = rng.choice(taxa[lane["taxon"]]["terms"])
        q = round(rng.uniform(lo, hi), 1) if unit else rng.randint(int(lo), int(hi))
        exporter, importer = rng.choice(exps), rng.choice(imps)
        origin = rng.choice(["", exporter, rng.choice(exps)])
        source = rng.choice(lane["sources"])
        purpose = rng.choice(lane["purposes"])
        reporter = rng.choice(["E", "I"])

        def permit():
            return "".join(rng.choice("0123456789abcdef") for _ in range(10))

        app, taxon, cls, order, fam, genus = _taxon(w, lane["taxon"])
        out.append(
            [str(rid), str(rng.choice(range(2016, 2024))), app, taxon, cls, order, fam, genus, term, str(q), unit]
            + [importer, exporter, origin if origin != exporter else "", purpose, source, reporter]
            + [permit() if reporter == "I" or rng.random() < 0.3 else "", permit() if rng.random() < 0.85 else ""]
            + [permit() if origin and origin != exporter else ""]
        )
    path.write_text(csv_text(out), encoding="utf-8", newline="")
    w.cites_rows = [dict(zip(SHIPMENT_HEADERS, r)) for r in out[1:]]  # read by comparative


def _key(r: dict) -> tuple:
    return (r["Taxon"], r["Term"], r["Year"], r["Exporter"], r["Importer"])


def comparative(w: World, path: Path) -> None:
    """Importer- and exporter-reported quantities on the network's corridors: the planted rows of the facts, and
    the first ivory record of cites_shipments.csv as an export the importer never reported (its permits are
    the link). No random draws, so the other files stay as they were."""
    facts = w.facts["cites_comparative"]
    rows = [
        [r["year"], *_taxon(w, r["taxon"]), r["importer"], r["exporter"], r["origin"], r["importer_quantity"]]
        + [r["exporter_quantity"], r["term"], r["unit"], r["purpose"], r["source"]]
        for r in facts["rows"]
    ]
    planted = {(r[2], r[12], r[0], r[8], r[7]) for r in rows}
    unreported = next(
        r
        for r in w.cites_rows
        if r["Taxon"] == "Loxodonta africana" and r["Export.permit.RandomID"] and _key(r) not in planted
    )
    rows.append(
        [unreported["Year"], *_taxon(w, "Loxodonta africana"), unreported["Importer"], unreported["Exporter"]]
        + [unreported["Origin"], "", unreported["Quantity"], unreported["Term"], unreported["Unit"]]
        + [unreported["Purpose"], unreported["Source"]]
    )
    path.write_text(csv_text([COMPARATIVE_HEADERS, *rows]), encoding="utf-8", newline="")
    w.truth.cites_discrepancies = [*facts["discrepancies"], _unreported_truth(unreported)]
    for t in w.truth.cites_discrepancies:
        t["seizures"] = _seized(w, t["taxon"], int(t["year"]), t["exporter"], t["importer"])
        t["permits"] = _permits(w, (t["taxon"], t["term"], t["year"], t["exporter"], t["importer"]))
    w.truth.cites_matching = facts["matching"]


def _unreported_truth(r: dict) -> dict:
    return {
        "taxon": "Loxodonta africana",
        "term": r["Term"],
        "unit": {"": "number"}.get(r["Unit"], r["Unit"]),
        "exporter": r["Exporter"],
        "importer": r["Importer"],
        "year": r["Year"],
        "exporter_quantity": float(r["Quantity"]),
        "importer_quantity": None,
        "gap": float(r["Quantity"]),
        "reported_by": "exporter",
    }


def _permits(w: World, key: tuple) -> list[str]:
    return sorted({r[c].upper() for r in w.cites_rows if _key(r) == key for c in PERMITS if r[c]})


def _seized(w: World, taxon: str, year: int, *countries: str) -> list[str]:
    """The network seizures of that taxon and year in the registers of these countries."""
    s = w.facts["seizures"]
    registers = {"KE": s["kws_2023"] + s["kws_2024"], "TZ": s["tz"], "NG": s["ng"]}
    refs = {
        r["ref"] for c in countries for r in registers.get(c, []) if r["species"] == taxon and r["date"].year == year
    }
    return sorted(refs)
