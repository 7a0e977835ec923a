"""Intelligence reports (.docx/.md/.txt) -> one row per report: fields, grading systems, extraction, errors."""

from __future__ import annotations

import importlib.util
import zipfile
from pathlib import Path

import docx
import pytest
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from linkgraph.errors import LinkgraphError
from linkgraph.importing.reports import COLUMNS, LIST_COLUMNS, MAX_REPORT_BYTES, read_report

DATA = Path(__file__).resolve().parent / "data"
_spec = importlib.util.spec_from_file_location("make_reports", DATA / "make_reports.py")
make_reports = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make_reports)


def rows(path) -> list[dict]:
    return read_report(path).to_dict("records")


def one(tmp_path, text: str, name: str = "r.md") -> dict:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    out = rows(p)
    assert len(out) == 1, out
    return out[0]


def error_of(path) -> str:
    with pytest.raises(LinkgraphError) as ei:
        read_report(path)
    msg = str(ei.value)
    assert "\n" not in msg and msg.strip() == msg, msg
    assert Path(path).name in msg, msg
    return msg


# --- the sample files ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("name, n", [("intel_reports.md", 2), ("intel_report.txt", 3), ("intel_report_ke.docx", 1)])
def test_output_contract(name, n):
    df = read_report(DATA / name)
    assert list(df.columns) == COLUMNS
    assert len(df) == n
    assert df["report_index"].tolist() == list(range(1, n + 1))
    assert str(df["report_index"].dtype) == "int64" and str(df["line"].dtype) == "int64"
    for r in df.to_dict("records"):
        for c in LIST_COLUMNS:
            assert isinstance(r[c], list) and all(isinstance(x, str) for x in r[c]), (c, r[c])
        assert r["credibility"] is None or type(r["credibility"]) is int
        for c in set(COLUMNS) - set(LIST_COLUMNS) - {"credibility", "report_index", "line"}:
            assert r[c] is None or isinstance(r[c], str), (c, r[c])


def test_markdown_admiralty_and_uk_3x5x2():
    a, b = rows(DATA / "intel_reports.md")
    assert a["reference"] == "KWS/INT/2024/0117"
    assert a["subject"] == "Ivory consolidation at Mombasa ahead of a sea shipment"
    assert a["date"] == "2024-03-14"
    assert a["agency"] == "Kenya Wildlife Service, Intelligence Unit"
    assert (a["grading_system"], a["grade_raw"], a["reliability"], a["credibility"]) == ("admiralty", "B2", "B", 2)
    assert (a["uk_source"], a["uk_intelligence"], a["uk_handling"]) == (None, None, None)
    assert a["handling"] == "TLP:AMBER"
    assert (a["source_type"], a["source_reference"]) == ("informant", "KE-C-0147")
    assert a["narrative"].startswith("Source reports that a man known as Baraka Otieno Kamau")
    assert "Fictional training data" not in a["narrative"]  # the file's header is no report's text
    assert a["phones"] == ["+254712345678", "+254733456789"]  # 0733-456789 read in Kenya (the agency's)
    assert a["vessels"] == ["IMO9321483"]
    assert a["species"] == ["Elephantidae"]  # ivory, pembe za ndovu, tusks
    assert a["persons"] == ["Baraka Otieno Kamau"]
    assert a["organizations"] == ["Tân Cảng Seafood Trading Co., Ltd"]
    assert a["locations"] == ["VN"]
    assert (a["report_index"], a["line"]) == (1, 7)

    assert b["reference"] == "NCA-WCU-24-0442"
    assert b["date"] == "2024-03-22"
    assert (b["grading_system"], b["grade_raw"]) == ("uk-3x5x2", "2/B/C")
    # 3x5x2 is never turned into an Admiralty grade
    assert (b["reliability"], b["credibility"]) == (None, None)
    assert (b["uk_source"], b["uk_intelligence"], b["uk_handling"]) == ("2", "B", "C")
    assert b["handling"] == "C"
    assert b["source_type"] == "partner agency"
    assert b["passports"] == ["A07654321"]
    assert b["awbs"] == ["176-12345675"]
    assert b["emails"] == ["c.okafor.trade@example.com"]
    assert b["phones"] == ["+2348031234567"]
    assert b["species"] == ["Manidae"]  # pangolin scales, écailles de pangolin
    assert b["persons"] == ["Chinedu Okafor"]
    assert b["organizations"] == ["Sinar Jaya Exports Sdn Bhd"]
    assert b["locations"] == ["MY"]
    assert (b["report_index"], b["line"]) == (2, 24)


