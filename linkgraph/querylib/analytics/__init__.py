"""Network analytics on a query's projection: betweenness (node and link), Gould-Fernandez brokerage,
communities, components, k-core, centralities, grade sensitivity, key players, CITES trade discrepancies and
linked seizures.

Each analytic query in queries/ is a projection (the links to analyse, with filters) plus one named function
(`// runner: NAME`) in one module per algorithm family, each naming its published reference:

    projection   the projection as a simple undirected igraph graph, resolved entities as one node; shared steps
    gds          the same projection in Neo4j Graph Data Science, where the server has it
    betweenness  betweenness, link_betweenness, grade_brokers       (Brandes 2001; Brandes & Pich 2007)
    brokerage    brokerage                                          (Gould & Fernandez 1989)
    communities  communities, components, kcore                     (Traag, Waltman & van Eck 2019; Seidman 1983)
    centrality   centrality                                         (Wasserman & Faust 1994; Brin & Page 1998)
    keyplayers   key_players                                        (Borgatti 2006)
    cites        cites_discrepancies                                (UNEP-WCMC's CITES Trade Database guide)
    seizures     linked_seizures                                    (Wasser et al. 2018)

The analytics name their path in the `method` column: `exact` or `exact (gds)`, `leiden` or `leiden (gds)`,
`sampled(k=200, seed=42)` for sampled betweenness.

Importing this package registers the runners: it imports each runner module below, explicitly, and each module's
`@runner` decorators (linkgraph.querylib.registry) register its names. Within the package the runner modules
import only from `gds` and `projection` (the third import-linter contract in pyproject.toml).
"""

from __future__ import annotations

# the runner modules, imported for their @runner registrations
from linkgraph.querylib.analytics import (  # noqa: F401
    betweenness,
    brokerage,
    centrality,
    cites,
    communities,
    keyplayers,
    seizures,
)
from linkgraph.querylib.analytics.betweenness import betweenness_scores, normalise_betweenness
from linkgraph.querylib.analytics.centrality import centralities
from linkgraph.querylib.analytics.communities import leiden, numbered
from linkgraph.querylib.analytics.gds import _gds_graph
from linkgraph.querylib.analytics.projection import SEED, Projection, _pairs

__all__ = [
    "SEED",
    "Projection",
    "_gds_graph",
    "_pairs",
    "betweenness_scores",
    "centralities",
    "leiden",
    "normalise_betweenness",
    "numbered",
]
