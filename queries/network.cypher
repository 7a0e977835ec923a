// name: network
// title: Network around an entity (i2 Find Linked)
// description: Everything within `hops` links of an entity, expanded breadth-first, one hop per round trip;
// description: link types, entity types and a minimum grade limit what is followed.
// param: id STRING required -- the entity's id (find it with the `entity` query)
// param: hops INT64 default 2 -- links to follow outwards (1-6)
// param: link_types STRING[] default [] -- follow only these link types (empty: all)
// param: node_types STRING[] default [] -- reach only these entity types (empty: all)
// param: min_grade GRADE default '' -- follow only links graded at or above this, e.g. B2
// param: limit INT64 default 5000 -- stop expanding once this many entities are reached
// param: frontier STRING[] internal -- ids reached in the previous round
// returns: id, type, caption, hops, reliability, credibility, first_seen, last_seen
// engines: neo4j, embedded
// kind: subgraph
// runner: expand
UNWIND $frontier AS fid
MATCH (a:Entity {id: fid})-[r]-(b:Entity)
WHERE (size($link_types) = 0 OR type(r) IN $link_types)
  AND (size($node_types) = 0 OR any(l IN labels(b) WHERE l IN $node_types))
  AND ($min_grade.unset OR (r.reliability <= $min_grade.reliability AND r.credibility <= $min_grade.credibility))
RETURN r.id AS link_id, type(r) AS link_type, startNode(r).id AS source, endNode(r).id AS target,
       b.id AS neighbour, coalesce(r.time, r.date, r.first_seen) AS link_date
