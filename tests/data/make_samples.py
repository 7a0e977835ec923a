"""Writes the sample source files the import tests use. Names, numbers and cases are fictional.

    python tests/data/make_samples.py
"""
from __future__ import annotations

import csv
import io
from datetime import datetime
from pathlib import Path

import openpyxl

HERE = Path(__file__).resolve().parent

SEIZURE_HEADERS = ["Case reference", "Date", "Place", "Country", "Agency", "Species", "Commodity", "Quantity",
                   "Unit", "Transport mode", "Arrests", "Vehicle plate",
                   "Suspect 1", "Suspect 1 nationality", "Suspect 1 phone", "Suspect 1 passport",
                   "Suspect 2", "Suspect 2 nationality", "Suspect 2 phone", "Suspect 2 passport",
                   "Suspect 3", "Suspect 3 nationality", "Suspect 3 phone", "Suspect 3 passport", "Grade"]

S23 = [
    ["KWS/2023/001", datetime(2023, 1, 14), "Jomo Kenyatta Intl Airport", "Kenya", "KWS", "Loxodonta africana", "ivory", "120.5", "kg", "air", 2, "",
     "Joseph Mwangi Kamau", "Kenya", "0712 345 678", "AK1234567", "Nguyen Van Hung", "Viet Nam", "+84 912 345 678", "C7654321", "", "", "", "", "B2"],
    ["KWS/2023/002", "05/02/2023", "Mombasa Port", "KE", "KWS", "Manis gigantea", "scales", "3.2 t", "", "sea", 1, "",
     "Li Wei", "China", "+86 138 0013 8000", "E12345678", "", "", "", "", "", "", "", "", "B2"],
    ["KWS/2023/003", "2023-02-19", "Namanga border post", "Kenya", "KWS", "Loxodonta africana", "ivory", "14", "tusks", "road", 3, "KCB 123A",
     "Joseph Kamau Mwangi", "KE", "+254712345678", "AK1234567", "Emeka Okafor", "Nigeria", "+234 803 123 4567", "A09876543", "Hassan Juma Ali", "Tanzania", "0754 111 222", "", "C3"],
    ["TPA/2023/017", "12 March 2023", "Dar es Salaam port", "Tanzania", "TPA Police", "Diceros bicornis", "horn", "6", "horns", "sea", 0, "",
     "Nguyễn Văn Hùng", "Vietnam", "0912345678", "C7654321", "", "", "", "", "", "", "", "", "B3"],
    ["KWS/2023/004", "2023-03-30", "Jomo Kenyatta Intl Airport", "Kenya", "KWS", "pangolin", "scales", "45 kg", "", "air", 1, "",
     "Okafor Emeka", "NG", "08031234567", "A09876543", "", "", "", "", "", "", "", "", "B2"],
    ["KWS/2023/005", "2023-04-05", "Malaba", "Kenya", "KWS", "Loxodonta africana", "worked ivory", "230", "pieces", "road", 2, "KDA 456B",
     "Mohamed Abdi Farah", "Somalia", "+252 61 555 1234", "", "Joseph Mwangi", "Kenya", "0712-345-678", "", "", "", "", "", "A2"],
    ["KWS/2023/006", "2023-05-11", "Isiolo", "Kenya", "KWS", "Panthera pardus", "skin", "3", "pieces", "road", 1, "KCB 123A",
     "Hassan J. Ali", "Tanzania", "+255 754 111 222", "", "", "", "", "", "", "", "", "", "B2"],
    ["KWS/2023/007", "2023-06-02", "Jomo Kenyatta Intl Airport", "Kenya", "KWS", "Loxodonta africana", "ivory", "88.4", "kg", "air", 2, "",
     "Tran Thi Mai", "VN", "+84 983 222 111", "C1112223", "Li Wei", "CN", "13800138000", "E12345678", "", "", "", "", "B2"],
    ["KWS/2023/008", "2023-07-21", "Lunga Lunga", "Kenya", "KWS", "Ceratotherium simum", "horn", "2", "horns", "road", 1, "",
     "Jean-Pierre Mbala", "Cameroon", "+237 6 77 12 34 56", "CM554433", "", "", "", "", "", "", "", "", "C3"],
    ["KWS/2023/009", "2023-08-15", "Mombasa Port", "Kenya", "KWS", "Manis tricuspis", "scales", "1.8 t", "", "sea", 0, "",
     "Ahmad bin Ismail", "Malaysia", "+60 12-345 6789", "A22334455", "Lim Chee Keong", "Malaysia", "+60 16 222 3333", "", "", "", "", "", "B2"],
    ["KWS/2023/010", "2023-09-09", "Kilindini", "Kenya", "KWS", "Loxodonta africana", "ivory", "12", "tusks", "sea", 1, "",
     "<script>alert(1)</script>", "", "", "", "", "", "", "", "", "", "", "", "D4"],
    ["KWS/2023/011", "2023-10-30", "Jomo Kenyatta Intl Airport", "Kenya", "KWS", "Loxodonta africana", "ivory", "40", "kg", "air", 1, "",
     '=HYPERLINK("http://x","y")', "Kenya", "", "", "", "", "", "", "", "", "", "", "B2"],
]
S24 = [
    ["KWS/2024/001", "2024-01-08", "Jomo Kenyatta Intl Airport", "Kenya", "KWS", "Loxodonta africana", "ivory", "64", "kg", "air", 2, "",
     "Joseph Mwangi Kamau", "Kenya", "0712 345 678", "AK1234567", "Nguyen V. Hung", "Viet Nam", "+84912345678", "C7654321", "", "", "", "", "B2"],
    ["KWS/2024/002", "2024-02-14", "Mombasa Port", "Kenya", "KWS", "Smutsia gigantea", "scales", "2.1 t", "", "sea", 2, "",
     "Lim Chee Keong", "MY", "+60 16 222 3333", "A33445566", "Ahmad Ismail", "Malaysia", "0123456789", "A22334455", "", "", "", "", "B2"],
    ["KWS/2024/003", "2024-03-03", "Busia", "Kenya", "KWS", "Loxodonta africana", "ivory", "9", "tusks", "road", 1, "KDA 456B",
     "Hassan Juma Ali", "TZ", "0754111222", "", "", "", "", "", "", "", "", "", "C3"],
    ["UWA/2024/011", "2024-03-20", "Entebbe Airport", "Uganda", "UWA", "Loxodonta africana", "ivory", "310", "kg", "air", 3, "",
     "Emeka Okafor", "Nigeria", "+2348031234567", "A09876543", "Jean Pierre Mbala", "CM", "677123456", "CM554433", "Li Wei", "China", "+86 138 0013 8000", "E12345678", "B2"],
    ["KWS/2024/004", "2024-04-11", "Jomo Kenyatta Intl Airport", "Kenya", "KWS", "Psittacus erithacus", "live", "48", "live", "air", 1, "",
     "Adebayo Ogunleye", "Nigeria", "+234 805 999 0000", "A11122233", "", "", "", "", "", "", "", "", "B2"],
    ["KWS/2024/005", "2024-05-27", "Namanga border post", "Kenya", "KWS", "Diceros bicornis", "horn", "1", "horns", "road", 1, "KCB 123A",
     "Joseph Mwangi", "Kenya", "+254 712 345678", "", "", "", "", "", "", "", "", "", "B2"],
]


