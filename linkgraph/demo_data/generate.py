"""Writing the demo's files, in the order that keeps the seeded draws the same, and its command line."""

from __future__ import annotations

from pathlib import Path

from linkgraph.demo_data import calls, cites, links, registers, reports, shipments
from linkgraph.demo_data.truth import DemoFiles
from linkgraph.demo_data.world import World

# DemoFiles field -> (file name, the built-in spec that reads it), in the order the files are written; each
# writer draws from the one seeded generator, so this order is part of what the seed means
FILES = {
    "kenya_register": ("kws_seizures.xlsx", "seizure-register", registers.kenya),
    "tanzania_register": ("tz_seizures.csv", "seizure-register", registers.tanzania),
    "nigeria_register": ("ncs_seizures.csv", "seizure-register", registers.nigeria),
    "manifest": ("air_waybills.csv", "shipment-manifest", shipments.manifest),
    "cites": ("cites_shipments.csv", "cites-shipments", cites.shipments),
    "cites_comparative": ("cites_comparative.csv", "cites-comparative", cites.comparative),
    "cdr": ("cdr_extract.csv", "call-records", calls.cdr),
    "associations": ("associations.csv", "associations", links.associations),
    "lab_matches": ("lab_matches.csv", "lab-matches", links.lab_matches),
}
_DESCRIPTION = "A seeded, fictional multi-source investigation for `linkgraph demo` and the tests."
REPORTS = [("intel_kws.md", reports.markdown), ("intel_tz.txt", reports.text), ("intel_nca.docx", reports.word)]


def generate(out_dir: Path, seed: int = 7) -> DemoFiles:
    """Write the demo investigation's files into out_dir (created if needed); the same seed gives the same bytes."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    w = World(seed)
    paths = {k: out_dir / name for k, (name, _, _) in FILES.items()}
    for k, (_, _, write) in FILES.items():
        write(w, paths[k])
    report_paths = [out_dir / name for name, _ in REPORTS]
    for path, (_, write) in zip(report_paths, REPORTS):
        write(w, path)
    w.truth.files = {name: spec for name, spec, _ in FILES.values()} | {p.name: "intel-report" for p in report_paths}
    w.truth.organizations = {
        oid: {**o, "mentions": [m for m in w.org_mentions if m["org"] == oid]}
        for oid, o in w.truth.organizations.items()
    }
    truth_json = out_dir / "truth.json"
    truth_json.write_text(w.truth.to_json(), encoding="utf-8", newline="\n")
    return DemoFiles(out_dir=out_dir, reports=report_paths, truth_json=truth_json, truth=w.truth, **paths)


def main(argv: list[str] | None = None) -> int:
    import argparse

    ap = argparse.ArgumentParser(prog="python -m linkgraph.demo_data", description=_DESCRIPTION)
    ap.add_argument("out_dir", type=Path)
    ap.add_argument("--seed", type=int, default=7)
    a = ap.parse_args(argv)
    files = generate(a.out_dir, a.seed)
    t = files.truth
    print(f"wrote {len(files.importable)} source files and truth.json to {files.out_dir}")
    for p in files.importable:
        print(f"  {p.name:<22} {t.files[p.name]:<18} {p.stat().st_size:>8,} bytes")
    print(
        f"  {len(t.people)} people ({sum(1 for p in t.people.values() if p['network'])} in the network), "
        f"{len(t.mentions)} person mentions, brokers {', '.join(t.people[b]['name'] for b in t.brokers)}"
    )
    return 0
