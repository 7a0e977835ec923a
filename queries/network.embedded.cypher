// LadybugDB: one round trip, as network.cypher. A recursive pattern's bound must be a literal: each branch serves one
// value of $hops, gated in the start's primary-key lookup (a WHERE on $hops would not stop the search). `* SHORTEST`
// from one start is a breadth-first search; its `(e, n | ...)` filter applies to links and inner nodes, the WHERE
// after the WITH to the last hop (written as a filter on the pattern, the planner scans the whole link table).
// Each branch costs ~10 ms even when it finds no start (a lookup in every table), so hops 5 and 6 share one: for 5
// it returns a hop too many, which the runner drops (it keeps links out of entities nearer than `hops` only).
MATCH (a {id: $id})
RETURN CAST(NULL AS STRING) AS link_id, CAST(NULL AS STRING) AS link_type, CAST(NULL AS STRING) AS source,
       CAST(NULL AS STRING) AS target, CAST(NULL AS STRING) AS link_date, a.id AS id, label(a) AS type,
       a.caption AS caption, a.reliability AS reliability, a.credibility AS credibility,
       a.first_seen AS first_seen, a.last_seen AS last_seen
UNION ALL
MATCH (x {id: CASE WHEN $hops >= 1 THEN $id ELSE '' END})-[r]-(y)
WITH r.id AS link_id, label(r) AS link_type, start_node(r).id AS source, end_node(r).id AS target,
     coalesce(r.time, r.date, r.first_seen) AS link_date, r.reliability AS lr, r.credibility AS lc, label(x) AS xt,
     y.id AS id, label(y) AS type, y.caption AS caption, y.reliability AS reliability, y.credibility AS credibility,
     y.first_seen AS first_seen, y.last_seen AS last_seen
WHERE (size($link_types) = 0 OR link_type IN $link_types)
  AND (size($node_types) = 0 OR (type IN $node_types))
  AND ($min_grade.unset OR (lr <= $min_grade.reliability AND lc <= $min_grade.credibility))
RETURN link_id, link_type, source, target, link_date, id, type, caption, reliability, credibility, first_seen, last_seen
UNION ALL
MATCH (a {id: CASE WHEN $hops = 2 THEN $id ELSE '' END})-[p* SHORTEST 1..1
      (e, n | WHERE (size($link_types) = 0 OR label(e) IN $link_types)
      AND (size($node_types) = 0 OR label(n) IN $node_types)
      AND ($min_grade.unset OR (e.reliability <= $min_grade.reliability AND e.credibility <= $min_grade.credibility)))]-(x)-[r]-(y)
WITH r.id AS link_id, label(r) AS link_type, start_node(r).id AS source, end_node(r).id AS target,
     coalesce(r.time, r.date, r.first_seen) AS link_date, r.reliability AS lr, r.credibility AS lc, label(x) AS xt,
     y.id AS id, label(y) AS type, y.caption AS caption, y.reliability AS reliability, y.credibility AS credibility,
     y.first_seen AS first_seen, y.last_seen AS last_seen
WHERE (size($link_types) = 0 OR link_type IN $link_types)
  AND (size($node_types) = 0 OR (type IN $node_types AND xt IN $node_types))
  AND ($min_grade.unset OR (lr <= $min_grade.reliability AND lc <= $min_grade.credibility))
RETURN link_id, link_type, source, target, link_date, id, type, caption, reliability, credibility, first_seen, last_seen
UNION ALL
MATCH (a {id: CASE WHEN $hops = 3 THEN $id ELSE '' END})-[p* SHORTEST 1..2
      (e, n | WHERE (size($link_types) = 0 OR label(e) IN $link_types)
      AND (size($node_types) = 0 OR label(n) IN $node_types)
      AND ($min_grade.unset OR (e.reliability <= $min_grade.reliability AND e.credibility <= $min_grade.credibility)))]-(x)-[r]-(y)
WITH r.id AS link_id, label(r) AS link_type, start_node(r).id AS source, end_node(r).id AS target,
     coalesce(r.time, r.date, r.first_seen) AS link_date, r.reliability AS lr, r.credibility AS lc, label(x) AS xt,
     y.id AS id, label(y) AS type, y.caption AS caption, y.reliability AS reliability, y.credibility AS credibility,
     y.first_seen AS first_seen, y.last_seen AS last_seen
WHERE (size($link_types) = 0 OR link_type IN $link_types)
  AND (size($node_types) = 0 OR (type IN $node_types AND xt IN $node_types))
  AND ($min_grade.unset OR (lr <= $min_grade.reliability AND lc <= $min_grade.credibility))
RETURN link_id, link_type, source, target, link_date, id, type, caption, reliability, credibility, first_seen, last_seen
UNION ALL
MATCH (a {id: CASE WHEN $hops = 4 THEN $id ELSE '' END})-[p* SHORTEST 1..3
      (e, n | WHERE (size($link_types) = 0 OR label(e) IN $link_types)
      AND (size($node_types) = 0 OR label(n) IN $node_types)
      AND ($min_grade.unset OR (e.reliability <= $min_grade.reliability AND e.credibility <= $min_grade.credibility)))]-(x)-[r]-(y)
WITH r.id AS link_id, label(r) AS link_type, start_node(r).id AS source, end_node(r).id AS target,
     coalesce(r.time, r.date, r.first_seen) AS link_date, r.reliability AS lr, r.credibility AS lc, label(x) AS xt,
     y.id AS id, label(y) AS type, y.caption AS caption, y.reliability AS reliability, y.credibility AS credibility,
     y.first_seen AS first_seen, y.last_seen AS last_seen
WHERE (size($link_types) = 0 OR link_type IN $link_types)
  AND (size($node_types) = 0 OR (type IN $node_types AND xt IN $node_types))
  AND ($min_grade.unset OR (lr <= $min_grade.reliability AND lc <= $min_grade.credibility))
RETURN link_id, link_type, source, target, link_date, id, type, caption, reliability, credibility, first_seen, last_seen
UNION ALL
MATCH (a {id: CASE WHEN $hops >= 5 THEN $id ELSE '' END})-[p* SHORTEST 1..5
      (e, n | WHERE (size($link_types) = 0 OR label(e) IN $link_types)
      AND (size($node_types) = 0 OR label(n) IN $node_types)
      AND ($min_grade.unset OR (e.reliability <= $min_grade.reliability AND e.credibility <= $min_grade.credibility)))]-(x)-[r]-(y)
WITH r.id AS link_id, label(r) AS link_type, start_node(r).id AS source, end_node(r).id AS target,
     coalesce(r.time, r.date, r.first_seen) AS link_date, r.reliability AS lr, r.credibility AS lc, label(x) AS xt,
     y.id AS id, label(y) AS type, y.caption AS caption, y.reliability AS reliability, y.credibility AS credibility,
     y.first_seen AS first_seen, y.last_seen AS last_seen
WHERE (size($link_types) = 0 OR link_type IN $link_types)
  AND (size($node_types) = 0 OR (type IN $node_types AND xt IN $node_types))
  AND ($min_grade.unset OR (lr <= $min_grade.reliability AND lc <= $min_grade.credibility))
RETURN link_id, link_type, source, target, link_date, id, type, caption, reliability, credibility, first_seen, last_seen
