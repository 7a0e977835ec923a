// name: brokers
// title: Brokers: node betweenness
// description: Entities on the most shortest paths between others (betweenness centrality, normalised); exact up to exact_max nodes, sampled pivots above it (method column says which).
// param: link_types STRING[] default [] -- use only these link types (empty: all but exclude_links)
// param: exclude_links STRING[] default [INVOLVED,CONTAINED,ROUTED_VIA,LOCATED_IN,NATIONAL_OF,ISSUED_IN,MENTIONS,SAME_AS,SEIZED_BY] -- context links left out of the social graph (places, species, the seizing agency)
// param: types STRING[] default [] -- list only these entity types (empty: all)
// param: min_grade GRADE default '' -- use only links graded at or above this, e.g. B2
// param: top INT64 default 20 -- rows returned (0: all)
// param: exact_max INT64 default 5000 -- exact betweenness up to this many nodes, sampled above
// param: samples INT64 default 200 -- sampled pivots above exact_max
// param: graph_name STRING internal -- GDS catalog name (GDS path only)
// returns: name, type, score, rank, raw, method, id
// engines: neo4j, embedded
// kind: analytic
// runner: betweenness
// The projection: the links the analytic runs on (the graph is taken as simple and undirected), as integer lists
// in one record (node keys, link ends as positions in them): 500,000 links arrive in about a second, where one
// row per link with two id strings takes more than ten.
MATCH (a:Entity)-[r]->(b:Entity)
WHERE a <> b
  AND (size($link_types) = 0 OR type(r) IN $link_types)
  AND NOT type(r) IN $exclude_links
  AND ($min_grade.unset OR (r.reliability <= $min_grade.reliability AND r.credibility <= $min_grade.credibility))
WITH collect(id(a)) AS sources, collect(id(b)) AS targets
MATCH (n:Entity)
RETURN sources, targets, collect(id(n)) AS node_keys, collect(n.id) AS node_ids
