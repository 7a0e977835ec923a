"""linkgraph: link analysis for wildlife-crime intelligence, on an embedded graph store or Neo4j."""
from __future__ import annotations

__version__ = "0.1.0"

from linkgraph.errors import LinkgraphError  # noqa: E402
from linkgraph.schema import load_schema  # noqa: E402
from linkgraph.store import open_store  # noqa: E402
from linkgraph.subgraph import Subgraph  # noqa: E402
from linkgraph.querylib import list_queries, query, to_subgraph  # noqa: E402

__all__ = ["LinkgraphError", "Subgraph", "list_queries", "load_schema", "open_store", "query", "to_subgraph",
           "__version__"]
