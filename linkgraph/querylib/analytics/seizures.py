"""Linked seizures: chains of seizures (connected components) joined by forensic matches and shared parties,
phones, vehicles and consignees.

References
----------
Wasser, S. K., et al. (2018). Combating transnational organized crime by linking multiple large ivory seizures to
the same dealer. Science Advances 4(9), eaat0625.
"""

from __future__ import annotations

import igraph as ig
import pandas as pd

from linkgraph.errors import LinkgraphError
from linkgraph.querylib.analytics.projection import _entities
from linkgraph.querylib.registry import runner
from linkgraph.querylib.runners import node_table

EVIDENCE = ("forensic", "party", "phone", "vehicle", "consignee")
# strongest first: one animal in two seizures ties them tighter than kin does (Wasser et al. 2018)
RELATION_ORDER = ("same_individual", "parent_offspring", "full_sibling", "half_sibling", "sibling", "related")


@runner("linked_seizures", {"seizure", "evidence"})
def linked_seizures(ctx):
    """Chains of seizures (connected components) joined by forensic matches and shared parties, phones, vehicles
    and consignees; one row per pair of seizures and piece of evidence."""
    p = ctx.params
    cols = ctx.q.returns
    kinds = [k.lower() for k in p["evidence"]]
    bad = [k for k in kinds if k not in EVIDENCE]
    if bad:
        raise LinkgraphError(f"query {ctx.q.name}: evidence must be among {', '.join(EVIDENCE)}, got {', '.join(bad)}")
    rows = ctx.run()
    if kinds and len(rows):
        rows = rows[rows["evidence"].isin(kinds)]
    pairs = []
    for r in rows[rows["other"].fillna("") != ""].itertuples(index=False):
        lr = r.likelihood_ratio if r.likelihood_ratio == r.likelihood_ratio else None
        pairs.append((r.seizure, r.other, "forensic", r.via_id, r.via, r.relation, lr))
    shared = rows[rows["other"].fillna("") == ""].copy()
    if len(shared):
        # records of one resolved person count as one: two registers naming the same dealer link their seizures
        m = _entities(ctx)
        shared["via_id"] = shared["via_id"].map(lambda x: m.get(x, x))
        shared = shared.drop_duplicates(["seizure", "evidence", "via_id"])
        for (kind, via), grp in shared.groupby(["evidence", "via_id"], sort=True):
            seizures = sorted(set(grp["seizure"]))
            for i, a in enumerate(seizures):
                for b in seizures[i + 1 :]:
                    pairs.append((a, b, kind, via, "", None, None))
    if not pairs:
        return pd.DataFrame(columns=cols)
    df = pd.DataFrame(pairs, columns=["seizure_a", "seizure_b", "evidence", "via_id", "via", "relation", "lr"])
    # one row per pair and piece of evidence, whichever way round the lab or the registers listed them
    swap = df["seizure_a"] > df["seizure_b"]
    df.loc[swap, ["seizure_a", "seizure_b"]] = df.loc[swap, ["seizure_b", "seizure_a"]].to_numpy()
    df = df.drop_duplicates(["seizure_a", "seizure_b", "evidence", "via_id"]).reset_index(drop=True)

    ids = sorted(set(df["seizure_a"]) | set(df["seizure_b"]))
    index = {v: i for i, v in enumerate(ids)}
    g = ig.Graph(n=len(ids), edges=[(index[a], index[b]) for a, b in zip(df["seizure_a"], df["seizure_b"])])
    info = node_table(ctx, ids + sorted(set(df["via_id"][df["evidence"] != "forensic"])))
    caption = dict(zip(info["id"], info["caption"]))
    ref = {i: caption.get(i) or i for i in ids}
    comps = [sorted((ids[v] for v in c), key=lambda i: ref[i]) for c in g.connected_components()]
    comps.sort(key=lambda c: (-len(c), ref[c[0]]))
    chain_of = {i: n for n, c in enumerate(comps, 1) for i in c}
    if p["seizure"]:
        want = [i for i in ids if p["seizure"] in (i, ref[i])]
        if not want:
            return pd.DataFrame(columns=cols)
        df = df[df["seizure_a"].map(chain_of) == chain_of[want[0]]].reset_index(drop=True)

    df["chain"] = df["seizure_a"].map(chain_of)
    rank = {r: i for i, r in enumerate(RELATION_ORDER)}
    out = []
    for n, grp in df.groupby("chain", sort=True):
        members = comps[n - 1]
        forensic = grp[grp["evidence"] == "forensic"]
        rels = sorted(set(forensic["relation"].dropna()), key=lambda r: rank.get(r, len(rank)))
        lrs = forensic["lr"].dropna()
        grp = grp.assign(
            chain_size=len(members),
            chain_seizures=[[ref[i] for i in members]] * len(grp),
            chain_relation=rels[0] if rels else None,
            chain_max_lr=float(lrs.max()) if len(lrs) else None,
        )
        out.append(grp)
    df = pd.concat(out, ignore_index=True)
    df["reference_a"] = df["seizure_a"].map(ref)
    df["reference_b"] = df["seizure_b"].map(ref)
    df["via"] = [
        v if e == "forensic" else caption.get(i) or i for v, e, i in zip(df["via"], df["evidence"], df["via_id"])
    ]
    df["likelihood_ratio"] = df["lr"]
    df["_e"] = df["evidence"].map({k: i for i, k in enumerate(EVIDENCE)})
    df = df.sort_values(["chain", "reference_a", "reference_b", "_e", "via"]).reset_index(drop=True)
    return df[cols]
