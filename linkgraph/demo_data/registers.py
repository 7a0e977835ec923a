"""The three seizure registers: Kenya Wildlife Service (.xlsx, a sheet a year), Tanzania (cp1252 CSV) and
Nigeria Customs (UTF-8 CSV with a BOM); each the network's seizures, unrelated ones drawn at random, and the rows
that are not the network's (namesakes, hostile text)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

from linkgraph.demo_data.facts import DEMO_NOTE
from linkgraph.demo_data.formats import FIXED_TIME, csv_text, freeze_zip
from linkgraph.demo_data.world import World


def _suspect_columns(*patterns: str) -> list[str]:
    """Three suspects' columns, suspect by suspect: each pattern with {n} = 1, 2, 3."""
    return [p.format(n=n) for n in (1, 2, 3) for p in patterns]


KWS_HEADERS = ["Case reference", "Date", "Place", "Country", "Agency", "Species", "Commodity", "Quantity", "Unit"]
KWS_HEADERS += ["Transport mode", "Arrests", "Vehicle plate"]
KWS_HEADERS += _suspect_columns(
    "Suspect {n}", "Suspect {n} nationality", "Suspect {n} phone", "Suspect {n} passport", "Suspect {n} date of birth"
)
KWS_HEADERS += ["Grade"]
TZ_HEADERS = ["Case no", "Date of seizure", "Seizure location", "Country of seizure", "Seizing agency"]
TZ_HEADERS += ["Scientific name", "Product", "Qty", "UoM", "Mode", "No. arrested", "Vehicle registration"]
TZ_HEADERS += _suspect_columns("Suspect {n} name", "Nationality {n}", "Phone {n}", "Passport {n}", "DOB {n}")
TZ_HEADERS += ["Grading"]
NG_HEADERS = ["Seizure ID", "Date seized", "Site", "Country", "Seizing unit", "Species", "Item", "Amount", "Units"]
NG_HEADERS += ["Transport", "Number arrested", "Registration"]
NG_HEADERS += _suspect_columns("Suspect_{n}", "Suspect {n} nationality", "Suspect {n} tel", "Suspect {n} passport")
NG_HEADERS += ["Grade", "TLP"]
TAWA = "Tanzania Wildlife Management Authority"
NG_FOU = "Nigeria Customs Service, FOU Zone A"


def _by_date(rows: list[dict]) -> list[dict]:
    return sorted(rows, key=lambda r: (r["date"], r["ref"]))


def _network(w: World, seizures: list[dict], agency=None) -> list[dict]:
    """The network's seizures as rows (with their agency), noting the first row of each case for the calls."""
    rows: list[dict] = []
    for s in seizures:
        if s["ref"] not in {r["ref"] for r in rows}:
            w.note_seizure(s["date"], s["suspects"])
        rows.append({**s, "agency": agency(s["ref"]) if agency else None})
    return rows


def _kws_sheet_rows(w: World, year: int, network: list[dict]) -> list[dict]:
    kinds = w.facts["unrelated_seizures"]["kinds"]
    rows = [dict(s) for s in network]
    seq = 50
    for name in w.facts["unrelated_seizures"]["kws"][year]:
        when = date(year, 1, 1) + timedelta(days=w.rng.randrange(0, 340))
        s = w.unrelated_seizure(kinds[name])
        seq += 1
        ref = f"KWS/{'NRB' if 'Nairobi' in s['place'] else 'WCU'}/{year}/{seq:03d}"
        rows.append({**s, "ref": ref, "date": when, "plate": "", "grade": w.rng.choice(["B2", "B3", "C3"])})
    return _by_date(rows)


def kenya(w: World, path: Path) -> None:
    import openpyxl  # a spreadsheet writer only the .xlsx register needs

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for year in (2023, 2024):
        network = w.facts["seizures"][f"kws_{year}"]
        ws = wb.create_sheet(str(year))
        ws.append([f"KENYA WILDLIFE SERVICE - Seizure register {year} ({DEMO_NOTE})"])
        ws.append(KWS_HEADERS)
        refs, seen = {s["ref"] for s in network}, set()
        for r in _kws_sheet_rows(w, year, network):
            excel_row = ws.max_row + 1
            ws.append(_kws_cells(w, r, path.name, str(year), excel_row))
            ws.cell(excel_row, 2).number_format = "dd/mm/yyyy"
            if r["ref"] in refs and r["ref"] not in seen:
                seen.add(r["ref"])
                w.note_seizure(r["date"], r["suspects"])
        ws.freeze_panes = "A3"
    wb.properties.creator = "KWS Intelligence & Investigations"
    wb.properties.lastModifiedBy = "linkgraph demo"
    wb.properties.title = "Seizure register (fictional)"
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    wb.save(path)
    freeze_zip(path)