def test_text_reports_split_on_repeated_reference():
    a, b, c = rows(DATA / "intel_report.txt")
    assert [r["reference"] for r in (a, b, c)] == ["KWS/MSA/INT/2024/031", "TZ-NTSCIU/2024/118", "VN-C05/2024/0077"]
    assert [r["line"] for r in (a, b, c)] == [1, 25, 39]
    assert a["date"] == "2024-03-29"  # date of information wins over date of report
    assert (a["grading_system"], a["reliability"], a["credibility"]) == ("admiralty", "B", 2)
    assert a["grade_raw"] == "Source evaluation: B (usually reliable); Information credibility: 2 (probably true)"
    assert a["handling"] == "TLP:AMBER"
    assert (a["source_type"], a["source_reference"]) == ("informant", "KWS-C-0219")
    assert a["narrative"].startswith("Source reports that") and a["narrative"].endswith("bound for Hai Phong, Vietnam.")
    assert "KENYA WILDLIFE SERVICE" not in a["narrative"]
    assert a["phones"] == ["+254722334455", "+254733221100"]
    assert a["plates"] == ["KCA123X"]
    assert a["passports"] == ["AK0456789"]
    assert a["vessels"] == ["IMO9417232"]
    assert a["species"] == ["Elephantidae", "Manidae"]  # pembe za ndovu, kakakuona
    assert a["persons"] == ["Hamisi Juma Mwakio", "Mzee Pembe"]
    assert a["organizations"] == ["Pwani Marine Exports Ltd"]
    assert a["locations"] == ["TZ", "VN"]

    assert (b["grading_system"], b["grade_raw"]) == ("uk-5x5x5", "B/2/3")
    # 5x5x5's source A-E and intelligence 1-5 are the Admiralty scales
    assert (b["reliability"], b["credibility"]) == ("B", 2)
    assert (b["uk_source"], b["uk_intelligence"], b["uk_handling"]) == ("B", "2", "3")
    assert b["handling"] == "TLP:AMBER"  # the file's TLP:AMBER is more restrictive than handling code 3
    assert b["source_type"] == "technical"
    assert b["phones"] == ["+254722334455", "+2348035550192"]  # the same phone as report 1
    assert b["awbs"] == ["618-40235812"]
    assert b["emails"] == ["obi.emeka.trade@example.com"]
    assert b["species"] == ["Manidae", "Elephantidae"]  # écailles de pangolin, ivoire
    assert b["persons"] == ["Emeka Obi"]
    assert b["organizations"] == ["Sinar Harimau Trading Sdn Bhd"]
    assert b["locations"] == ["NG", "MY"]

    assert (c["grading_system"], c["grade_raw"], c["reliability"], c["credibility"]) == (
        "admiralty",
        "Source: C; Information: 3",
        "C",
        3,
    )
    assert c["handling"] == "TLP:AMBER"  # TLP:GREEN in the report, TLP:AMBER on the file
    assert c["source_type"] == "open source"
    assert c["phones"] == ["+84912345678"]
    assert c["species"] == ["Elephantidae", "Manidae"]  # ngà voi, vảy tê tê
    assert c["persons"] == ["Trần Thị Lan"]  # not the shop "named Ngọc Lâm"
    assert c["organizations"] == ["Công ty TNHH Thương mại Hoàng Long"]
    assert c["locations"] == ["KE", "TZ"]


