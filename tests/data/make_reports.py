"""Writes tests/data/intel_report_ke.docx: a fictional Kenyan intelligence report on a table form.

Run from the repository root: `python tests/data/make_reports.py`. Every person, company, number and reference
in it is invented.
"""

from __future__ import annotations

from pathlib import Path

import docx

HERE = Path(__file__).resolve().parent

KE_FIELDS = [
    ("Reference No.", "KWS/NRB/INT/2024/044"),
    ("Date of Report", "5 May 2024"),
    ("Originating Agency", "Kenya Wildlife Service - Intelligence and Investigations"),
    ("Subject", "Nairobi to Mombasa ivory courier"),
    ("Grading (Admiralty)", "Source: A  Information: 2"),
    ("Source Type", "Informant (CHIS)"),
    ("Source Reference", "KWS-C-0311"),
    ("Handling Code", "TLP:RED"),
    ("Persons", "Wanjiru Njeri KAMAU (born 1987); OTIENO, Peter"),
]
KE_NARRATIVE = [
    "On 3 May 2024 a matatu driver named Joseph Kiprono Ruto collected four sacks of worked ivory "
    "and ivory carvings from a house in Eastleigh, Nairobi, and drove them to Mombasa in a Toyota "
    "Hiace, registration KDA 456B.",
    "Ruto called 0711 222 333 several times during the journey. KAMAU pays the couriers through "
    "Bahari Clearing Agencies and forwards customer enquiries from wanjiru.kamau@example.org.",
    "The ivory is to be shipped to Hai Phong, Vietnam, on the vessel MV Coral Dawn (IMO 9321483).",
]


def build_ke_report(path: Path) -> Path:
    """A title, a 2-column table of fields, the narrative in the table's last row, then two
    "Label: value" paragraphs below the table."""
    d = docx.Document()
    d.add_heading("KENYA WILDLIFE SERVICE", level=0)
    d.add_heading("Intelligence Report Form", level=1)
    table = d.add_table(rows=0, cols=2)
    for label, value in KE_FIELDS:
        cells = table.add_row().cells
        cells[0].text = label
        cells[1].text = value
    cells = table.add_row().cells
    cells[0].text = "Narrative"
    cells[1].text = KE_NARRATIVE[0]
    for para in KE_NARRATIVE[1:]:
        cells[1].add_paragraph(para)
    d.add_paragraph("Date of information: 03/05/2024")
    d.add_paragraph("Analyst comment: the route matches seizures at Mombasa port in 2023.")
    d.save(str(path))
    return path


def build_paragraph_reports(path: Path) -> Path:
    """Two reports as "Label: value" paragraphs, separated by a '---' paragraph (used by the tests)."""
    d = docx.Document()
    d.add_paragraph("Reference: TZ-DSM/2024/201")
    d.add_paragraph("Date: 2024-06-01")
    d.add_paragraph("Grading: 1/A/P")
    d.add_paragraph("A man called Salim Athumani sold pangolin scales (magamba ya kakakuona) in Tanga, Tanzania.")
    d.add_paragraph("---")
    d.add_paragraph("Reference: TZ-DSM/2024/202")
    d.add_paragraph("Date: 2024-06-09")
    d.add_paragraph("Source: D Information: 4")
    d.add_paragraph("No further information.")
    d.save(str(path))
    return path


if __name__ == "__main__":
    print(build_ke_report(HERE / "intel_report_ke.docx"))
