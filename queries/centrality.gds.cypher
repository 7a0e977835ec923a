// Neo4j with Graph Data Science: the same projection, loaded into the GDS catalog as a simple undirected
// graph (one LINK relationship per linked pair, as the client-side path does) under $graph_name. A record that
// resolution merged into another counts as that entity's representative record, the target of its SAME_AS merge
// link (review links only propose a merge), as the client side collapses records with resolve.graph.entity_map.
MATCH (a:Entity)-[r]->(b:Entity)
WHERE a <> b
  AND (size($link_types) = 0 OR type(r) IN $link_types)
  AND NOT type(r) IN $exclude_links
  AND ($min_grade.unset OR (r.reliability <= $min_grade.reliability AND r.credibility <= $min_grade.credibility))
WITH DISTINCT a, b
OPTIONAL MATCH (a)-[sa:SAME_AS]->(ea:Entity) WHERE coalesce(sa.decision, '') <> 'review'
OPTIONAL MATCH (b)-[sb:SAME_AS]->(eb:Entity) WHERE coalesce(sb.decision, '') <> 'review'
WITH coalesce(ea, a) AS a, coalesce(eb, b) AS b
WHERE a <> b
WITH DISTINCT CASE WHEN a.id < b.id THEN a ELSE b END AS x, CASE WHEN a.id < b.id THEN b ELSE a END AS y
// Plus one SELF loop per node, read by eigenvector centrality only: power iteration on A + I has the eigenvectors
// of A but converges where on A it oscillates (any bipartite part, such as a person and their phones). Grouping
// the pairs by either end gives every node exactly one row to carry its loop.
UNWIND [[x, y], [y, x]] AS e
WITH e[0] AS x, collect(e[1]) AS ys
UNWIND [y IN ys WHERE x.id < y.id] + [x] AS y
WITH gds.graph.project($graph_name, x, y, {relationshipType: CASE WHEN x = y THEN 'SELF' ELSE 'LINK' END},
                       {undirectedRelationshipTypes: ['*']}) AS g
RETURN g.graphName AS graph, g.nodeCount AS nodes, g.relationshipCount AS links
