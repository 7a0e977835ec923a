"""Communities (Leiden, Louvain), connected components and k-cores, numbered alike on both paths.

References
----------
Traag, V. A., Waltman, L., & van Eck, N. J. (2019). From Louvain to Leiden: guaranteeing well-connected
communities. Scientific Reports 9, 5233.
Blondel, V. D., Guillaume, J.-L., Lambiotte, R., & Lefebvre, E. (2008). Fast unfolding of communities in large
networks. Journal of Statistical Mechanics: Theory and Experiment, P10008.
Reichardt, J., & Bornholdt, S. (2006). Statistical mechanics of community detection. Physical Review E 74, 016110
(the resolution parameter of leidenalg's RBConfigurationVertexPartition).
Seidman, S. B. (1983). Network structure and minimum degree. Social Networks 5(3), 269-287 (k-cores).
"""

from __future__ import annotations

from collections import Counter

import igraph as ig
import pandas as pd

from linkgraph.errors import LinkgraphError
from linkgraph.querylib.analytics.gds import _gds_run, _use_gds
from linkgraph.querylib.analytics.projection import SEED, Projection, _edges, _label, _only_types
from linkgraph.querylib.registry import runner


def numbered(membership, ids) -> tuple[list[int], list[int]]:
    """Community numbers by size (0 = largest, ties by lowest member id), and each member's community size.
    Ties go by id, not by vertex order, so that both paths (and both engines) number alike."""
    sizes = Counter(membership)
    low: dict = {}
    for m, i in zip(membership, ids):
        low[m] = min(low.get(m, i), i)
    order = sorted(sizes, key=lambda m: (-sizes[m], low[m]))
    renum = {m: k for k, m in enumerate(order)}
    return [renum[m] for m in membership], [sizes[m] for m in membership]


def leiden(g: ig.Graph, resolution: float = 1.0, seed: int = SEED) -> list[int]:
    import leidenalg

    if g.ecount() == 0:
        return list(range(g.vcount()))
    part = leidenalg.find_partition(
        g, leidenalg.RBConfigurationVertexPartition, resolution_parameter=resolution, seed=seed
    )
    return list(part.membership)


def _gds_communities(ctx, method: str, resolution: float):
    """(ids, membership) from gds.leiden / gds.louvain, or None where GDS cannot run it as asked."""
    if not _use_gds(ctx):
        return None
    if method == "leiden":
        # one thread: GDS Leiden is reproducible for a seed only then
        algo = ("leiden", {"gamma": float(resolution), "randomSeed": SEED, "concurrency": 1})
    elif resolution == 1.0:  # gds.louvain has no resolution parameter in GDS 2.x
        algo = ("louvain", {"concurrency": 1})
    else:
        return None
    frame, _ = _gds_run(ctx, {"community": algo})
    return frame.index.tolist(), frame["community"].tolist()


@runner("communities", {"method", "resolution", "min_size", "types"})
def communities(ctx):
    p = ctx.params
    method = p["method"].lower()
    if method not in ("leiden", "louvain"):
        raise LinkgraphError(f"query {ctx.q.name}: method must be leiden or louvain, got {p['method']!r}")
    via_gds = _gds_communities(ctx, method, p["resolution"])
    if via_gds is not None:
        ids, membership = via_gds
        label = f"{method} (gds)"
    else:
        proj = Projection(_edges(ctx))
        ids, label = proj.ids, method
        if method == "leiden":
            membership = leiden(proj.graph, p["resolution"])
        else:
            membership = proj.graph.community_multilevel(resolution=p["resolution"]).membership if proj.n else []
    comm, size = numbered(membership, ids)
    df = pd.DataFrame({"id": ids, "community": comm, "size": size})
    df = df[df["size"] >= p["min_size"]].reset_index(drop=True)
    df = _only_types(ctx, _label(ctx, df))
    df = df.sort_values(["community", "name", "id"], kind="stable").reset_index(drop=True)
    df["method"] = label
    return df[["id", "name", "type", "community", "size", "method"]]


def _per_node(ctx, gds_algo: tuple[str, dict], client) -> tuple[list, list, str]:
    """(ids, values, method) of one per-node measure: from GDS when it can run, else client(graph) in igraph."""
    if _use_gds(ctx):
        frame, _ = _gds_run(ctx, {"value": gds_algo})
        return frame.index.tolist(), frame["value"].tolist(), "exact (gds)"
    proj = Projection(_edges(ctx))
    return proj.ids, (client(proj.graph) if proj.n else []), "exact"


@runner("components", {"min_size", "types"})
def components(ctx):
    ids, membership, method = _per_node(ctx, ("wcc", {}), lambda g: g.connected_components().membership)
    comm, size = numbered(membership, ids)
    df = pd.DataFrame({"id": ids, "component": comm, "size": size})
    df = df[df["size"] >= ctx.params["min_size"]].reset_index(drop=True)
    df = _only_types(ctx, _label(ctx, df))
    df = df.sort_values(["component", "name", "id"], kind="stable").reset_index(drop=True)
    df["method"] = method
    return df[["id", "name", "type", "component", "size", "method"]]


@runner("kcore", {"min_core", "types"})
def kcore(ctx):
    ids, core, method = _per_node(ctx, ("kcore", {}), lambda g: g.coreness())
    df = pd.DataFrame({"id": ids, "core": pd.Series(core, dtype="int64")})
    df = df[df["core"] >= ctx.params["min_core"]].reset_index(drop=True)
    df = _only_types(ctx, _label(ctx, df))
    df = df.sort_values(["core", "name", "id"], ascending=[False, True, True], kind="stable").reset_index(drop=True)
    df["method"] = method
    return df[["id", "name", "type", "core", "method"]]
