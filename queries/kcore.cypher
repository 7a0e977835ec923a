// name: kcore
// title: k-core
// description: The core number of each entity: the largest k such that it is in a subgraph where every entity has at least k links (method column: exact, or exact (gds) when Neo4j Graph Data Science ran it).
// param: link_types STRING[] default [] -- use only these link types (empty: all but exclude_links)
// param: exclude_links STRING[] default [INVOLVED,CONTAINED,ROUTED_VIA,LOCATED_IN,NATIONAL_OF,ISSUED_IN,MENTIONS,SAME_AS,SEIZED_BY] -- context links left out of the social graph (places, species, the seizing agency)
// param: types STRING[] default [] -- list only these entity types (empty: all)
// param: min_grade GRADE default '' -- use only links graded at or above this, e.g. B2
// param: min_core INT64 default 2 -- only entities with at least this core number
// param: graph_name STRING internal -- GDS catalog name (GDS path only)
// returns: id, name, type, core, method
// engines: neo4j, embedded
// kind: analytic
// runner: kcore
// The projection: the links the analytic runs on (the graph is taken as simple and undirected).
MATCH (a:Entity)-[r]->(b:Entity)
WHERE a <> b
  AND (size($link_types) = 0 OR type(r) IN $link_types)
  AND NOT type(r) IN $exclude_links
  AND ($min_grade.unset OR (r.reliability <= $min_grade.reliability AND r.credibility <= $min_grade.credibility))
RETURN a.id AS source, b.id AS target, type(r) AS link_type, r.id AS link_id,
       r.reliability AS reliability, r.credibility AS credibility
