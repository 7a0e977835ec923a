// name: common_associates
// title: Common associates of two or more entities
// description: Entities linked directly to all (or at least min_shared) of the given entities.
// param: ids STRING[] required -- two or more entity ids (people, organisations, phones ...)
// param: min_shared INT64 default 0 -- linked to at least this many of them (0: all)
// param: link_types STRING[] default [] -- count only these link types (empty: all)
// param: node_types STRING[] default [] -- only associates of these types (empty: all)
// param: min_grade GRADE default '' -- count only links graded at or above this, e.g. B2
// returns: id, type, caption, shared, linked_ids, link_types
// engines: neo4j, embedded
// kind: table
MATCH (p:Entity)-[r]-(x:Entity)
WHERE p.id IN $ids AND NOT x.id IN $ids
  AND (size($link_types) = 0 OR type(r) IN $link_types)
  AND (size($node_types) = 0 OR any(l IN labels(x) WHERE l IN $node_types))
  AND ($min_grade.unset OR (r.reliability <= $min_grade.reliability AND r.credibility <= $min_grade.credibility))
WITH x, collect(DISTINCT p.id) AS linked, collect(DISTINCT type(r)) AS via
WHERE size(linked) >= CASE WHEN $min_shared > 0 THEN $min_shared ELSE size($ids) END
RETURN x.id AS id, [l IN labels(x) WHERE l <> 'Entity'][0] AS type, x.caption AS caption, size(linked) AS shared,
       linked AS linked_ids, via AS link_types
ORDER BY shared DESC, caption, id
