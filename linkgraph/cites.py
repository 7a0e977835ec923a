"""CITES comparative tabulation: importer- versus exporter-reported quantities, compared after unit and term
normalisation, with the corridors ranked by what the two sides leave unexplained.

Method after UNEP-WCMC, "A guide to using the CITES Trade Database": a comparative tabulation row gives, for one
taxon, term, unit, pair of countries and year, what the importer and the exporter each reported. The two differ
because exporters often report permits issued rather than trade carried out, because the sides use different
units, terms or taxon levels, and because each records the year of its own act. Quantities are compared only once
units and terms are made the same (linkgraph/data/cites_units.yaml); a mass and a count of one term are compared
only where a factor is defined.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml

from linkgraph.errors import LinkgraphError

UNITS_FILE = Path(__file__).resolve().parent / "data" / "cites_units.yaml"
KEYS = ["taxon", "term", "unit", "exporter", "importer", "year"]
COLUMNS = [
    *KEYS,
    "exporter_quantity",
    "importer_quantity",
    "gap",
    "ratio",
    "reported_by",
    "records",
    "corridor_gap",
    "corridor_rank",
]
INTERNAL = ["record_ids", "species_id", "node_ids"]  # for the links and the drawing, not shown


@dataclass
class Conversions:
    """Units and terms as compared: unit -> (unit, factor), term alias -> term, term -> unit -> (unit, factor)."""

    units: dict[str, tuple[str, float]] = field(default_factory=dict)
    terms: dict[str, str] = field(default_factory=dict)
    term_units: dict[str, dict[str, tuple[str, float]]] = field(default_factory=dict)

    def normalise(self, term, unit, quantity):
        """(term, unit, quantity) as compared; a unit the table does not know stays as written."""
        t = _clean(term)
        t = self.terms.get(t, t)
        u = _clean(unit)
        to, factor = self.units.get(u, (u, 1.0))
        extra = self.term_units.get(t, {}).get(to)
        if extra:
            to, factor = extra[0], factor * extra[1]
        q = None if quantity is None or _missing(quantity) else float(quantity) * factor
        return t, to, q


def _clean(v) -> str:
    return "" if v is None or _missing(v) else " ".join(str(v).lower().split())


def _missing(v) -> bool:
    return isinstance(v, float) and math.isnan(v)


def _pair(where: str, key, v) -> tuple[str, float]:
    if not (isinstance(v, (list, tuple)) and len(v) == 2):
        raise LinkgraphError(f"{where}: {key!r} must be [unit, factor], got {v!r}")
    try:
        factor = float(v[1])
    except (TypeError, ValueError):
        raise LinkgraphError(f"{where}: {key!r} has factor {v[1]!r}, not a number") from None
    if not factor > 0 or math.isinf(factor):
        raise LinkgraphError(f"{where}: {key!r} has factor {v[1]!r}: it must be a positive number")
    return _clean(v[0]), factor


def _read(path: Path, into: Conversions) -> None:
    where = str(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError as e:
        raise LinkgraphError(f"conversions file {where}: cannot be read ({e.strerror or e})") from None
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        at = f" at line {mark.line + 1}" if mark else ""
        raise LinkgraphError(f"conversions file {where}: not valid YAML{at}") from None
    if not isinstance(data, dict):
        raise LinkgraphError(f"conversions file {where}: expected a mapping with units, terms or term_units")
    unknown = sorted(set(data) - {"units", "terms", "term_units"})
    if unknown:
        raise LinkgraphError(f"conversions file {where}: unknown section {unknown[0]!r} (units, terms, term_units)")
    for section in ("units", "terms", "term_units"):
        if not isinstance(data.get(section) or {}, dict):
            raise LinkgraphError(f"conversions file {where}: {section} must be a mapping")
    for k, v in (data.get("units") or {}).items():
        into.units[_clean(k)] = _pair(f"{where}: units", k, v)
    for k, v in (data.get("terms") or {}).items():
        into.terms[_clean(k)] = _clean(v)
    for term, table in (data.get("term_units") or {}).items():
        if not isinstance(table, dict):
            raise LinkgraphError(f"conversions file {where}: term_units {term!r} must map a unit to [unit, factor]")
        into.term_units.setdefault(_clean(term), {}).update(
            {_clean(u): _pair(f"{where}: term_units {term!r}", u, v) for u, v in table.items()}
        )


def load_conversions(extra: str | Path | None = None) -> Conversions:
    """The bundled table (linkgraph/data/cites_units.yaml), then an optional file of your own on top of it."""
    conv = Conversions()
    _read(UNITS_FILE, conv)
    if extra:
        path = Path(extra)
        if not path.is_file():
            raise LinkgraphError(f"conversions file {path} does not exist")
        _read(path, conv)
    return conv


def compare(
    rows: pd.DataFrame,
    conv: Conversions | None = None,
    *,
    min_gap: float = 0.0,
    min_ratio: float = 1.0,
    top: int = 0,
    include_matching: bool = False,
) -> pd.DataFrame:
    """Comparative rows (taxon, term, unit, exporter, importer, year, importer_quantity, exporter_quantity,
    record_id, species_id) summed per KEYS after normalisation, with gap, ratio, reported_by and the corridor ranking.

    A row is kept when the sides differ, |gap| >= min_gap and the larger side is at least min_ratio times the
    smaller (one side only: infinitely many times); include_matching keeps rows whose sides agree as well. Corridors
    are ranked within each unit by corridor_gap, the sum of their kept rows' |gap|; top keeps the first N of each.
    """
    conv = conv or load_conversions()
    if not len(rows):
        return pd.DataFrame(columns=[*COLUMNS, *INTERNAL])
    recs = []
    for r in rows.to_dict("records"):
        term, unit, exp = conv.normalise(r["term"], r["unit"], r["exporter_quantity"])
        _, _, imp = conv.normalise(r["term"], r["unit"], r["importer_quantity"])
        recs.append(
            {
                "taxon": r["taxon"] or "",
                "term": term,
                "unit": unit,
                "exporter": r["exporter"] or "",
                "importer": r["importer"] or "",
                "year": r["year"] or "",
                "exp": exp,
                "imp": imp,
                "record_id": r["record_id"],
                "species_id": r.get("species_id"),
                "node_ids": [r.get(k) for k in ("species_id", "exporter_id", "importer_id") if r.get(k)],
            }
        )
    out = []
    for key, g in pd.DataFrame(recs).groupby(KEYS, sort=True):
        exp = _total(g["exp"])
        imp = _total(g["imp"])
        e, i = exp or 0.0, imp or 0.0
        gap = round(e - i, 9)
        side = "both" if exp is not None and imp is not None else "exporter" if exp is not None else "importer"
        hi, lo = max(e, i), min(e, i)
        fold = hi / lo if lo > 0 else math.inf
        if gap == 0:
            if not include_matching:
                continue
        elif abs(gap) < min_gap or fold < min_ratio:
            continue
        out.append(
            {
                **dict(zip(KEYS, key)),
                "exporter_quantity": exp,
                "importer_quantity": imp,
                "gap": gap,
                "ratio": round(e / i, 6) if e > 0 and i > 0 else None,
                "reported_by": side,
                "records": int(g["record_id"].nunique()),
                "record_ids": sorted(set(g["record_id"])),
                "species_id": g["species_id"].iloc[0],
                "node_ids": sorted({n for ns in g["node_ids"] for n in ns}),
            }
        )
    df = pd.DataFrame(out, columns=[*COLUMNS[:-2], *INTERNAL])
    if not len(df):
        return pd.DataFrame(columns=[*COLUMNS, *INTERNAL])
    df["_abs"] = df["gap"].abs()
    corr = df.groupby(["unit", "exporter", "importer"], as_index=False)["_abs"].sum()
    corr = corr.rename(columns={"_abs": "corridor_gap"}).sort_values(
        ["unit", "corridor_gap", "exporter", "importer"], ascending=[True, False, True, True], kind="stable"
    )
    corr["corridor_rank"] = corr.groupby("unit").cumcount() + 1
    corr["corridor_gap"] = corr["corridor_gap"].round(9)
    df = df.merge(corr, on=["unit", "exporter", "importer"], how="left")
    if top > 0:
        df = df[df["corridor_rank"] <= top]
    df = df.sort_values(
        ["corridor_rank", "corridor_gap", "unit", "exporter", "importer", "_abs", "taxon", "term", "year"],
        ascending=[True, False, True, True, True, False, True, True, True],
        kind="stable",
    )
    df["corridor_rank"] = df["corridor_rank"].astype(int)
    return df.drop(columns="_abs")[[*COLUMNS, *INTERNAL]].reset_index(drop=True)


def _total(s: pd.Series) -> float | None:
    """The sum of the reported quantities, or None when no row of the group reported one."""
    vals = [float(v) for v in s if v is not None and not _missing(v)]
    return round(sum(vals), 9) if vals else None


# --- what the graph holds on the same identifiers ------------------------------------------------------------
def match_seizures(found: pd.DataFrame, rows: pd.DataFrame) -> list[list[tuple[str, str]]]:
    """Per discrepancy row: (reference, id) of the seizures of its species, in its year, in its exporter or importer country.

    found: id, reference, species_id, year, country (one row per seizure and country it is located in or routed
    via); rows: species_id, year, exporter, importer."""
    if not len(found):
        return [[] for _ in range(len(rows))]
    index: dict[tuple, set] = {}
    for f in found.to_dict("records"):
        index.setdefault((f["species_id"], f["year"], f["country"]), set()).add((f["reference"] or f["id"], f["id"]))
    return [
        sorted(
            index.get((r["species_id"], r["year"], r["exporter"]), set())
            | index.get((r["species_id"], r["year"], r["importer"]), set())
        )
        for r in rows.to_dict("records")
    ]


_FROM = {"origin", "export"}
_TO = {"destination", "import"}


def _legs(found: pd.DataFrame) -> dict[str, tuple[set, set]]:
    """shipment id -> (countries it left from, countries it went to); an export leg outranks an origin leg, since a
    re-export's origin is a third country."""
    roles: dict[str, dict[str, set]] = {}
    for f in found.to_dict("records"):
        if f["country"]:
            roles.setdefault(f["shipment_id"], {}).setdefault(str(f["role"] or "").lower(), set()).add(f["country"])
    out = {}
    for sid, by in roles.items():
        frm = by.get("export") or by.get("origin") or set()
        to = by.get("import") or by.get("destination") or set()
        out[sid] = (frm, to)
    return out


