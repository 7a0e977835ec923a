// name: network
// title: Network around an entity (i2 Find Linked)
// description: Everything within `hops` links of an entity, breadth-first; link types, entity types and a minimum
// description: grade limit what is followed. One round trip: the links out of every entity nearer than `hops`, each
// description: with the far end's details (the first row is the entity itself); the runner numbers the hops.
// param: id STRING required -- the entity's id (find it with the `entity` query)
// param: hops INT64 default 2 -- links to follow outwards (0-6)
// param: link_types STRING[] default [] -- follow only these link types (empty: all)
// param: node_types STRING[] default [] -- reach only these entity types (empty: all)
// param: min_grade GRADE default '' -- follow only links graded at or above this, e.g. B2
// param: limit INT64 default 5000 -- keep at most this many entities, nearest first (ties by id)
// returns: id, type, caption, hops, reliability, credibility, first_seen, last_seen
// engines: neo4j, embedded
// kind: subgraph
// runner: expand
// A variable-length bound must be a literal, so each branch serves one value of $hops (the others find no start
// and cost nothing); DISTINCT over a bounded var-length pattern lets Neo4j prune it to a breadth-first search,
// which needs the entity-type test on each link's ends rather than on the path's nodes.
MATCH (a:Entity {id: $id})
RETURN null AS link_id, null AS link_type, null AS source, null AS target, null AS link_date, a.id AS id,
       [l IN labels(a) WHERE l <> 'Entity'][0] AS type, a.caption AS caption, a.reliability AS reliability,
       a.credibility AS credibility, a.first_seen AS first_seen, a.last_seen AS last_seen
UNION ALL
MATCH (x:Entity {id: $id})-[r]-(y:Entity)
WHERE $hops >= 1 AND (size($link_types) = 0 OR type(r) IN $link_types)
  AND (size($node_types) = 0 OR any(l IN labels(y) WHERE l IN $node_types))
  AND ($min_grade.unset OR (r.reliability <= $min_grade.reliability AND r.credibility <= $min_grade.credibility))
RETURN r.id AS link_id, type(r) AS link_type, startNode(r).id AS source, endNode(r).id AS target,
       coalesce(r.time, r.date, r.first_seen) AS link_date, y.id AS id, [l IN labels(y) WHERE l <> 'Entity'][0] AS type,
       y.caption AS caption, y.reliability AS reliability, y.credibility AS credibility,
       y.first_seen AS first_seen, y.last_seen AS last_seen
UNION ALL
MATCH (a:Entity {id: $id})-[q*1..1]-(x:Entity) WHERE $hops = 2
  AND all(e IN q WHERE (size($link_types) = 0 OR type(e) IN $link_types)
      AND ($min_grade.unset OR (e.reliability <= $min_grade.reliability AND e.credibility <= $min_grade.credibility))
      AND (size($node_types) = 0 OR ((startNode(e) = a OR any(l IN labels(startNode(e)) WHERE l IN $node_types))
           AND (endNode(e) = a OR any(l IN labels(endNode(e)) WHERE l IN $node_types)))))
WITH DISTINCT x
MATCH (x)-[r]-(y:Entity)
WHERE (size($link_types) = 0 OR type(r) IN $link_types)
  AND (size($node_types) = 0 OR any(l IN labels(y) WHERE l IN $node_types))
  AND ($min_grade.unset OR (r.reliability <= $min_grade.reliability AND r.credibility <= $min_grade.credibility))
RETURN r.id AS link_id, type(r) AS link_type, startNode(r).id AS source, endNode(r).id AS target,
       coalesce(r.time, r.date, r.first_seen) AS link_date, y.id AS id, [l IN labels(y) WHERE l <> 'Entity'][0] AS type,
       y.caption AS caption, y.reliability AS reliability, y.credibility AS credibility,
       y.first_seen AS first_seen, y.last_seen AS last_seen
UNION ALL
MATCH (a:Entity {id: $id})-[q*1..2]-(x:Entity) WHERE $hops = 3
  AND all(e IN q WHERE (size($link_types) = 0 OR type(e) IN $link_types)
      AND ($min_grade.unset OR (e.reliability <= $min_grade.reliability AND e.credibility <= $min_grade.credibility))
      AND (size($node_types) = 0 OR ((startNode(e) = a OR any(l IN labels(startNode(e)) WHERE l IN $node_types))
           AND (endNode(e) = a OR any(l IN labels(endNode(e)) WHERE l IN $node_types)))))
WITH DISTINCT x
MATCH (x)-[r]-(y:Entity)
WHERE (size($link_types) = 0 OR type(r) IN $link_types)
  AND (size($node_types) = 0 OR any(l IN labels(y) WHERE l IN $node_types))
  AND ($min_grade.unset OR (r.reliability <= $min_grade.reliability AND r.credibility <= $min_grade.credibility))
