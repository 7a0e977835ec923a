"""Links the agencies recorded between people and seizures: the association log, and a forensic laboratory's DNA
matches between seizures."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from linkgraph.demo_data.formats import csv_text
from linkgraph.demo_data.world import World

ASSOCIATION_HEADERS = ["person_a", "person_b", "relation", "date", "source", "grade"]
LAB_HEADERS = ["Sample A", "Sample A type", "Seizure A", "Sample B", "Sample B type", "Seizure B", "Relationship"]
LAB_HEADERS += ["LR", "Markers", "Lab", "Date"]


def associations(w: World, path: Path) -> None:
    """The network's logged associations, then two pairs of unrelated people of each nationality."""
    rng, f = w.rng, w.facts["associations"]
    rows = [tuple(r) for r in f["network"]]
    for nat in ("KE", "TZ", "NG", "CM", "CD", "UG"):
        for _ in range(2):
            a, b = rng.sample(w.unrelated[nat], 2)
            when = date(2023, 1, 1) + timedelta(days=rng.randrange(0, 640))
            relation = rng.choice(f["unrelated_relations"])
            source = f"{nat}-LOG-{rng.randrange(100, 999)}"
            rows.append((w.people[a].name, a, w.people[b].name, b, relation, when.isoformat(), source))
    out = [ASSOCIATION_HEADERS]
    for n, (na, a, nb, b, relation, when, source) in enumerate(rows, start=2):
        out.append([na, nb, relation, when, source, "C3" if "LOG" in source else "B2"])
        w.mention(path.name, None, n, "person_a", na, a)
        w.mention(path.name, None, n, "person_b", nb, b)
    path.write_text(csv_text(out), encoding="utf-8", newline="")


def lab_matches(w: World, path: Path) -> None:
    """The lab's match table, and the chain of seizures its matches across seizures tie together."""
    f = w.facts["lab_matches"]
    rows = [LAB_HEADERS]
    for m in f["matches"]:
        kind = f["sample_type"]
        rows.append([m["sample_a"], kind, m["seizure_a"], m["sample_b"], kind, m["seizure_b"], m["relationship"]])
        rows[-1] += [m["lr"], f["markers"], f["lab"], f["date"]]
    path.write_text(csv_text(rows), encoding="utf-8", newline="")
    links = [
        {
            "seizures": sorted((m["seizure_a"], m["seizure_b"])),
            "relation": m["relation"],
            "likelihood_ratio": m["likelihood_ratio"],
        }
        for m in f["matches"]
        if m["seizure_a"] != m["seizure_b"]
    ]
    seizures = sorted({s for m in f["matches"] for s in (m["seizure_a"], m["seizure_b"])})
    w.truth.forensic_chains = [{"seizures": seizures, "links": links, "strongest": f["strongest"]}]