def test_docx_table_form():
    (r,) = rows(DATA / "intel_report_ke.docx")
    assert r["reference"] == "KWS/NRB/INT/2024/044"
    assert r["subject"] == "Nairobi to Mombasa ivory courier"
    assert r["date"] == "2024-05-03"  # the "Date of information:" paragraph below the table
    assert r["agency"] == "Kenya Wildlife Service - Intelligence and Investigations"
    assert (r["grading_system"], r["reliability"], r["credibility"]) == ("admiralty", "A", 2)
    assert r["grade_raw"] == "Source: A  Information: 2"
    assert r["handling"] == "TLP:RED"
    assert (r["source_type"], r["source_reference"]) == ("informant", "KWS-C-0311")
    assert r["narrative"].startswith("On 3 May 2024 a matatu driver named Joseph Kiprono Ruto")
    assert r["narrative"].endswith("Analyst comment: the route matches seizures at Mombasa port in 2023.")
    assert r["phones"] == ["+254711222333"]
    assert r["emails"] == ["wanjiru.kamau@example.org"]
    assert r["plates"] == ["KDA456B"]
    assert r["vessels"] == ["IMO9321483"]
    assert r["species"] == ["Elephantidae"]
    assert r["persons"] == ["Wanjiru Njeri KAMAU", "OTIENO, Peter", "Joseph Kiprono Ruto"]
    assert r["organizations"] == ["Bahari Clearing Agencies"]
    assert r["locations"] == ["VN"]
    assert (r["report_index"], r["line"]) == (1, 1)


def test_docx_sample_is_reproducible(tmp_path):
    fresh = make_reports.build_ke_report(tmp_path / "ke.docx")
    assert read_report(fresh).equals(read_report(DATA / "intel_report_ke.docx"))


def test_docx_paragraph_reports_split_on_rule(tmp_path):
    a, b = rows(make_reports.build_paragraph_reports(tmp_path / "two.docx"))
    assert (a["reference"], a["date"], a["grading_system"]) == ("TZ-DSM/2024/201", "2024-06-01", "uk-3x5x2")
    assert (a["uk_source"], a["uk_intelligence"], a["uk_handling"], a["handling"]) == ("1", "A", "P", "P")
    assert a["persons"] == ["Salim Athumani"] and a["species"] == ["Manidae"] and a["locations"] == ["TZ"]
    assert (b["reference"], b["reliability"], b["credibility"]) == ("TZ-DSM/2024/202", "D", 4)
    assert (a["line"], b["line"]) == (1, 6)


def test_docx_bordered_rule_and_header_marking(tmp_path):
    d = docx.Document()
    d.sections[0].header.paragraphs[0].text = "OFFICIAL-SENSITIVE  TLP:AMBER+STRICT"
    d.add_paragraph("Reference: A-1")
    d.add_paragraph("Handling: TLP:GREEN")
    rule = d.add_paragraph()
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for k, v in {"w:val": "single", "w:sz": "6", "w:space": "1", "w:color": "auto"}.items():
        bottom.set(qn(k), v)
    border.append(bottom)
    rule._p.get_or_add_pPr().append(border)
    d.add_paragraph("Reference: A-2")
    d.save(str(tmp_path / "r.docx"))
    a, b = rows(tmp_path / "r.docx")
    assert (a["reference"], b["reference"]) == ("A-1", "A-2")
    assert a["handling"] == b["handling"] == "TLP:AMBER+STRICT"  # the page header covers every report


# --- grading ---------------------------------------------------------------------------------------------------
ADM, UK3, UK5 = "admiralty", "uk-3x5x2", "uk-5x5x5"


