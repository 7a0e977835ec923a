"""The demo's world while its files are written: the seeded generator, the people (the cast and the unrelated
people drawn at random), the truth being recorded, and what one file tells the next (seizure dates for the
calls, vessels and an air waybill for the reports, CITES records for the comparative tabulation)."""

from __future__ import annotations

import random
from datetime import date, timedelta

from linkgraph.demo_data import formats
from linkgraph.demo_data.facts import BROKERS, Person, cast, load_facts
from linkgraph.demo_data.truth import Truth


class World:
    def __init__(self, seed: int):
        self.facts = load_facts()
        self.rng = random.Random(seed)
        self.truth = Truth(seed=seed, brokers=list(BROKERS))
        self.people: dict[str, Person] = {p.id: p for p in cast(self.facts)}
        self.used_phones = {ph for p in self.people.values() for ph in p.phones}
        self.unrelated: dict[str, list[str]] = {}  # nationality -> ids
        self._make_unrelated()
        for p in self.people.values():
            self._record_person(p)
        self.truth.namesakes = self.facts["namesake_pairs"]
        self.truth.organizations = {
            oid: {"name": o["name"], "country": o["country"], "role": o["role"], "variants": o["variants"]}
            for oid, o in self.facts["organizations"].items()
        }
        self.seizure_dates: list[tuple[date, list[str]]] = []  # (date, person ids) of network seizures
        self.vessels: list[str] = []  # IMO numbers, written by the manifest
        self.report_awb = ""  # the air waybill the NCA report names
        self.cites_rows: list[dict] = []  # cites_shipments.csv, read by the comparative tabulation
        self.org_mentions: list[dict] = []

    def _record_person(self, p: Person) -> None:
        self.truth.people[p.id] = {
            "name": p.name,
            "role": p.role,
            "nationality": p.nationality,
            "birth_date": p.birth_date,
            "phones": list(p.phones),
            "passport": p.passport,
            "city": p.city,
            "network": p.network,
        }
        for ph in p.phones:
            self.truth.phones[ph] = p.id
        if p.passport:
            self.truth.passports[p.passport] = p.id

    def _make_unrelated(self) -> None:
        rng = self.rng
        spec = self.facts["unrelated_people"]
        taken = {p.name for p in self.people.values()}
        n = 0
        for nat, k in spec["counts"].items():
            pool = spec["pools"][nat]
            given, family, prefixes = pool["given"], pool["family"], pool["phone_prefixes"]
            self.unrelated[nat] = []
            for _ in range(k):
                while True:
                    name = rng.choice(given) if not family else f"{rng.choice(given)} {rng.choice(family)}"
                    if name not in taken:
                        break
                taken.add(name)
                n += 1
                pid = f"U{n:02d}"
                born = date(1960, 1, 1) + timedelta(days=rng.randrange(0, 365 * 40))
                phone = formats.phone(rng, rng.choice(prefixes), self.used_phones)
                passport = None
                if nat in ("VN", "CN") or rng.random() < 0.3:
                    letter = spec["passport_letters"][nat]
                    passport = letter + "".join(str(rng.randrange(10)) for _ in range(9 - len(letter)))
                self.people[pid] = Person(
                    pid, name, "unrelated", nat, born.isoformat(), (phone,), passport, None, False
                )
                self.unrelated[nat].append(pid)

    def pick_unrelated(self, nat: str, k: int = 1) -> list[str]:
        return self.rng.sample(self.unrelated[nat], k)

    def mention(self, file: str, sheet: str | None, row, column: str, name: str, pid: str) -> None:
        self.truth.mentions.append(
            {"file": file, "sheet": sheet, "row": row, "column": column, "name": name, "person": pid}
        )
        if pid.startswith("X"):
            self.truth.hostile.append({"file": file, "sheet": sheet, "row": row, "column": column, "name": name})

    def note_seizure(self, when: date, suspects: list) -> None:
        """A network seizure, for the bursts of calls before it."""
        self.seizure_dates.append((when, [s[0] for s in suspects]))

    def dob_written(self, pid: str, style: str):
        """A suspect's date of birth as a register writes it (day first), or None where it is left blank."""
        p = self.people[pid]
        if not p.birth_date or (not p.network and self.rng.random() < 0.4):
            return None
        y, m, d = p.birth_date.split("-")
        return f"{d}/{m}/{y}" if style in ("KE", "NG") else f"{d}.{m}.{y}"

    def unrelated_seizure(self, kind: dict) -> dict:
        """A seizure from unrelated people: place, quantity (scaled at random unless a float) and suspects."""
        rng = self.rng
        nats = kind["nationalities"]
        suspects = []
        for nat in nats[: rng.choice([1, len(nats)])]:
            pid = self.pick_unrelated(nat)[0]
            p = self.people[pid]
            phone = p.phones[0] if rng.random() < 0.7 else ""
            suspects.append((pid, p.name, nat, phone, p.passport or ""))
        qty = kind["quantity"]
        q = qty if isinstance(qty, float) else max(1, int(qty * rng.uniform(0.5, 1.6)))
        return {
            "place": rng.choice(kind["places"]),
            "species": kind["species"],
            "commodity": kind["commodity"],
            "quantity": q,
            "unit": kind["unit"],
            "transport": kind["transport"],
            "suspects": suspects,
        }
