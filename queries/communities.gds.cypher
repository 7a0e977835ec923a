// Neo4j with Graph Data Science: the same projection, loaded into the GDS catalog as a simple undirected
// graph (one relationship per linked pair, as the client-side path does) under $graph_name. A record that
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
// GDS numbers nodes in the order rows arrive, and seeded Leiden depends on that numbering: order by entity id,
// so that the same graph gives the same communities in any store
ORDER BY x.id, y.id
WITH gds.graph.project($graph_name, x, y, {}, {undirectedRelationshipTypes: ['*']}) AS g
RETURN g.graphName AS graph, g.nodeCount AS nodes, g.relationshipCount AS links