def match_permits(found: pd.DataFrame, rows: pd.DataFrame, conv: Conversions) -> list[list[tuple[str, str]]]:
    """Per discrepancy row: (number, id) of the permits covering a shipment of its species and term, of its year, that left
    its exporter country for its importer country.

    found: id, number, shipment_id, species_id, term, year, role, country (one row per permit and leg)."""
    if not len(found):
        return [[] for _ in range(len(rows))]
    legs = _legs(found)
    index: dict[tuple, set] = {}
    for f in found.drop_duplicates(["id", "shipment_id", "species_id", "term"]).to_dict("records"):
        frm, to = legs.get(f["shipment_id"], (set(), set()))
        term = conv.normalise(f["term"], None, None)[0]
        for a in frm:
            for b in to:
                index.setdefault((f["species_id"], term, f["year"], a, b), set()).add((f["number"] or f["id"], f["id"]))
    return [
        sorted(index.get((r["species_id"], r["term"], r["year"], r["exporter"], r["importer"]), set()))
        for r in rows.to_dict("records")
    ]


def match_companies(found: pd.DataFrame, rows: pd.DataFrame) -> list[list[tuple[str, str]]]:
    """Per discrepancy row: (name, id) of the organisations consigned to a shipment of its year that left its exporter
    country for its importer country, and whose recorded contents are its species or not recorded at all.

    found: id, name, shipment_id, year, role, country, species_id (species_id None: no contents recorded)."""
    if not len(found):
        return [[] for _ in range(len(rows))]
    legs = _legs(found)
    contents: dict[str, set] = {}
    for f in found.to_dict("records"):
        contents.setdefault(f["shipment_id"], set())
        if f["species_id"]:
            contents[f["shipment_id"]].add(f["species_id"])
    index: dict[tuple, list] = {}
    for f in found.drop_duplicates(["id", "shipment_id"]).to_dict("records"):
        frm, to = legs.get(f["shipment_id"], (set(), set()))
        for a in frm:
            for b in to:
                index.setdefault((f["year"], a, b), []).append(
                    ((f["name"] or f["id"], f["id"]), contents[f["shipment_id"]])
                )
    out = []
    for r in rows.to_dict("records"):
        hits = index.get((r["year"], r["exporter"], r["importer"]), [])
        out.append(sorted({hit for hit, sp in hits if not sp or r["species_id"] in sp}))
    return out
