// name: communities
// title: Communities (Leiden)
// description: Groups more densely linked inside than out: Leiden (modularity at the given resolution, fixed seed); Louvain with method=louvain. On Neo4j with Graph Data Science, gds.leiden (or gds.louvain, which takes resolution 1.0 only) runs in the database, else leidenalg or igraph on the projection; the method column says which (leiden, leiden (gds), louvain, louvain (gds)). Both find the same clear communities; on loosely knit graphs their partitions may differ slightly in modularity.
// param: link_types STRING[] default [] -- use only these link types (empty: all but exclude_links)
// param: exclude_links STRING[] default [INVOLVED,CONTAINED,ROUTED_VIA,LOCATED_IN,NATIONAL_OF,ISSUED_IN,MENTIONS,SAME_AS,SEIZED_BY] -- context links left out of the social graph (places, species, the seizing agency)
// param: types STRING[] default [] -- list only these entity types (empty: all)
// param: min_grade GRADE default '' -- use only links graded at or above this, e.g. B2
// param: method STRING default leiden -- leiden or louvain
// param: resolution DOUBLE default 1.0
// param: min_size INT64 default 2 -- communities smaller than this are left out
// param: graph_name STRING internal -- GDS catalog name (GDS path only)
// returns: id, name, type, community, size, method
// engines: neo4j, embedded
// kind: analytic
// runner: communities
// The projection: the links the analytic runs on (the graph is taken as simple and undirected).
MATCH (a:Entity)-[r]->(b:Entity)
WHERE a <> b
  AND (size($link_types) = 0 OR type(r) IN $link_types)
  AND NOT type(r) IN $exclude_links
  AND ($min_grade.unset OR (r.reliability <= $min_grade.reliability AND r.credibility <= $min_grade.credibility))
RETURN a.id AS source, b.id AS target, type(r) AS link_type, r.id AS link_id,
       r.reliability AS reliability, r.credibility AS credibility
