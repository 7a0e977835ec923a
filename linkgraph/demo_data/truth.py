"""What the demo's files hold, as the tests check it: Truth (truth.json) and the files written (DemoFiles)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path


@dataclass
class Truth:
    """Who every person mention really is.

    people:    id -> {name, role, nationality, birth_date, phones, passport, city, network}
    mentions:  one per person mention: {file, sheet, row, column, name, person}; tabular rows are spreadsheet row
               numbers (header = its own row); in reports `row` is the report reference and `column` 'persons'
    brokers:   ids of the true brokers
    namesakes: [{name, persons: [id, id], why}] — pairs that must NOT merge
    phones:    E.164 -> person id;  passports: number -> person id
    organizations: id -> {name, country, role, variants, mentions: [{file, row, column, name, org}]} (manifest)
    hostile:   the mentions whose text is hostile markup (stored as plain text, never run); their "persons"
               (X01, X02) are not people
    files:     file name -> the built-in spec that reads it
    cites_discrepancies: the gaps planted in cites_comparative.csv, as the cites_discrepancies query reports them
               (quantities after unit normalisation), with the network seizures of that taxon, year and either country
    cites_matching: comparative rows whose two sides agree, which must not be flagged
    forensic_chains: [{seizures: [case refs], links: [{seizures: [ref, ref], relation, likelihood_ratio}],
               strongest}] — seizures in different registers that the lab's DNA matches tie together
    """

    seed: int
    people: dict = field(default_factory=dict)
    mentions: list = field(default_factory=list)
    brokers: list = field(default_factory=list)
    namesakes: list = field(default_factory=list)
    phones: dict = field(default_factory=dict)
    passports: dict = field(default_factory=dict)
    organizations: dict = field(default_factory=dict)
    hostile: list = field(default_factory=list)
    files: dict = field(default_factory=dict)
    cites_discrepancies: list = field(default_factory=list)
    cites_matching: list = field(default_factory=list)
    forensic_chains: list = field(default_factory=list)

    def mentions_of(self, person_id: str) -> list[dict]:
        return [m for m in self.mentions if m["person"] == person_id]

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=1, sort_keys=True) + "\n"


@dataclass
class DemoFiles:
    out_dir: Path
    kenya_register: Path
    tanzania_register: Path
    nigeria_register: Path
    manifest: Path
    cites: Path
    cites_comparative: Path
    cdr: Path
    associations: Path
    lab_matches: Path
    reports: list[Path]
    truth_json: Path
    truth: Truth

    @property
    def importable(self) -> list[Path]:
        """Every file `linkgraph import` reads, in a sensible import order."""
        return [
            self.kenya_register,
            self.tanzania_register,
            self.nigeria_register,
            self.manifest,
            self.cites,
            self.cites_comparative,
            self.cdr,
            self.associations,
            self.lab_matches,
            *self.reports,
        ]

    @property
    def expected_specs(self) -> dict[str, str]:
        """file name -> the built-in spec chosen from its headers."""
        return dict(self.truth.files)
