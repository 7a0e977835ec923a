// name: grade_brokers
// title: Brokers resting on weak intelligence
// description: Betweenness with every link against betweenness using only links graded at or above min_grade: brokers whose position rests only on weaker intelligence.
// param: link_types STRING[] default [] -- use only these link types (empty: all but exclude_links)
// param: exclude_links STRING[] default [INVOLVED,CONTAINED,ROUTED_VIA,LOCATED_IN,NATIONAL_OF,ISSUED_IN,MENTIONS,SAME_AS,SEIZED_BY] -- context links left out of the social graph (places, species, the seizing agency)
// param: types STRING[] default [] -- list only these entity types (empty: all)
// param: min_grade GRADE default B2 -- the threshold for the graded graph
// param: top INT64 default 20
// param: exact_max INT64 default 5000
// param: samples INT64 default 200
// returns: name, type, score_all, score_graded, drop, rank_all, rank_graded, weak_only, id
// engines: neo4j, embedded
// kind: analytic
// runner: grade_brokers
// The projection: the links the analytic runs on (the graph is taken as simple and undirected).
MATCH (a:Entity)-[r]->(b:Entity)
WHERE a <> b
  AND (size($link_types) = 0 OR type(r) IN $link_types)
  AND NOT type(r) IN $exclude_links
RETURN a.id AS source, b.id AS target, type(r) AS link_type, r.id AS link_id,
       r.reliability AS reliability, r.credibility AS credibility
