"""The demo's facts, read from linkgraph/data/demo.yaml: the cast, organisations, seizures, shipments, trade
records, calls, associations, lab matches and reports. Code draws only what is random (unrelated people,
shipments, calls) from the seeded generator."""

from __future__ import annotations

import copy
import functools
from dataclasses import dataclass
from pathlib import Path

import yaml

FACTS_FILE = Path(__file__).resolve().parent.parent / "data" / "demo.yaml"


@dataclass(frozen=True)
class Person:
    id: str
    name: str  # canonical spelling
    role: str
    nationality: str  # ISO alpha-2
    birth_date: str
    phones: tuple[str, ...] = ()  # E.164
    passport: str | None = None
    city: str | None = None
    network: bool = True


@functools.lru_cache(maxsize=1)
def _load() -> dict:
    return yaml.safe_load(FACTS_FILE.read_text(encoding="utf-8"))


def load_facts() -> dict:
    """A fresh copy of the facts (a generator may sort or extend its lists)."""
    return copy.deepcopy(_load())


def person(entry: dict, network: bool) -> Person:
    return Person(
        entry["id"],
        entry["name"],
        entry["role"],
        entry["nationality"],
        entry["birth_date"],
        tuple(entry.get("phones", ())),
        entry.get("passport"),
        entry.get("city"),
        network,
    )


def cast(facts: dict) -> list[Person]:
    """The network, the namesakes and the hostile values, in that order."""
    return [
        *(person(p, True) for p in facts["network"]),
        *(person(p, False) for p in facts["namesakes"]),
        *(person(p, False) for p in facts["hostile"]),
    ]


DEMO_NOTE: str = _load()["note"]
BROKERS: list[str] = list(_load()["brokers"])
