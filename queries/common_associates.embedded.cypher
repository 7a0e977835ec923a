MATCH (p)-[r]-(x)
WHERE p.id IN $ids AND NOT x.id IN $ids
  AND (size($link_types) = 0 OR label(r) IN $link_types)
  AND (size($node_types) = 0 OR label(x) IN $node_types)
  AND ($min_grade.unset OR (r.reliability <= $min_grade.reliability AND r.credibility <= $min_grade.credibility))
WITH x, collect(DISTINCT p.id) AS linked, collect(DISTINCT label(r)) AS via
WHERE size(linked) >= CASE WHEN $min_shared > 0 THEN $min_shared ELSE size($ids) END
RETURN x.id AS id, label(x) AS type, x.caption AS caption, size(linked) AS shared,
       linked AS linked_ids, via AS link_types
ORDER BY shared DESC, caption, id
