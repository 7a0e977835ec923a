"""CITES trade discrepancies: the comparative tabulation (linkgraph.cites) with the graph's seizures, permits
and companies on each corridor.

References
----------
UNEP-WCMC. A guide to using the CITES Trade Database (the method linkgraph.cites follows).
"""

from __future__ import annotations

import pandas as pd

from linkgraph import cites
from linkgraph.errors import LinkgraphError
from linkgraph.querylib.registry import runner
from linkgraph.querylib.run import QueryResult


@runner(
    "cites_discrepancies",
    {"term", "exporter", "importer", "min_gap", "min_ratio", "top", "include_matching", "conversions"},
)
def cites_discrepancies(ctx):
    """Importer- versus exporter-reported quantities (linkgraph.cites), with the graph's seizures, permits and
    companies on the same species, corridor and year."""

    p = ctx.params
    if p["min_gap"] < 0 or p["min_ratio"] < 1:
        raise LinkgraphError(f"query {ctx.q.name}: min_gap must be at least 0 and min_ratio at least 1")
    if p["top"] < 0:
        raise LinkgraphError(f"query {ctx.q.name}: top must be 0 (all) or more, got {p['top']}")
    conv = cites.load_conversions(p["conversions"] or None)
    rows = ctx.run()
    if len(rows):
        # filtered before the comparison, so that the corridors are ranked among what is asked for
        for side in ("exporter", "importer"):
            if p[side]:
                rows = rows[rows[side].fillna("").str.upper() == p[side].strip().upper()]
        if p["term"]:
            term = conv.normalise(p["term"], None, None)[0]
            rows = rows[[conv.normalise(t, None, None)[0] == term for t in rows["term"]]]
    df = cites.compare(
        rows, conv, min_gap=p["min_gap"], min_ratio=p["min_ratio"], top=p["top"], include_matching=p["include_matching"]
    )
    cols = [*cites.COLUMNS, "seizures", "permits", "companies"]
    if not len(df):
        return QueryResult(pd.DataFrame(columns=cols))
    species = sorted(set(df["species_id"].dropna()))
    countries = sorted({c for c in [*df["exporter"], *df["importer"]] if c})
    years = sorted(set(df["year"]))
    hits = {
        "seizures": cites.match_seizures(
            ctx.helper("_cites_seizures", {"species_ids": species, "countries": countries}), df
        ),
        "permits": cites.match_permits(ctx.helper("_cites_permits", {"species_ids": species}), df, conv),
        "companies": cites.match_companies(ctx.helper("_cites_companies", {"years": years}), df),
    }
    node_ids = [n for ids in [*df["record_ids"], *df["node_ids"]] for n in ids]
    for col, per_row in hits.items():
        df[col] = [[caption for caption, _ in found] for found in per_row]
        node_ids += [i for found in per_row for _, i in found]
    return QueryResult(df[cols], node_ids=list(dict.fromkeys(node_ids)))
