"""Gould-Fernandez brokerage: the roles each node plays on the open two-paths through it, by the groups
(country or organisation) of the three nodes.

References
----------
Gould, R. V., & Fernandez, R. M. (1989). Structures of mediation: A formal approach to brokerage in transaction
networks. Sociological Methodology 19, 89-126.
"""

from __future__ import annotations

from collections import Counter

import pandas as pd

from linkgraph.errors import LinkgraphError
from linkgraph.querylib.analytics.projection import _edges, _label, _only_types, _ranked, _top
from linkgraph.querylib.registry import runner

ROLES = ["coordinator", "itinerant", "gatekeeper", "representative", "liaison"]


def gould_fernandez(succ: dict, groups: dict) -> dict[str, Counter]:
    """Brokerage roles of every node b on open two-paths a->b->c (a != c, no a->c link), all three grouped.

    coordinator: a, b, c in one group; itinerant (consultant): a, c in one group, b in another;
    representative: a and b together, c elsewhere; gatekeeper: b and c together, a elsewhere;
    liaison: three different groups.
    """
    pred: dict = {}
    for a, cs in succ.items():
        for c in cs:
            pred.setdefault(c, set()).add(a)
    out: dict[str, Counter] = {}
    for b, ins in pred.items():
        gb = groups.get(b)
        if gb is None:
            continue
        outs = succ.get(b, ())
        cnt = Counter()
        for a in ins:
            ga = groups.get(a)
            if ga is None or a == b:
                continue
            sa = succ.get(a, ())
            for c in outs:
                if c == a or c == b or c in sa:
                    continue
                gc = groups.get(c)
                if gc is None:
                    continue
                if ga == gb == gc:
                    cnt["coordinator"] += 1
                elif ga == gc:
                    cnt["itinerant"] += 1
                elif ga == gb:
                    cnt["representative"] += 1
                elif gb == gc:
                    cnt["gatekeeper"] += 1
                else:
                    cnt["liaison"] += 1
        if cnt:
            out[b] = cnt
    return out


def _groups(ctx, ids: list[str], kind: str) -> dict[str, str]:
    if kind not in ("country", "organisation", "organization"):
        raise LinkgraphError(f"query {ctx.q.name}: group must be country or organisation, got {kind!r}")
    parts = [ctx.helper("_groups", {"ids": ids[i : i + 5000]}) for i in range(0, len(ids), 5000)]
    out = {}
    for df in parts:
        for row in df.to_dict("records"):
            row = {k: (None if isinstance(v, float) and v != v else v) for k, v in row.items()}
            if kind == "country":
                locs = sorted(x for x in (row.get("locations") or []) if x)
                g = row.get("nationality") or row.get("country") or (locs[0] if locs else None)
            else:
                orgs = sorted(x for x in (row.get("organisations") or []) if x)
                g = row["id"] if str(row["id"]).startswith("Organization:") else (orgs[0] if orgs else None)
            if g:
                out[row["id"]] = str(g).upper() if kind == "country" else g
    return out


@runner("brokerage", {"group", "directed", "top", "types"})
def brokerage(ctx):
    p = ctx.params
    edges = _edges(ctx)
    succ: dict[str, set] = {}
    for s, t in zip(edges["source"], edges["target"]):
        if s == t:
            continue
        succ.setdefault(s, set()).add(t)
        if not p["directed"]:
            succ.setdefault(t, set()).add(s)
    ids = sorted(set(succ) | {c for cs in succ.values() for c in cs})
    groups = _groups(ctx, ids, p["group"]) if ids else {}
    roles = gould_fernandez(succ, groups)
    cols = ["name", "type", "group", "score", "rank", *ROLES, "id"]
    if not roles:
        return pd.DataFrame(columns=cols)
    df = pd.DataFrame([{"id": b, **{r: int(c.get(r, 0)) for r in ROLES}} for b, c in roles.items()])
    if not p["directed"]:
        # each undirected open two-path a-b-c was counted from both ends (a->b->c and c->b->a)
        for r in ROLES:
            df[r] = df[r] // 2 if r in ("coordinator", "itinerant", "liaison") else df[r]
        # representative and gatekeeper swap under reversal: one undirected path counts once in their sum
        both = df["representative"] + df["gatekeeper"]
        df["representative"] = both // 2
        df["gatekeeper"] = both // 2
    # undirected: representative and gatekeeper are one position seen from either end, so count it once
    df["score"] = df[ROLES].sum(axis=1) - (0 if p["directed"] else df["gatekeeper"])
    df["group"] = df["id"].map(groups)
    df = _only_types(ctx, _label(ctx, df))
    return _top(_ranked(df), p["top"])[cols]