@pytest.mark.parametrize(
    "lines, expected",
    [
        # (grading_system, grade_raw, reliability, credibility, uk_source, uk_intelligence, uk_handling, handling)
        ("Grading: B2", (ADM, "B2", "B", 2, None, None, None, None)),
        ("Grading: B/2", (ADM, "B/2", "B", 2, None, None, None, None)),
        (
            "Evaluation: b-2 (usually reliable, probably true)",
            (ADM, "b-2 (usually reliable, probably true)", "B", 2, None, None, None, None),
        ),
        ("Source: B Information: 2", (ADM, "Source: B; Information: 2", "B", 2, None, None, None, None)),
        ("Admiralty code: F6", (ADM, "F6", "F", 6, None, None, None, None)),
        ("Source reliability: E", (ADM, "Source reliability: E", "E", None, None, None, None, None)),
        ("Grading: 1/A/P", (UK3, "1/A/P", None, None, "1", "A", "P", "P")),
        ("3x5x2: 2 B C", (UK3, "2 B C", None, None, "2", "B", "C", "C")),
        ("Grading: 3x5x2 3/E", (UK3, "3x5x2 3/E", None, None, "3", "E", None, None)),
        (
            "Source evaluation: 3\nIntelligence evaluation: E\nHandling code: C",
            (UK3, "Source evaluation: 3; Intelligence evaluation: E", None, None, "3", "E", "C", "C"),
        ),
        (
            "Source Evaluation: 1  Intelligence Evaluation: B  Handling: P",
            (UK3, "Source Evaluation: 1; Intelligence Evaluation: B", None, None, "1", "B", "P", "P"),
        ),
        ("5x5x5: B/2/4", (UK5, "B/2/4", "B", 2, "B", "2", "4", "4")),
        ("Grading (5x5x5): C3", (UK5, "C3", "C", 3, "C", "3", None, None)),
        (
            "Source reliability: B\nInformation credibility: 3\nHandling code: 2",
            (UK5, "Source reliability: B; Information credibility: 3", "B", 3, "B", "3", "2", "2"),
        ),
        ("Subject: no grading here", (None, None, None, None, None, None, None, None)),
        # Markdown forms with two or three emphasised labels on one line
        ("**Source:** B  **Information:** 3", (ADM, "Source: B; Information: 3", "B", 3, None, None, None, None)),
        ("__Source__: C __Information__: 2", (ADM, "Source: C; Information: 2", "C", 2, None, None, None, None)),
        (
            "- **Source:** 2 | **Intelligence:** B | **Handling:** C",
            (UK3, "Source: 2; Intelligence: B", None, None, "2", "B", "C", "C"),
        ),
    ],
)
def test_grading_systems(tmp_path, lines, expected):
    r = one(tmp_path, f"Reference: G-1\n{lines}\n\nText of the report.\n")
    got = tuple(
        r[c]
        for c in (
            "grading_system",
            "grade_raw",
            "reliability",
            "credibility",
            "uk_source",
            "uk_intelligence",
            "uk_handling",
            "handling",
        )
    )
    assert got == expected


@pytest.mark.parametrize(
    "line, words",
    [
        ("3x5x2: B2", "not a UK 3x5x2 grade"),
        ("Admiralty: 2/B/C", "not an Admiralty grade"),
        ("5x5x5: F6", "not a UK 5x5x5 grade"),
        ("Grading: banana", "is not a grade: Admiralty (A-F then 1-6, e.g. B2), UK 3x5x2 (e.g. 2/B/C)"),
        ("Source: B\nInformation: E", "mixes Admiralty and UK 3x5x2 scales"),
    ],
)
def test_grading_errors_are_one_line(tmp_path, line, words):
    p = tmp_path / "bad.txt"
    p.write_text(f"Reference: OK-1\n\nFine.\n\nReference: BAD-2\n{line}\n", encoding="utf-8")
    msg = error_of(p)
    assert msg.startswith("bad.txt: report 2 (line 5): grade ")
    assert words in msg