def seizure_register(path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "2023"
    ws.append(["Kenya Wildlife Service - seizure register 2023 (fictional sample)"])
    ws.append(SEIZURE_HEADERS)
    for r in S23:
        ws.append(r)
    for row in ws.iter_rows():
        for cell in row:  # text that looks like a formula stays text (a hostile name, not a formula)
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"
    ws.merge_cells("C3:C4")  # the first two seizures share a place cell, as registers often do
    ws2 = wb.create_sheet("2024")
    ws2.append(SEIZURE_HEADERS)
    for r in S24:
        ws2.append(r)
    wb.create_sheet("Notes")  # an empty sheet
    wb.save(path)


MANIFEST = [
    ["AWB number", "Date", "Shipper", "Shipper country", "Consignee", "Consignee country", "Notify party",
     "Origin", "Transit", "Destination", "Declared goods", "Gross weight (kg)", "Flight"],
    ["176-12345675", "14/01/2023", "Kamau Handicrafts Ltd", "Kenya", "Hưng Thịnh Trading Co., Ltd", "Viet Nam",
     "Saigon Logistics JSC", "NBO", "DXB", "SGN", "Wooden handicrafts", "420", "EK722"],
    ["176-12345686", "02/02/2023", "Kamau Handicraft Limited", "Kenya", "Hung Thinh Trading Company Limited", "Vietnam",
     "", "NBO", "DXB; BKK", "HAN", "Dried fish maw", "615.5", "EK722"],
    ["618-55550001", "19/03/2023", "Mbala Export Sarl", "Cameroon", "Guangzhou Jinhai Import & Export Co", "China",
     "", "DLA", "ADD", "CAN", "Cashew nuts", "1,250", "ET905"],
    ["618-55550012", "04/04/2023", "Okafor Global Enterprises", "Nigeria", "Perniagaan Lim Sdn Bhd", "Malaysia",
     "Lim Chee Keong", "LOS", "DOH", "KUL", "Beauty products – creams", "310", "QR1402"],
    ["176-12345690", "11/05/2023", "Kamau Handicrafts Ltd.", "Kenya", "Hưng Thịnh Trading Co Ltd", "Viet Nam",
     "", "MBA", "DXB", "SGN", "Avocado seeds", "980", "EK724"],
    ["618-55550023", "28/06/2023", "Abidjan Bois Précieux SA", "Côte d'Ivoire", "Perniagaan Lim Sdn. Bhd.", "MY",
     "", "ABJ", "CDG / AMS", "KUL", "Sawn timber samples", "75", "AF703"],
    ["176-12345701", "15/07/2023", "Mwangi & Sons Curios", "Kenya", "Xiamen Longtai Trading Co., Ltd.", "CN",
     "", "NBO", "", "XMN", "Soapstone carvings", "220", "KQ886"],
    ["157-30011224", "02/08/2023", "Dar Fresh Exporters Ltd", "Tanzania", "Hung Thinh Trading Co", "VN",
     "Saigon Logistics J.S.C.", "DAR", "DOH", "SGN", "Frozen fish", "1500", "QR1350"],
]


def manifest(path: Path) -> None:
    buf = io.StringIO()
    csv.writer(buf).writerows(MANIFEST)
    path.write_bytes(buf.getvalue().replace("Hưng Thịnh", "Hung Thinh").replace("Thịnh", "Thinh")
                     .encode("cp1252"))


CITES_HEADERS = ["Id", "Year", "Appendix", "Taxon", "Class", "Order", "Family", "Genus", "Term", "Quantity", "Unit",
                 "Importer", "Exporter", "Origin", "Purpose", "Source", "Reporter.type", "Import.permit.RandomID",
                 "Export.permit.RandomID", "Origin.permit.RandomID"]
CITES = [
    ["9000001", "2019", "I", "Loxodonta africana", "Mammalia", "Proboscidea", "Elephantidae", "Loxodonta", "ivory carvings", "2", "", "US", "ZA", "", "P", "O", "I", "a1b2c3d4e5", "f6a7b8c9d0", ""],
    ["9000002", "2019", "II", "Psittacus erithacus", "Aves", "Psittaciformes", "Psittacidae", "Psittacus", "live", "40", "", "AE", "CM", "CM", "T", "W", "E", "", "0a1b2c3d4e", ""],
    ["9000003", "2020", "I", "Smutsia gigantea", "Mammalia", "Pholidota", "Manidae", "Smutsia", "scales", "12.5", "kg", "CN", "NG", "CM", "S", "I", "I", "1234abcd99", "", "5555eeee11"],
    ["9000004", "2020", "II", "Dalbergia cochinchinensis", "", "Fabales", "Leguminosae", "Dalbergia", "timber", "3.2", "m3", "CN", "VN", "LA", "T", "W", "E", "", "77aa88bb99", "99cc00dd11"],
    ["9000005", "2021", "II", "Crocodylus niloticus", "Reptilia", "Crocodylia", "Crocodylidae", "Crocodylus", "skins", "150", "", "SG", "KE", "KE", "T", "C", "E", "", "abcdef0123", ""],
    ["9000006", "2021", "I", "Diceros bicornis", "Mammalia", "Perissodactyla", "Rhinocerotidae", "Diceros", "trophies", "1", "", "US", "NA", "NA", "H", "W", "I", "fedcba3210", "0123fedcba", ""],
    ["9000007", "2022", "II", "Panthera leo", "Mammalia", "Carnivora", "Felidae", "Panthera", "bones", "60", "kg", "VN", "ZA", "ZA", "T", "C", "E", "", "1111aaaa22", ""],
    ["9000008", "2022", "II", "Pterocarpus erinaceus", "", "Fabales", "Leguminosae", "Pterocarpus", "logs", "25000", "kg", "CN", "NG", "NG", "T", "W", "E", "", "2222bbbb33", ""],
    ["9000009", "2023", "II", "Psittacus erithacus", "Aves", "Psittaciformes", "Psittacidae", "Psittacus", "live", "12", "", "MY", "CD", "CD", "Z", "C", "I", "3333cccc44", "", ""],
    ["9000010", "2023", "I", "Loxodonta africana", "Mammalia", "Proboscidea", "Elephantidae", "Loxodonta", "tusks", "4", "", "CN", "TZ", "TZ", "S", "I", "E", "", "4444dddd55", ""],
]

COMP_HEADERS = ["Year", "App.", "Taxon", "Class", "Order", "Family", "Genus", "Importer", "Exporter", "Origin",
                "Importer reported quantity", "Exporter reported quantity", "Term", "Unit", "Purpose", "Source"]
COMP = [
    ["2019", "I", "Loxodonta africana", "Mammalia", "Proboscidea", "Elephantidae", "Loxodonta", "US", "ZA", "", "2", "", "ivory carvings", "", "P", "O"],
    ["2019", "II", "Psittacus erithacus", "Aves", "Psittaciformes", "Psittacidae", "Psittacus", "AE", "CM", "CM", "", "40", "live", "", "T", "W"],
    ["2020", "II", "Crocodylus niloticus", "Reptilia", "Crocodylia", "Crocodylidae", "Crocodylus", "SG", "KE", "", "140", "150", "skins", "", "T", "C"],
    ["2021", "II", "Dalbergia cochinchinensis", "", "Fabales", "Leguminosae", "Dalbergia", "CN", "VN", "LA", "3.1", "3.2", "timber", "m3", "T", "W"],
    ["2022", "II", "Panthera leo", "Mammalia", "Carnivora", "Felidae", "Panthera", "VN", "ZA", "ZA", "", "60", "bones", "kg", "T", "C"],
    ["2022", "II", "Pterocarpus erinaceus", "", "Fabales", "Leguminosae", "Pterocarpus", "CN", "NG", "NG", "24800", "25000", "logs", "kg", "T", "W"],
    ["2023", "I", "Loxodonta africana", "Mammalia", "Proboscidea", "Elephantidae", "Loxodonta", "CN", "TZ", "TZ", "4", "", "tusks", "", "S", "I"],
]


def _csv(rows) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue()


CDR = [["Caller", "Callee", "Start time", "Duration", "Cell ID", "Location"]]
_calls = [("+254712345678", "+84912345678", "2023-01-10 08:02:11", "65", "KE-NBO-0142", "Nairobi CBD"),
          ("0712345678", "+84912345678", "2023-01-10 21:40:03", "312", "KE-NBO-0142", "Nairobi CBD"),
          ("+84912345678", "+254712345678", "2023-01-11 06:15:00", "0:45", "", ""),
          ("+254712345678", "+8613800138000", "2023-01-12 10:00:59", "1:02:05", "KE-MSA-0031", "Mombasa Kilindini"),
          ("+254754111222", "+254712345678", "2023-01-12 11:30:00", "20", "KE-NMG-0007", "Namanga"),
          ("0754 111 222", "+2348031234567", "2023-01-13 09:12:45", "140", "KE-NMG-0007", "Namanga"),
          ("+2348031234567", "+237677123456", "2023-01-13 22:01:00", "75", "", ""),
          ("+237677123456", "+84912345678", "2023-01-14 03:33:33", "601", "", ""),
          ("+60123456789", "+8613800138000", "2023-01-15 14:00:00", "33", "", ""),
          ("+254712345678", "+84912345678", "2023-01-16 08:02:11", "90", "KE-NBO-0142", "Nairobi CBD"),
          ("+254712345678", "+60123456789", "2023-01-17 19:45:10", "12", "KE-NBO-0142", "Nairobi CBD"),
          ("+84983222111", "+84912345678", "2023-01-18 07:07:07", "44", "", "")]
CDR += [list(c) for c in _calls]

ASSOC = [["person_a", "person_b", "relation", "date", "source"],
         ["Joseph Mwangi Kamau", "Nguyen Van Hung", "business partner", "2023-01-20", "KWS-INT-0043"],
         ["Nguyễn Văn Hùng", "Tran Thi Mai", "spouse", "2022-11-02", "VN-ENV-7781"],
         ["Li Wei", "Nguyen Van Hung", "buyer", "2023-02-11", "KWS-INT-0043"],
         ["Emeka Okafor", "Jean-Pierre Mbala", "supplier", "2023-03-01", "NESREA-NG-221"],
         ["Okafor Emeka", "Adebayo Ogunleye", "cousin", "", "NESREA-NG-221"],
         ["Hassan Juma Ali", "Joseph Mwangi", "driver for", "2023-05-12", "TPA-CID-90"],
         ["Ahmad bin Ismail", "Lim Chee Keong", "co-director", "2023-08-20", "PERHILITAN-55"],
         ["Lim Chee Keong", "Li Wei", "buyer", "2024-01-04", "PERHILITAN-55"],
         ["Mohamed Abdi Farah", "Hassan J. Ali", "transporter", "2023-04-06", "KWS-INT-0051"],
         ["<script>alert(1)</script>", "Li Wei", "unknown", "2023-09-10", "KWS-INT-0060"]]


REPORT_MD = """# Intelligence report

Reference: KWS-IR-2023-0142
Subject: Ivory consignments through JKIA to Hanoi
Date: 2023-04-18
Grading: Admiralty B2
Handling: TLP:AMBER
Source type: informant

## Narrative

Source reports that Joseph Mwangi Kamau (passport AK1234567) is arranging a further consignment of worked
ivory (Loxodonta africana) for Nguyen Van Hung, who uses +84 912 345 678 and hung.nv@example.com.
The consignment is expected to leave by road in vehicle KCB 123A before transfer at Jomo Kenyatta airport.
Contact for the Nairobi side is +254 712 345 678.
"""


def main() -> None:
    seizure_register(HERE / "seizure_register.xlsx")
    manifest(HERE / "manifest_awb.csv")
    (HERE / "cites_shipments.csv").write_text(_csv([CITES_HEADERS, *CITES]), encoding="utf-8")
    (HERE / "cites_comparative.csv").write_text(_csv([COMP_HEADERS, *COMP]), encoding="utf-8-sig")
    (HERE / "cdr.csv").write_text(_csv(CDR), encoding="utf-16")
    (HERE / "associations.csv").write_text(_csv(ASSOC), encoding="utf-8")
    (HERE / "intel_report.md").write_text(REPORT_MD, encoding="utf-8")


if __name__ == "__main__":
    main()