RETURN r.id AS link_id, type(r) AS link_type, startNode(r).id AS source, endNode(r).id AS target,
       coalesce(r.time, r.date, r.first_seen) AS link_date, y.id AS id, [l IN labels(y) WHERE l <> 'Entity'][0] AS type,
       y.caption AS caption, y.reliability AS reliability, y.credibility AS credibility,
       y.first_seen AS first_seen, y.last_seen AS last_seen
UNION ALL
MATCH (a:Entity {id: $id})-[q*1..3]-(x:Entity) WHERE $hops = 4
  AND all(e IN q WHERE (size($link_types) = 0 OR type(e) IN $link_types)
      AND ($min_grade.unset OR (e.reliability <= $min_grade.reliability AND e.credibility <= $min_grade.credibility))
      AND (size($node_types) = 0 OR ((startNode(e) = a OR any(l IN labels(startNode(e)) WHERE l IN $node_types))
           AND (endNode(e) = a OR any(l IN labels(endNode(e)) WHERE l IN $node_types)))))
WITH DISTINCT x
MATCH (x)-[r]-(y:Entity)
WHERE (size($link_types) = 0 OR type(r) IN $link_types)
  AND (size($node_types) = 0 OR any(l IN labels(y) WHERE l IN $node_types))
  AND ($min_grade.unset OR (r.reliability <= $min_grade.reliability AND r.credibility <= $min_grade.credibility))
RETURN r.id AS link_id, type(r) AS link_type, startNode(r).id AS source, endNode(r).id AS target,
       coalesce(r.time, r.date, r.first_seen) AS link_date, y.id AS id, [l IN labels(y) WHERE l <> 'Entity'][0] AS type,
       y.caption AS caption, y.reliability AS reliability, y.credibility AS credibility,
       y.first_seen AS first_seen, y.last_seen AS last_seen
UNION ALL
MATCH (a:Entity {id: $id})-[q*1..4]-(x:Entity) WHERE $hops = 5
  AND all(e IN q WHERE (size($link_types) = 0 OR type(e) IN $link_types)
      AND ($min_grade.unset OR (e.reliability <= $min_grade.reliability AND e.credibility <= $min_grade.credibility))
      AND (size($node_types) = 0 OR ((startNode(e) = a OR any(l IN labels(startNode(e)) WHERE l IN $node_types))
           AND (endNode(e) = a OR any(l IN labels(endNode(e)) WHERE l IN $node_types)))))
WITH DISTINCT x
MATCH (x)-[r]-(y:Entity)
WHERE (size($link_types) = 0 OR type(r) IN $link_types)
  AND (size($node_types) = 0 OR any(l IN labels(y) WHERE l IN $node_types))
  AND ($min_grade.unset OR (r.reliability <= $min_grade.reliability AND r.credibility <= $min_grade.credibility))
RETURN r.id AS link_id, type(r) AS link_type, startNode(r).id AS source, endNode(r).id AS target,
       coalesce(r.time, r.date, r.first_seen) AS link_date, y.id AS id, [l IN labels(y) WHERE l <> 'Entity'][0] AS type,
       y.caption AS caption, y.reliability AS reliability, y.credibility AS credibility,
       y.first_seen AS first_seen, y.last_seen AS last_seen
UNION ALL
MATCH (a:Entity {id: $id})-[q*1..5]-(x:Entity) WHERE $hops = 6
  AND all(e IN q WHERE (size($link_types) = 0 OR type(e) IN $link_types)
      AND ($min_grade.unset OR (e.reliability <= $min_grade.reliability AND e.credibility <= $min_grade.credibility))
      AND (size($node_types) = 0 OR ((startNode(e) = a OR any(l IN labels(startNode(e)) WHERE l IN $node_types))
           AND (endNode(e) = a OR any(l IN labels(endNode(e)) WHERE l IN $node_types)))))
WITH DISTINCT x
MATCH (x)-[r]-(y:Entity)
WHERE (size($link_types) = 0 OR type(r) IN $link_types)
  AND (size($node_types) = 0 OR any(l IN labels(y) WHERE l IN $node_types))
  AND ($min_grade.unset OR (r.reliability <= $min_grade.reliability AND r.credibility <= $min_grade.credibility))
RETURN r.id AS link_id, type(r) AS link_type, startNode(r).id AS source, endNode(r).id AS target,
       coalesce(r.time, r.date, r.first_seen) AS link_date, y.id AS id, [l IN labels(y) WHERE l <> 'Entity'][0] AS type,
       y.caption AS caption, y.reliability AS reliability, y.credibility AS credibility,
       y.first_seen AS first_seen, y.last_seen AS last_seen