# --- handling, source type, labels -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "line, handling",
    [
        ("Handling: TLP:AMBER+STRICT", "TLP:AMBER+STRICT"),
        ("Handling code: tlp: white", "TLP:CLEAR"),
        ("TLP:RED", "TLP:RED"),
        ("Dissemination: GREEN", "TLP:GREEN"),
        ("Handling: P - lawful sharing permitted", "P"),
        ("Handling instructions: lawful sharing permitted with conditions", "C"),
    ],
)
def test_handling(tmp_path, line, handling):
    assert one(tmp_path, f"Reference: H-1\n{line}\n")["handling"] == handling


@pytest.mark.parametrize(
    "line, kind",
    [
        ("Source type: CHIS", "informant"),
        ("Source type: Covert Human Intelligence Source", "informant"),
        ("Type of source: officer observation", "officer"),
        ("Source type: Witness statement", "witness"),
        ("Source type: OSINT", "open source"),
        ("Collection method: telephone intercept", "technical"),
        ("Source: a member of the public", "public"),
        ("Source type: carrier pigeon", "carrier pigeon"),
    ],
)
def test_source_type(tmp_path, line, kind):
    r = one(tmp_path, f"Reference: S-1\n{line}\n")
    assert r["source_type"] == kind
    assert r["grading_system"] is None


@pytest.mark.parametrize("label", ["Reference", "Ref", "REF NO.", "Report No.", "URN", "Intel Ref #"])
def test_reference_aliases(tmp_path, label):
    assert one(tmp_path, f"{label}: X/1\nSubject: S\n")["reference"] == "X/1"


def test_markdown_table_form_and_bare_labels(tmp_path):
    r = one(
        tmp_path,
        "| Field | Value |\n|---|---|\n| **URN** | 01/2024/77 |\n| Date of report | 1 June 2024 |\n"
        "| Source grading | C3 |\n| Location | Tanga |\n\nSUBJECT\nDhow from Pemba\n\nNARRATIVE\n"
        "Two men loaded tusks.\n",
    )
    assert (r["reference"], r["date"], r["reliability"], r["credibility"]) == ("01/2024/77", "2024-06-01", "C", 3)
    assert r["subject"] == "Dhow from Pemba"
    assert r["narrative"] == "Location: Tanga\n\nTwo men loaded tusks."  # an unknown row stays as text


def test_tab_separated_labels_crlf_and_utf16(tmp_path):
    p = tmp_path / "r.txt"
    p.write_bytes(
        "Reference\tT-9\r\nDate of report\t03/02/2024\r\nGrading\tA1\r\n\r\nNgà voi seized.\r\n".encode("utf-16")
    )
    (r,) = rows(p)
    assert (r["reference"], r["date"], r["reliability"], r["credibility"]) == ("T-9", "2024-02-03", "A", 1)
    assert r["species"] == ["Elephantidae"] and r["line"] == 1


def test_repeated_reference_moves_leading_fields_to_the_next_report(tmp_path):
    p = tmp_path / "r.txt"
    p.write_text(
        "Agency: KWS\nReference: K-1\nA dealer sold ivory.\n\nAgency: TANAPA\nReference: T-2\nSubject: rhino horn\n",
        encoding="utf-8",
    )
    a, b = rows(p)
    assert (a["reference"], a["agency"], a["line"]) == ("K-1", "KWS", 1)
    assert (b["reference"], b["agency"], b["line"]) == ("T-2", "TANAPA", 5)
    assert a["narrative"] == "A dealer sold ivory."


def test_markdown_front_matter_is_not_a_report(tmp_path):
    p = tmp_path / "r.md"
    p.write_text("---\ntitle: weekly\nauthor: analyst\n---\n\n## Reference: W-1\n\nNothing new.\n", encoding="utf-8")
    (r,) = rows(p)
    assert (r["reference"], r["narrative"], r["line"]) == ("W-1", "Nothing new.", 6)


