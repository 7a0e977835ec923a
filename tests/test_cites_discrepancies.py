"""cites_discrepancies: a comparative tabulation built here with known gaps (summed rows, g against kg, a term code,
a side that reported nothing, kg against pieces with and without a factor, a taxon whose sides agree), imported
with the real spec beside seizures, CITES shipments with permits and manifests, on both engines and from the CLI;
and the known discrepancies of the demo."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from linkgraph.cites import load_conversions
from linkgraph.errors import LinkgraphError
from linkgraph.importing import import_files
from linkgraph.normalize.orgs import org_name_key
from linkgraph.querylib import execute
from linkgraph.store import open_store

# the columns the comparative spec needs (an export has more: App., Class, ..., Origin, Purpose, Source)
COMP = ["Year", "Taxon", "Exporter", "Importer", "Exporter reported quantity", "Importer reported quantity"]
COMP += ["Term", "Unit"]
COMPARATIVE = [
    # two rows of one corridor, one with the term code: exporter 120 + 10, importer 80
    ("2023", "Loxodonta africana", "KE", "VN", "120", "80", "tusks", ""),
    ("2023", "Loxodonta africana", "KE", "VN", "10", "", "TUS", ""),
    # exporter in kg, importer in g: 500 kg against 350 kg
    ("2022", "Smutsia gigantea", "NG", "CN", "500", "", "scales", "kg"),
    ("2022", "Smutsia gigantea", "NG", "CN", "", "350000", "scales", "g"),
    # one side only
    ("2022", "Phataginus tricuspis", "CM", "CN", "20", "", "scales", "kg"),
    ("2021", "Psittacus erithacus", "CM", "AE", "", "60", "live", ""),
    # tusks by weight from the exporter, by number from the importer: no factor, so two rows
    ("2022", "Loxodonta africana", "TZ", "VN", "30", "", "tusks", "kg"),
    ("2022", "Loxodonta africana", "TZ", "VN", "", "12", "tusks", ""),
    # the sides agree: never flagged
    ("2021", "Dalbergia melanoxylon", "TZ", "CN", "12.5", "12.5", "sawn wood", "m3"),
]
ELEPHANT = ["I", "Loxodonta africana", "Mammalia", "Proboscidea", "Elephantidae", "Loxodonta"]
GIANT = ["I", "Smutsia gigantea", "Mammalia", "Pholidota", "Manidae", "Smutsia"]
SHIP_HEAD = ["Id", "Year", "Appendix", "Taxon", "Class", "Order", "Family", "Genus", "Term", "Quantity", "Unit"]
SHIP_HEAD += ["Importer", "Exporter", "Origin", "Purpose", "Source", "Reporter.type", "Import.permit.RandomID"]
SHIP_HEAD += ["Export.permit.RandomID", "Origin.permit.RandomID"]
SHIP_ROWS = [
    ["71", "2023", *ELEPHANT, "tusks", "120", "", "VN", "KE", "", "T", "W", "E", "", "ke0000tusk", ""],  # matches
    ["72", "2023", *ELEPHANT, "ivory carvings", "3", "", "VN", "KE", "", "T", "W", "E", "", "ke0000ivc", ""],  # term
    ["73", "2022", *ELEPHANT, "tusks", "5", "", "VN", "KE", "", "T", "W", "E", "", "ke2022tusk", ""],  # year
    ["74", "2022", *GIANT, "scales", "500", "kg", "CN", "NG", "", "T", "W", "I", "cn00scales", "ng00scales", ""],
]
SEIZURES = [
    ["Case reference", "Date", "Country", "Species", "Commodity", "Quantity", "Unit"],
    ["KE/2023/1", "2023-03-02", "KE", "Loxodonta africana", "raw ivory", "40", "kg"],  # exporter country
    ["VN/2023/9", "2023-09-10", "VN", "Loxodonta africana", "tusks", "6", "tusks"],  # importer country
    ["TZ/2023/4", "2023-05-01", "TZ", "Loxodonta africana", "raw ivory", "12", "kg"],  # another country
    ["KE/2022/7", "2022-05-01", "KE", "Loxodonta africana", "raw ivory", "12", "kg"],  # another year
    ["NG/2022/3", "2022-08-19", "NG", "Smutsia gigantea", "scales", "900", "kg"],
    ["NG/2022/5", "2022-08-20", "NG", "Phataginus tricuspis", "scales", "90", "kg"],  # CM>CN: not NG
]
MANIFEST = [
    ["B/L", "Date", "Shipper", "Shipper country", "Consignee", "Consignee country", "Origin", "Destination"]
    + ["Declared goods"],
    ["MSKU100001", "2023-04-02", "Pwani Exporters Ltd", "KE", "Hai Phong Trading JSC", "VN", "Mombasa", "Hai Phong"]
    + ["Avocado"],
    ["MSKU100002", "2023-04-09", "Nyali Produce Ltd", "KE", "Guangzhou Foods Co Ltd", "CN", "Mombasa", "Nansha"]
    + ["Tea"],  # KE to CN: another corridor
    ["MSKU100003", "2022-04-09", "Lagos Agro Ltd", "NG", "Shenzhen Import Co Ltd", "CN", "Lagos", "Shekou"]
    + ["Sesame"],
]


def _csv(rows) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue()


def _files(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    out = {
        "comparative.csv": [COMP, *COMPARATIVE],
        "shipments.csv": [SHIP_HEAD, *SHIP_ROWS],
        "seizures.csv": SEIZURES,
        "manifest.csv": MANIFEST,
    }
    for name, rows in out.items():
        (folder / name).write_text(_csv(rows), encoding="utf-8")
    return [folder / n for n in out]


@pytest.fixture
def cites_store(store, tmp_path):
    report = import_files(store, _files(tmp_path / "in"), progress=False, resolve=False)
    assert [f.spec for f in report.files] == ["cites-comparative", "cites-shipments", "seizure-register"] + [
        "shipment-manifest"
    ]
    return store


KEYS = ["taxon", "term", "unit", "exporter", "importer", "year"]
NUMS = ["exporter_quantity", "importer_quantity", "gap", "ratio", "corridor_gap", "corridor_rank"]


def _rows(df: pd.DataFrame, cols=(*KEYS, *NUMS, "reported_by", "records")) -> list[tuple]:
    return [tuple(None if v is None or v != v else v for v in r) for r in df[list(cols)].itertuples(index=False)]


# the full answer, in the query's order: by corridor rank (within each unit), then the corridor's gap
EXPECTED = [
    ("Smutsia gigantea", "scales", "kg", "NG", "CN", "2022", 500.0, 350.0, 150.0, 1.428571, 150.0, 1, "both", 2),
    ("Psittacus erithacus", "live", "number", "CM", "AE", "2021", None, 60.0, -60.0, None, 60.0, 1, "importer", 1),
    ("Loxodonta africana", "tusks", "number", "KE", "VN", "2023", 130.0, 80.0, 50.0, 1.625, 50.0, 2, "both", 2),
    ("Loxodonta africana", "tusks", "kg", "TZ", "VN", "2022", 30.0, None, 30.0, None, 30.0, 2, "exporter", 1),
    ("Phataginus tricuspis", "scales", "kg", "CM", "CN", "2022", 20.0, None, 20.0, None, 20.0, 3, "exporter", 1),
    ("Loxodonta africana", "tusks", "number", "TZ", "VN", "2022", None, 12.0, -12.0, None, 12.0, 3, "importer", 1),
]


def test_discrepancies_normalised_summed_and_ranked(cites_store):
    df = execute("cites_discrepancies", cites_store).frame
    assert list(df.columns) == [*KEYS, *NUMS[:4], "reported_by", "records", *NUMS[4:], "seizures", "permits"] + [
        "companies"
    ]
    assert _rows(df, (*KEYS, *NUMS, "reported_by", "records")) == EXPECTED
    assert "Dalbergia melanoxylon" not in set(df["taxon"])


def test_links_where_species_corridor_and_year_match(cites_store):
    df = execute("cites_discrepancies", cites_store).frame.set_index(["taxon", "unit", "exporter", "year"])
    tusks = df.loc[("Loxodonta africana", "number", "KE", "2023")]
    assert tusks["seizures"] == ["KE/2023/1", "VN/2023/9"]
    assert tusks["permits"] == ["KE0000TUSK"]  # not the carvings permit, nor 2022's
    assert tusks["companies"] == ["Hai Phong Trading JSC", "Pwani Exporters Ltd"]
    scales = df.loc[("Smutsia gigantea", "kg", "NG", "2022")]
    assert scales["seizures"] == ["NG/2022/3"] and scales["permits"] == ["CN00SCALES", "NG00SCALES"]
    assert scales["companies"] == ["Lagos Agro Ltd", "Shenzhen Import Co Ltd"]
    tree = df.loc[("Phataginus tricuspis", "kg", "CM", "2022")]
    assert tree["seizures"] == [] and tree["permits"] == [] and tree["companies"] == []


def test_filters_thresholds_and_matching_rows(cites_store):
    run = lambda **kw: execute("cites_discrepancies", cites_store, **kw).frame
    big = run(min_gap=25)
    assert [(r[0], r[2], r[3], r[10], r[11]) for r in _rows(big)] == [
        ("Smutsia gigantea", "kg", "NG", 150.0, 1),
        ("Psittacus erithacus", "number", "CM", 60.0, 1),
        ("Loxodonta africana", "number", "KE", 50.0, 2),
        ("Loxodonta africana", "kg", "TZ", 30.0, 2),
    ]
    # the scales' 500 against 350 is less than 1.45 times; one-sided rows always pass
    assert "Smutsia gigantea" not in set(run(min_ratio=1.45)["taxon"]) and len(run(min_ratio=1.45)) == 5
    assert _rows(run(top=1)) == EXPECTED[:2]
    assert _rows(run(taxon="loxodonta", year_from="2023")) == [(*EXPECTED[2][:11], 1, "both", 2)]
    assert _rows(run(term="TUS", exporter="tz")) == [
        (*EXPECTED[3][:11], 1, "exporter", 1),
        (*EXPECTED[5][:11], 1, "importer", 1),
    ]
    same = run(include_matching=True, taxon="Dalbergia")
    assert _rows(same) == [
        ("Dalbergia melanoxylon", "sawn wood", "m3", "TZ", "CN", "2021", 12.5, 12.5, 0.0, 1.0, 0.0, 1, "both", 1)
    ]
    with pytest.raises(LinkgraphError, match="min_ratio at least 1"):
        run(min_ratio=0.5)


def test_a_factor_of_your_own_compares_kg_with_pieces(cites_store, tmp_path):
    factors = tmp_path / "factors.yaml"
    factors.write_text("term_units:\n  tusks: {kg: [number, 0.2]}\n", encoding="utf-8")  # 5 kg a tusk, for the test
    df = execute("cites_discrepancies", cites_store, taxon="Loxodonta", exporter="TZ", conversions=str(factors)).frame
    row = ("Loxodonta africana", "tusks", "number", "TZ", "VN", "2022", 6.0, 12.0, -6.0, 0.5, 6.0, 1, "both", 2)
    assert _rows(df) == [row]
    bad = tmp_path / "bad.yaml"
    bad.write_text("term_units:\n  tusks: {kg: [number, -1]}\n", encoding="utf-8")
    with pytest.raises(LinkgraphError, match=r"bad.yaml: term_units 'tusks': 'kg' has factor -1"):
        execute("cites_discrepancies", cites_store, conversions=str(bad))
    with pytest.raises(LinkgraphError, match="does not exist"):
        execute("cites_discrepancies", cites_store, conversions=str(tmp_path / "none.yaml"))


def test_bundled_table_converts_only_exact_units():
    conv = load_conversions()
    assert conv.normalise("IVC", "G", 2500) == ("ivory carvings", "kg", 2.5)
    assert conv.normalise("Tusks", None, 3) == ("tusks", "number", 3.0)
    assert conv.normalise("tusks", "kg", 3) == ("tusks", "kg", 3.0)  # no mass per tusk is shipped
    assert conv.normalise("timber", "cm3", 2_000_000) == ("timber", "m3", 2.0)
    assert conv.normalise("skins", "sides", 4) == ("skins", "sides", 4.0)  # unknown units stay as written
    assert conv.term_units == {}


def test_cli_cites_discrepancies(store_target, tmp_path):
    from linkgraph.cli import app

    with open_store(store_target) as s:
        import_files(s, _files(tmp_path / "in"), progress=False, resolve=False)
    res = CliRunner().invoke(
        app,
        ["query", "cites_discrepancies", "--param", "top=1", "--param", "min_gap=100"]
        + ["--format", "csv", "--db", store_target],
    )
    assert res.exit_code == 0, res.output
    df = pd.read_csv(io.StringIO(res.output), keep_default_na=False)
    assert df[["taxon", "unit", "exporter", "importer", "gap"]].values.tolist() == [
        ["Smutsia gigantea", "kg", "NG", "CN", 150.0]
    ]
    assert df["permits"].tolist() == ["CN00SCALES; NG00SCALES"]
    # bad input is one line naming the file, line and what is wrong, without a traceback
    broken = tmp_path / "broken.yaml"
    broken.write_text("units:\n  g: [kg, 0.001\n", encoding="utf-8")
    r = subprocess.run(
        [sys.executable, "-m", "linkgraph.cli", "query", "cites_discrepancies", "--param", f"conversions={broken}"]
        + ["--db", store_target],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert r.stderr.strip().splitlines() == [f"error: conversions file {broken}: not valid YAML at line 3"]


# --- the demo --------------------------------------------------------------------------------------------------
def test_demo_discrepancies_found_with_their_seizures_permits_and_companies(tmp_path):
    from linkgraph.demo_data import generate

    files = generate(tmp_path / "demo")
    truth = files.truth
    with open_store(str(tmp_path / "db")) as s:
        import_files(s, files.importable, progress=False, resolve=False)
        res = execute("cites_discrepancies", s)
        agreeing = execute("cites_discrepancies", s, include_matching=True).frame
    df = res.frame
    cols = [*KEYS, "exporter_quantity", "importer_quantity", "gap", "reported_by", "seizures", "permits"]
    got = [{k: (None if v != v else v) for k, v in r.items()} for r in df[cols].to_dict("records")]
    key = lambda t: (t["taxon"], t["term"], t["year"])
    assert sorted(got, key=key) == sorted(({k: t[k] for k in cols} for t in truth.cites_discrepancies), key=key)
    assert all(t["seizures"] for t in truth.cites_discrepancies[:2]) and truth.cites_discrepancies[2]["permits"]
    by_taxon = lambda rows: sorted(rows, key=lambda t: t["taxon"])
    matching = agreeing[agreeing["gap"] == 0][["taxon", "term", "exporter", "importer", "year"]]
    assert by_taxon(matching.to_dict("records")) == by_taxon(truth.cites_matching)

    # permits and companies, read straight from the source files: the CITES shipments of the taxon and term on the
    # corridor in that year, and every party to a manifest shipment of that year on the corridor
    cites_rows = list(csv.DictReader(files.cites.open(encoding="utf-8", newline="")))
    manifest = list(csv.DictReader(files.manifest.open(encoding="utf-8-sig", newline="")))
    for row in df.to_dict("records"):
        t = {"taxon": row["taxon"], "term": row["term"], "year": row["year"]}
        t |= {"exporter": row["exporter"], "importer": row["importer"]}
        permits = {
            r[c].upper()
            for r in cites_rows
            if (r["Taxon"], r["Term"], r["Year"], r["Exporter"], r["Importer"])
            == (t["taxon"], t["term"], t["year"], t["exporter"], t["importer"])
            for c in ("Import.permit.RandomID", "Export.permit.RandomID", "Origin.permit.RandomID")
            if r[c]
        }
        assert row["permits"] == sorted(permits)
        parties = {
            org_name_key(r[c])
            for r in manifest
            if "20" + r["Date"][-2:] == t["year"]
            and (r["Shipper country"], r["Consignee country"]) == (t["exporter"], t["importer"])
            for c in ("Shipper", "Consignee", "Notify party")
            if r[c]
        }
        # a company written several ways is one node, shown by one of its names: compare the names' keys
        assert {org_name_key(n) for n in row["companies"]} == parties
        assert len(row["companies"]) == len(set(row["companies"]))
    tusks = df[df["term"] == "tusks"].iloc[0]
    assert "Golden Dragon Trading Co. Ltd" in tusks["companies"]
    seized = {f"Seizure:{ref}" for t in truth.cites_discrepancies for ref in t["seizures"]}
    assert seized and seized | {"Species:Loxodonta africana"} <= set(res.node_ids)