def _kws_cells(w: World, r: dict, fname: str, sheet: str, excel_row: int) -> list:
    when, suspects = r["date"], r["suspects"]
    cells = [r["ref"], datetime(when.year, when.month, when.day), r["place"], "Kenya", "Kenya Wildlife Service"]
    cells += [r["species"], r["commodity"], r["quantity"], r["unit"], r["transport"], len(suspects)]
    cells += [r["plate"] or None]
    for i in range(3):
        if i < len(suspects):
            pid, name, nat, phone, pp = suspects[i]
            cells += [name, nat, phone or None, pp or None, w.dob_written(pid, "KE")]
            w.mention(fname, sheet, excel_row, f"Suspect {i + 1}", name, pid)
        else:
            cells += [None] * 5
    return [*cells, r["grade"]]


def _csv_cells(w: World, r: dict, country: str, fname: str, n: int, column: str, dob: str | None) -> list:
    """One row of the Tanzanian or Nigerian register; `dob` the register's date style, None when it has none."""
    cells = [r["ref"], r["date"].strftime("%d/%m/%Y"), r["place"], country, r["agency"], r["species"]]
    cells += [r["commodity"], r["quantity"], r["unit"], r["transport"], len(r["suspects"]), r["plate"]]
    width = 5 if dob else 4
    for i in range(3):
        if i < len(r["suspects"]):
            pid, name, nat, phone, pp = r["suspects"][i]
            cells += [name, nat, phone, pp] + ([w.dob_written(pid, dob)] if dob else [])
            w.mention(fname, None, n, column.format(i=i + 1), name, pid)
        else:
            cells += [""] * width
    return [*cells, r["grade"]]


def tanzania(w: World, path: Path) -> None:
    agency = lambda ref: "NTSCIU" if ref.startswith("NTSCIU") else TAWA
    rows = _network(w, w.facts["seizures"]["tz"], agency)
    # the namesakes live here, away from the files that name P01 and P14
    rows += w.facts["other_seizures"]["tz"]
    kinds = w.facts["unrelated_seizures"]["kinds"]
    for i, name in enumerate(w.facts["unrelated_seizures"]["tz"]):
        when = date(2023, 1, 1) + timedelta(days=w.rng.randrange(0, 680))
        s = w.unrelated_seizure(kinds[name])
        weight = s["unit"] in ("t", "kg")
        s["quantity"] = f"{s['quantity']} {s['unit']}" if weight else str(s["quantity"])
        s["unit"] = "" if weight else s["unit"]
        ref = f"TAWA/{s['place'][:3].upper()}/{when.year}/{120 + i:03d}"
        rows.append({**s, "ref": ref, "date": when, "agency": TAWA, "plate": "", "grade": "C3"})
    out = [TZ_HEADERS]
    for n, r in enumerate(_by_date(rows), start=2):
        out.append(_csv_cells(w, r, "Tanzania", path.name, n, "Suspect {i} name", "TZ"))
    path.write_bytes(csv_text(out).encode("cp1252"))


def nigeria(w: World, path: Path) -> None:
    units = w.facts["ng_units"]
    rows = _network(w, w.facts["seizures"]["ng"], lambda ref: units[ref.rsplit("/", 2)[0]])
    kinds = w.facts["unrelated_seizures"]["kinds"]
    for i, name in enumerate(w.facts["unrelated_seizures"]["ng"]):
        when = date(2023, 1, 1) + timedelta(days=w.rng.randrange(0, 680))
        s = w.unrelated_seizure(kinds[name])
        q = s["quantity"]
        s["quantity"], s["unit"] = (f"{q:,}" if isinstance(q, int) else str(q)), s["unit"].upper()
        ref = f"NCS/FOU/{when.year}/{700 + i:04d}"
        rows.append({**s, "ref": ref, "date": when, "agency": NG_FOU, "plate": "", "grade": "B2"})
    # hostile text where a name should be: it must be stored as plain text, never run or rendered as markup
    rows += w.facts["other_seizures"]["ng"]
    out = [NG_HEADERS]
    for n, r in enumerate(_by_date(rows), start=2):
        out.append([*_csv_cells(w, r, "Nigeria", path.name, n, "Suspect_{i}", None), "TLP:AMBER"])
    path.write_bytes(csv_text(out).encode("utf-8-sig"))