# --- extraction ------------------------------------------------------------------------------------------------
def test_persons_are_conservative(tmp_path):
    r = one(
        tmp_path,
        "Reference: P-1\nSubject: Juma BAKARI; Amina Salim\n\n"
        "The vessel named Ocean Star left. A shop called Mama Pima sells carvings. A company called "
        "Simba Freight Ltd paid. A man named Juma Bakari drove; his wife, known as 'Mama Tembo', "
        "kept the books. We called Nairobi.\n",
    )
    assert r["persons"] == ["Juma BAKARI", "Amina Salim", "Juma Bakari", "Mama Tembo"]
    assert r["organizations"] == ["Simba Freight Ltd"]
    assert r["species"] == []  # "Tembo" as a name is not an elephant
    r = one(tmp_path, "Reference: P-2\nSubject: Ivory Network Mombasa\nPersons: OTIENO, Peter; Grace Wambui (driver)\n")
    assert r["persons"] == ["OTIENO, Peter", "Grace Wambui"]


def test_species_matching(tmp_path):
    r = one(
        tmp_path,
        "Reference: X-1\n\nMammoth ivory was declared. Cocoa from Côte d'Ivoire and the Ivory Coast. "
        "The bus passed through Voi. Trading in manis is sweet.\n",
    )
    assert r["species"] == []
    assert r["locations"] == ["CI"]
    r = one(
        tmp_path,
        "Reference: X-2\n\nDes défenses d'éléphant, de l'ivoire brut et des écailles de pangolin; "
        "Manis javanica; rhino horn; 象牙.\n",
    )
    assert r["species"] == ["Elephantidae", "Manidae", "Manis javanica", "Rhinocerotidae"]


def test_locations(tmp_path):
    r = one(
        tmp_path,
        "Reference: L-1\n\nJordan Smith flew from the Democratic Republic of the Congo via the UK "
        "and Uganda to Việt Nam; KEN and Ken are not countries.\n",
    )
    assert r["locations"] == ["CD", "GB", "UG", "VN"]


# --- bad input -------------------------------------------------------------------------------------------------
def test_empty_files(tmp_path):
    (tmp_path / "e.txt").write_bytes(b"")
    assert error_of(tmp_path / "e.txt") == "e.txt: empty file"
    (tmp_path / "w.md").write_text("\n \n\t\n", encoding="utf-8")
    assert error_of(tmp_path / "w.md") == "w.md: empty file (no text)"


def test_docx_that_is_not_a_zip(tmp_path):
    (tmp_path / "fake.docx").write_text("Reference: X\n", encoding="utf-8")
    assert error_of(tmp_path / "fake.docx") == "fake.docx: not a Word .docx file (not a zip archive)"
    with zipfile.ZipFile(tmp_path / "other.docx", "w") as z:
        z.writestr("hello.txt", "hi")
    assert "no word/document.xml" in error_of(tmp_path / "other.docx")


def test_missing_reference_names_report_and_line(tmp_path):
    p = tmp_path / "r.md"
    p.write_text(
        "Reference: A-1\nGrading: B2\n\n---\n\nSubject: no reference here\nDate: 2024-01-01\n", encoding="utf-8"
    )
    assert error_of(p) == "r.md: report 2 (line 6): no reference (expected a 'Reference:' field)"
    d = docx.Document()
    d.add_paragraph("Subject: nothing")
    d.save(str(tmp_path / "r.docx"))
    assert (
        error_of(tmp_path / "r.docx") == "r.docx: report 1 (paragraph 1): no reference (expected a 'Reference:' field)"
    )


def test_no_fields_at_all(tmp_path):
    (tmp_path / "prose.txt").write_text("Just a letter.\nNo form.\n", encoding="utf-8")
    assert "no report found" in error_of(tmp_path / "prose.txt")


