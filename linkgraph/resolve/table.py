"""Standalone spreadsheet de-duplication: recognise the columns, resolve, annotate every row."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd

from . import adapters as ad
from .engine import resolve
from .features import sorted_unique

__all__ = ["dedupe_table", "map_columns", "COLUMN_SYNONYMS"]

# standard field -> header spellings (compared after lower-casing and squashing punctuation to "_")
COLUMN_SYNONYMS = {
    "name": [
        "name",
        "full_name",
        "fullname",
        "person",
        "person_name",
        "names",
        "suspect",
        "suspect_name",
        "offender",
        "offender_name",
        "accused",
        "accused_name",
        "ho_ten",
        "ho_va_ten",
        "ten",
        "nom_complet",
        "nombre_completo",
        "jina",
        "name_of_suspect",
        "subject",
        "subject_name",
        "individual",
    ],
    "given_name": [
        "first_name",
        "firstname",
        "given_name",
        "given_names",
        "forename",
        "forenames",
        "prenom",
        "first",
        "given",
    ],
    "middle_name": ["middle_name", "middle_names", "middlename"],
    "family_name": [
        "last_name",
        "lastname",
        "surname",
        "family_name",
        "nom",
        "nom_de_famille",
        "apellido",
        "apellidos",
        "last",
        "family",
    ],
    "org_name": [
        "company",
        "company_name",
        "organisation",
        "organization",
        "organisation_name",
        "organization_name",
        "org",
        "org_name",
        "business",
        "business_name",
        "firm",
        "entity_name",
        "consignee",
        "shipper",
        "exporter",
        "importer",
    ],
    "birth_date": [
        "dob",
        "date_of_birth",
        "birth_date",
        "birthdate",
        "d_o_b",
        "born",
        "birth_year",
        "year_of_birth",
        "yob",
        "ngay_sinh",
        "date_naissance",
        "fecha_nacimiento",
    ],
    "phones": [
        "phone",
        "phones",
        "mobile",
        "telephone",
        "tel",
        "phone_number",
        "phone_no",
        "phone_numbers",
        "msisdn",
        "cell",
        "cellphone",
        "cell_phone",
        "mobile_number",
        "mobile_no",
        "contact",
        "contact_number",
        "contact_no",
        "whatsapp",
        "telephone_number",
        "so_dien_thoai",
        "sdt",
    ],
    "passports": [
        "passport",
        "passport_no",
        "passport_number",
        "passports",
        "passport_num",
        "passport_id",
        "travel_document",
        "ho_chieu",
    ],
    "id_numbers": [
        "id_number",
        "id_no",
        "id_numbers",
        "national_id",
        "nid",
        "id_card",
        "idcard",
        "national_id_number",
        "identity_number",
        "identity_card",
        "ic",
        "ic_number",
        "ic_no",
        "cmnd",
        "cccd",
        "nin",
        "registration_number",
        "company_number",
        "reg_no",
        "tax_id",
        "tin",
    ],
    "nationality": [
        "nationality",
        "country",
        "citizenship",
        "nation",
        "quoc_tich",
        "nationalite",
        "nacionalidad",
        "country_code",
    ],
    "address": [
        "address",
        "street",
        "address_1",
        "address_2",
        "address1",
        "address2",
        "address_line_1",
        "address_line_2",
        "street_address",
        "addr",
        "residence",
        "home_address",
        "street_number",
        "house_number",
        "dia_chi",
        "adresse",
        "direccion",
    ],
    "city": [
        "city",
        "town",
        "suburb",
        "village",
        "district",
        "locality",
        "municipality",
        "province",
        "thanh_pho",
        "ville",
        "ciudad",
    ],
    "postcode": ["postcode", "zip", "zip_code", "zipcode", "postal_code", "post_code"],
    "source": ["source", "agency", "document", "source_document", "file", "dataset"],
    "kind": ["kind", "entity_type", "record_type"],
}
_FIELD_ORDER = ["street_number", "house_number"]  # address parts that come first


def _squash(h) -> str:
    return re.sub(r"[^0-9a-z]+", "_", ad._fold(str(h))).strip("_")


def map_columns(columns, mapping: dict | None = None) -> dict:
    """Standard field -> list of source columns (recognised headers, overridden by ``mapping``)."""
    out: dict[str, list] = {}
    squashed = {c: _squash(c) for c in columns}
    for fieldname, syns in COLUMN_SYNONYMS.items():
        cols = [c for c in columns if squashed[c] in syns]
        if fieldname == "address":
            cols.sort(key=lambda c: (0 if squashed[c] in _FIELD_ORDER else 1, list(columns).index(c)))
        if cols:
            out[fieldname] = cols
    for k, v in (mapping or {}).items():
        if v is None:
            out.pop(k, None)
            continue
        v = [v] if isinstance(v, str) else list(v)
        missing = [c for c in v if c not in columns]
        if missing:
            raise ValueError(f"mapping for {k!r}: no column {missing[0]!r}")
        out[k] = v
    # a generic "country" column is nationality only for persons; fine as a weak field for both
    return out


def _cell(v):
    return None if ad.is_missing(v) else v


def _join_text(values) -> str | None:
    parts = [str(v).strip() for v in values if not ad.is_missing(v) and str(v).strip()]
    return " ".join(parts) if parts else None


def _to_standard(df: pd.DataFrame, cols: dict, ids: list[str]) -> pd.DataFrame:
    n = len(df)
    get = lambda f: [df[c].tolist() for c in cols.get(f, [])]
    names = [None] * n
    kinds = ["person"] * n
    name_cols = get("name")
    gcols, mcols, fcols, ocols = get("given_name"), get("middle_name"), get("family_name"), get("org_name")
    for i in range(n):
        nm = _join_text(c[i] for c in name_cols)
        if nm is None and (gcols or fcols):
            nm = _join_text([c[i] for c in gcols] + [c[i] for c in mcols] + [c[i] for c in fcols])
        if nm is None and ocols:
            nm = _join_text(c[i] for c in ocols)
            if nm is not None:
                kinds[i] = "organisation"
        names[i] = nm
    if "kind" in cols:
        for i, v in enumerate(df[cols["kind"][0]].tolist()):
            s = str(v).strip().lower() if not ad.is_missing(v) else ""
            if s in ("organisation", "organization", "org", "company", "business", "firm"):
                kinds[i] = "organisation"
            elif s in ("person", "individual", "people"):
                kinds[i] = "person"
    # dates: decide day-first per column
    dob = [None] * n
    for c in cols.get("birth_date", []):
        vals = df[c].tolist()
        dayfirst = None
        try:
            from linkgraph.normalize.dates import detect_dayfirst

            dayfirst = detect_dayfirst(vals)
        except Exception:
            pass
        for i, v in enumerate(vals):
            if dob[i] is None:
                y, m, d = ad.parse_date(v, dayfirst)
                if y:
                    dob[i] = f"{y:04d}" + (f"-{m:02d}" if m else "") + (f"-{d:02d}" if d else "")
    nat = [None] * n
    for c in cols.get("nationality", []):
        for i, v in enumerate(df[c].tolist()):
            if nat[i] is None:
                nat[i] = ad.normalize_country_alpha2(v)
    phones = [[] for _ in range(n)]
    for c in cols.get("phones", []):
        for i, v in enumerate(df[c].tolist()):
            for p in ad.split_multi(v):
                e = ad.normalize_phone_e164(p, nat[i])
                if e and e not in phones[i]:
                    phones[i].append(e)
    multi = {}
    for fld in ("passports", "id_numbers"):
        vals = [[] for _ in range(n)]
        for c in cols.get(fld, []):
            for i, v in enumerate(df[c].tolist()):
                vals[i].extend(str(x) for x in ad.split_multi(v))
        multi[fld] = vals
    addr = [_join_text(c[i] for c in get("address")) for i in range(n)]
    city = [_join_text(c[i] for c in get("city")[:1]) for i in range(n)]
    post = [_join_text(c[i] for c in get("postcode")[:1]) for i in range(n)]
    src = [_join_text(c[i] for c in get("source")[:1]) for i in range(n)]
    return pd.DataFrame(
        {
            "record_id": ids,
            "name": names,
            "kind": kinds,
            "birth_date": dob,
            "nationality": nat,
            "phones": phones,
            "passports": multi["passports"],
            "id_numbers": multi["id_numbers"],
            "address": addr,
            "city": city,
            "postcode": post,
            "source": src,
        }
    )


def _reasons(evidence: dict, veto: str) -> str:
    items = [(k, v) for k, v in evidence.items() if k != "prior" and v["level"] != "null"]
    items.sort(key=lambda kv: -abs(kv[1]["weight"]))
    parts = [f"{k} {v['level']} ({v['weight']:+.1f})" for k, v in items]
    s = "; ".join(parts)
    if veto:
        s = f"VETO {veto}; " + s
    return s


def dedupe_table(
    df: pd.DataFrame, id_column: str | None = None, mapping: dict | None = None, settings=None, decisions=None
) -> pd.DataFrame:
    """De-duplicate a spreadsheet of people (or organisations).

    Columns are recognised by name (name/full_name, first_name+surname, dob/date_of_birth,
    phone/mobile/telephone, passport/passport_no, id_number/national_id, nationality/country,
    address/street, city/town, postcode/zip, company/organisation...); ``mapping`` overrides, e.g.
    ``{"name": "Suspect", "phones": ["Tel 1", "Tel 2"]}`` (``None`` drops a recognised field).

    Returns every input row (same order and index, original columns untouched) plus: record_id,
    entity_id, entity_size, best_match (record_id of the most similar other row), match_probability,
    match_weight, match_outcome (merge / review / no-merge) and match_reasons (evidence, strongest
    first).
    """
    if not isinstance(df, pd.DataFrame):
        raise ValueError("dedupe_table expects a pandas DataFrame")
    cols = map_columns(list(df.columns), mapping)
    if id_column is not None:
        if id_column not in df.columns:
            raise ValueError(f"no column {id_column!r}")
        ids = ["" if ad.is_missing(v) else str(v).strip() for v in df[id_column].tolist()]
        if any(not x for x in ids) or len(set(ids)) != len(ids):
            raise ValueError(f"column {id_column!r} must hold unique, non-empty ids")
        for cl in cols.values():
            if id_column in cl:
                cl.remove(id_column)
    else:
        ids = [f"row-{i + 1}" for i in range(len(df))]
    std = _to_standard(df, cols, ids)
    res = resolve(std, settings=settings, decisions=decisions)
    out = df.copy()
    ent = res.entities.reindex(ids).tolist()
    sizes = pd.Series(ent).map(pd.Series(ent).value_counts()).tolist()
    best_id = [None] * len(ids)
    best_p = [np.nan] * len(ids)
    best_w = [np.nan] * len(ids)
    best_out = [None] * len(ids)
    best_reason = [""] * len(ids)
    pos = {r: i for i, r in enumerate(ids)}
    for part in res._parts:  # best pair per record, straight from the engine's arrays
        if not len(part.ia):
            continue
        same = part.entity_ids[part.ia] == part.entity_ids[part.ib]
        rec = np.concatenate([part.ia, part.ib])
        k = np.concatenate([np.arange(len(part.ia))] * 2)
        order = np.lexsort((-part.W[k], ~np.concatenate([same, same]), rec))
        rec, k = rec[order], k[order]
        first = np.r_[True, rec[1:] != rec[:-1]]
        rec, k = rec[first], k[first]
        uk = sorted_unique(k)
        inv = np.searchsorted(uk, k)
        frame = res._pair_frame(part, uk)
        for r, t in zip(rec.tolist(), inv.tolist()):
            row = frame.iloc[t]
            me = part.f.record_id[r]
            i = pos[me]
            best_id[i] = row["record_b"] if row["record_a"] == me else row["record_a"]
            best_p[i] = float(row["match_probability"])
            best_w[i] = float(row["match_weight"])
            best_out[i] = row["outcome"]
            best_reason[i] = _reasons(json.loads(row["evidence"]), row["veto"])
    added = {
        "record_id": ids,
        "entity_id": ent,
        "entity_size": sizes,
        "best_match": best_id,
        "match_probability": best_p,
        "match_weight": best_w,
        "match_outcome": best_out,
        "match_reasons": best_reason,
    }
    for k, v in added.items():
        if k == id_column:
            continue
        out[k] = v
    out.attrs["column_mapping"] = cols
    out.attrs["resolution_stats"] = res.stats
    return out
