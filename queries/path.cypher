// name: path
// title: Shortest paths between two entities (i2 Find Path)
// description: Fewest-link paths from one entity to another, constrained by link types, minimum grade and a
// description: date window on the links; with time_ordered, link dates must not decrease along the path (checked
// description: client-side over the shortest candidates, then by a time-respecting search of the neighbourhood).
// param: from_id STRING required -- start entity id
// param: to_id STRING required -- end entity id
// param: link_types STRING[] default [] -- use only these link types (empty: all)
// param: min_grade GRADE default '' -- use only links graded at or above this, e.g. B2
// param: date_from DATE default '' -- links dated on or after this (undated links are then excluded)
// param: date_to DATE default '' -- links dated on or before this
// param: time_ordered BOOLEAN default false -- link dates must not decrease along the path
// param: max_hops INT64 default 6 -- longest path considered (at most 12)
// param: limit INT64 default 25 -- paths returned
// param: ball_id STRING internal -- one end, for a dialect searched from both ends by the runner
// param: ball_hops INT64 internal -- radius around ball_id
// returns: path, hops, node_ids, link_ids, link_dates
// engines: neo4j, embedded
// kind: path
// runner: path
// Neo4j searches from both ends. Every predicate in the WHERE is on single links, so it is applied during that
// search; a test on the whole path (length) stays in the WITH after it, or Neo4j falls back to an exhaustive search.
MATCH (a:Entity {id: $from_id}), (b:Entity {id: $to_id})
MATCH p = allShortestPaths((a)-[*..12]-(b))
WHERE all(r IN relationships(p) WHERE (size($link_types) = 0 OR type(r) IN $link_types)
      AND ($min_grade.unset OR (r.reliability <= $min_grade.reliability AND r.credibility <= $min_grade.credibility))
      AND ($date_from = '' OR coalesce(r.time, r.date, r.last_seen) >= left($date_from, size(coalesce(r.time, r.date, r.last_seen))))
      AND ($date_to = '' OR left(coalesce(r.time, r.date, r.first_seen), size($date_to)) <= $date_to))
WITH p WHERE length(p) <= $max_hops
RETURN [n IN nodes(p) | n.id] AS node_ids, [r IN relationships(p) | r.id] AS link_ids,
       [r IN relationships(p) | coalesce(r.time, r.date, r.first_seen)] AS link_dates, length(p) AS hops
LIMIT 1000