def test_oversized_report(tmp_path):
    p = tmp_path / "big.txt"
    p.write_text("Reference: BIG-1\n" + ("ivory " * 20 + "\n") * (MAX_REPORT_BYTES // 120 + 10), encoding="utf-8")
    msg = error_of(p)
    assert msg.startswith("big.txt: report 1 (line 1): report text is ") and "1,000,000-byte limit" in msg


def test_other_bad_input(tmp_path):
    (tmp_path / "r.pdf").write_bytes(b"%PDF-1.4")
    assert "not a report file" in error_of(tmp_path / "r.pdf")
    (tmp_path / "bin.txt").write_bytes(b"Reference: X\x00\x01\x02" * 10)
    assert "not a text file" in error_of(tmp_path / "bin.txt")
    p = tmp_path / "long.txt"
    p.write_text("Reference: " + "R" * 300 + "\n", encoding="utf-8")
    assert "over 200 characters" in error_of(p)


def test_hostile_text_is_kept_as_data(tmp_path):
    r = one(
        tmp_path,
        "Reference: <b>R-1</b>\nSubject: {{7*7}} __import__('os').system('x')\n\n"
        "<script>alert(1)</script> ${jndi:ldap://x} \x07bell\n",
        name="h.txt",
    )
    assert r["reference"] == "<b>R-1</b>"
    assert r["subject"] == "{{7*7}} __import__('os').system('x')"
    assert r["narrative"] == "<script>alert(1)</script> ${jndi:ldap://x} bell"
    assert r["persons"] == [] and r["organizations"] == []


def test_docx_header_row_and_unpacked_size_cap(tmp_path, monkeypatch):
    d = docx.Document()
    t = d.add_table(rows=0, cols=2)
    for label, value in [("Field", "Value"), ("Report number", "H-7"), ("Grading", "C3")]:
        cells = t.add_row().cells
        cells[0].text, cells[1].text = label, value
    d.save(str(tmp_path / "h.docx"))
    (r,) = rows(tmp_path / "h.docx")
    assert (r["reference"], r["reliability"], r["credibility"], r["narrative"], r["line"]) == ("H-7", "C", 3, None, 1)
    from linkgraph.importing import reports

    size = (tmp_path / "h.docx").stat().st_size
    with zipfile.ZipFile(tmp_path / "h.docx") as z:
        assert sum(i.file_size for i in z.infolist()) > size + 1
    monkeypatch.setattr(reports, "MAX_FILE_BYTES", size + 1)
    assert error_of(tmp_path / "h.docx") == f"h.docx: refused, the archive unpacks to over {size + 1:,} bytes"
    monkeypatch.setattr(reports, "MAX_FILE_BYTES", size - 1)
    assert (
        error_of(tmp_path / "h.docx") == f"h.docx: {size:,} bytes, over the {size - 1:,}-byte limit for a report file"
    )


def test_file_name_with_a_newline_stays_one_line(tmp_path):
    p = tmp_path / "evil\nname.txt"
    p.write_text("Subject: no reference\n", encoding="utf-8")
    with pytest.raises(LinkgraphError) as ei:
        read_report(p)
    assert str(ei.value).startswith("evil?name.txt: report 1 (line 1): no reference")


def test_line_numbers_count_only_line_breaks(tmp_path):
    p = tmp_path / "r.txt"
    p.write_bytes(
        "Reference: A\r\nText\x0cwith a form feed and\u2028a line separator\r\n\r\nReference: B\n".encode("utf-8")
    )
    a, b = rows(p)
    assert (a["line"], b["line"]) == (1, 4)
    assert a["narrative"] == "Textwith a form feed and a line separator"


@pytest.mark.parametrize("suffix, first", [(".md", "First text."), (".txt", "First text.\n\nReport 2")])
def test_underlined_titles_are_headings(tmp_path, suffix, first):
    p = tmp_path / f"r{suffix}"
    p.write_text(
        "INTELLIGENCE REPORTS\n====================\n\nReference: U-1\n\nFirst text.\n\nReport 2\n---\n"
        "Reference: U-2\nSecond text\n---\n",
        encoding="utf-8",
    )
    a, b = rows(p)
    assert (a["narrative"], a["line"]) == (first, 1)  # in a .txt file "---" is a rule only
    assert (b["narrative"], b["line"]) == ("Second text", 10)
