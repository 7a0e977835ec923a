"""A seeded, fictional multi-source investigation for `linkgraph demo` and the tests.

    generate(out_dir, seed=7) -> DemoFiles      (files written into out_dir, plus truth.json)
    python -m linkgraph.demo_data OUT_DIR [--seed N]

The story: an ivory and pangolin-scale network. African suppliers and poachers' middlemen (Nigeria, Cameroon, DR
Congo, Uganda, Kenya, Tanzania, Mozambique) sell through two brokers, one in Lagos and one in Mombasa, to a buyer
in Hai Phong who ships on through Hanoi to China and Lao PDR. Goods move by air via Nairobi, Addis Ababa, Dubai
and Kuala Lumpur and by sea from Mombasa, Dar es Salaam and Lagos, shipped by front companies (Golden Dragon
Trading Co. Ltd and its Malaysian Sdn Bhd, a Cameroonian SARL) and a clearing-and-forwarding agent. Unrelated
people fill the registers, and two pairs of namesakes (two Nguyen Van Hung, two Joseph Mwangi) must not merge.

Every person, company, number and reference is invented. The same seed gives byte-identical files: no clock,
no unordered iteration, fixed zip timestamps and document properties in the .xlsx and .docx.

Each file is in a form a built-in import spec reads (importers/*.yaml), chosen from its headers:
    kws_seizures.xlsx          seizure-register   Kenya Wildlife Service, sheets 2023 and 2024
    tz_seizures.csv            seizure-register   Tanzania (cp1252, accented names)
    ncs_seizures.csv           seizure-register   Nigeria Customs (UTF-8 with BOM, day-first dates, 2 hostile rows)
    air_waybills.csv           shipment-manifest  air waybills and bills of lading
    cites_shipments.csv        cites-shipments    CITES shipment-level export (legal-trade context)
    cites_comparative.csv      cites-comparative  CITES comparative tabulation, with two planted discrepancies
    cdr_extract.csv            call-records       call detail records (UTF-16)
    associations.csv           associations       association log
    lab_matches.csv            lab-matches        a forensic laboratory's DNA matches between seizures
    intel_kws.md, intel_tz.txt, intel_nca.docx   intel-report (Admiralty B2, C3 / B3; UK 3x5x2)

truth.json (DemoFiles.truth) says who every person mention really is: see Truth.

The facts (the cast, organisations, seizures, trade lanes, associations, lab matches, report texts) are data, in
linkgraph/data/demo.yaml (`facts`); code draws only the random parts. `world` holds the seeded generator, the
people and the truth; one module a kind of file writes it (`registers`, `shipments`, `cites`, `calls`, `links`,
`reports`), with the value formats they share in `formats`; `generate` runs them in the order the seed depends on.
"""

from __future__ import annotations

from linkgraph.demo_data.facts import BROKERS, DEMO_NOTE, FACTS_FILE, Person
from linkgraph.demo_data.formats import FIXED_TIME
from linkgraph.demo_data.generate import generate, main
from linkgraph.demo_data.truth import DemoFiles, Truth

__all__ = ["BROKERS", "DEMO_NOTE", "FACTS_FILE", "FIXED_TIME", "DemoFiles", "Person", "Truth", "generate", "main"]
