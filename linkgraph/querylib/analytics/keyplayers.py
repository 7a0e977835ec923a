"""Key-player sets over a query's projection; the measures and the search are linkgraph.keyplayer's.

References
----------
Borgatti, S. P. (2006). Identifying sets of key players in a social network. Computational and Mathematical
Organization Theory 12, 21-34.
"""

from __future__ import annotations

import pandas as pd

from linkgraph import grading
from linkgraph.errors import LinkgraphError
from linkgraph.keyplayer import MEASURES
from linkgraph.keyplayer import key_players as find_key_players
from linkgraph.querylib.analytics.projection import Projection, _edges, _entities, _label
from linkgraph.querylib.registry import runner
from linkgraph.querylib.runners import node_table


@runner("key_players", {"k", "measure", "network", "candidate_types", "candidate_min_grade", "exact_max"})
def key_players(ctx):
    """Borgatti's key-player sets (linkgraph.keyplayer) over the query's projection, one row per member in order."""

    p = ctx.params
    cols = ["step", "name", "id", "type", "score", "baseline", "measure", "method"]
    measure = p["measure"].lower()
    if measure not in MEASURES:
        raise LinkgraphError(f"query {ctx.q.name}: measure must be one of {', '.join(MEASURES)}, got {p['measure']!r}")
    if p["k"] < 1:
        raise LinkgraphError(f"query {ctx.q.name}: k must be at least 1, got {p['k']}")
    proj = Projection(_edges(ctx))
    g, ids = proj.graph, proj.ids
    if p["network"]:
        start = _entities(ctx).get(p["network"], p["network"])
        if start not in proj.index:
            raise LinkgraphError(f"query {ctx.q.name}: entity {p['network']!r} has no links in this projection")
        members = g.subcomponent(proj.index[start])
        g = g.induced_subgraph(sorted(members))
        ids = [ids[v] for v in sorted(members)]
    if not g.vcount():
        return pd.DataFrame(columns=cols)
    info = node_table(ctx, ids)
    kinds = dict(zip(info["id"], info["type"]))
    grades = {i: (r, c) for i, r, c in zip(info["id"], info["reliability"], info["credibility"])}
    types, grade = p["candidate_types"], ctx.raw.get("candidate_min_grade") or ""
    cand = [
        v
        for v, i in enumerate(ids)
        if (not types or kinds.get(i) in types)
        and (not grade or grading.meets(*grades.get(i, (None, None)), grading.parse(grade)))
    ]
    try:
        sequence, baseline, method = find_key_players(g, p["k"], measure, cand, p["exact_max"])
    except ValueError as e:
        raise LinkgraphError(f"query {ctx.q.name}: {e}") from None
    df = pd.DataFrame(
        {
            "step": range(1, len(sequence) + 1),
            "id": [ids[v] for v, _ in sequence],
            "score": [round(s, 6) for _, s in sequence],
        }
    )
    df = _label(ctx, df)
    df["baseline"] = round(baseline, 6)
    df["measure"] = measure
    df["method"] = method
    return df[cols]
