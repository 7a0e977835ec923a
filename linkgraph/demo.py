"""The demonstration investigation end to end: generate the agencies' files, import, analyse, chart."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from linkgraph import demo_data
from linkgraph.store import Store

# What ties people together; places, nationalities and seizing agencies are context and would make hubs.
NETWORK_LINKS = [
    "HAS_PHONE",
    "HAS_ID",
    "HAS_EMAIL",
    "HAS_ADDRESS",
    "HAS_ACCOUNT",
    "USES_VEHICLE",
    "PARTY_TO",
    "CALLED",
    "ASSOCIATE_OF",
    "MEMBER_OF",
    "CONSIGNED",
    "SEIZED_FROM",
    "CARRIED_BY",
    "INVOLVED",
    "MENTIONS",
    "SAME_AS",
]


@dataclass
class DemoResult:
    files: demo_data.DemoFiles
    imported: pd.DataFrame
    summary: dict[str, pd.DataFrame]
    chart: Path | None
    counts: pd.DataFrame
    resolution: dict = field(default_factory=dict)


def run_demo(
    store: Store, out_dir: str | Path = "linkgraph-demo", *, seed: int = 7, progress: bool = False, top: int = 10
) -> DemoResult:
    """Generate the demo's source files into `out_dir`, import them, resolve people, analyse, write chart.html.

    Safe to run again: the files are the same for the same seed, so every import is recognised as done.
    """
    from linkgraph.importing import import_files
    from linkgraph.querylib import summary
    from linkgraph.render import write
    from linkgraph.selection import analyse, select

    out = Path(out_dir)
    files = demo_data.generate(out, seed=seed)
    report = import_files(store, files.importable, progress=progress)
    resolution = report.resolution or {}  # import_files resolved the store once, after the last file
    tables = summary(store, top=top)
    chart_path = out / "chart.html"
    brokers = tables.get("brokers")
    people = brokers[brokers["type"] == "Person"] if brokers is not None and len(brokers) else pd.DataFrame()
    if len(people):
        sub = select(
            store,
            around=people["id"].iloc[0],
            hops=2,
            params={"link_types": NETWORK_LINKS},
            title=f"Operation demo: network around {people['name'].iloc[0]}",
        )
    else:
        sub = select(store, title="Operation demo")
    analyse(store, sub, color_by="community", size_by="betweenness")
    write(sub, "html", chart_path, size_by="betweenness", color_by="community")
    counts = store.counts()
    return DemoResult(
        files=files,
        imported=report.counts(),
        summary=tables,
        chart=chart_path,
        counts=counts[counts["count"] > 0].reset_index(drop=True),
        resolution=resolution,
    )
