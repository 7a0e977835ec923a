// name: connecting
// title: Connecting network among several entities (i2 Find Connecting Network)
// description: The union of all shortest paths between each pair of the given entities, up to max_hops links.
// param: ids STRING[] required -- two or more entity ids
// param: max_hops INT64 default 4 -- longest path considered (at most 12)
// param: link_types STRING[] default [] -- use only these link types (empty: all)
// param: min_grade GRADE default '' -- use only links graded at or above this, e.g. B2
// param: limit INT64 default 100 -- shortest paths kept per pair
// param: pair_a STRING internal
// param: pair_b STRING internal
// returns: id, type, caption, paths, pairs
// engines: neo4j, embedded
// kind: subgraph
// runner: connecting
MATCH (a:Entity {id: $pair_a}), (b:Entity {id: $pair_b})
MATCH p = allShortestPaths((a)-[*..12]-(b))
WHERE all(r IN relationships(p) WHERE (size($link_types) = 0 OR type(r) IN $link_types)
      AND ($min_grade.unset OR (r.reliability <= $min_grade.reliability AND r.credibility <= $min_grade.credibility)))
// a whole-path test (length) inside the WHERE above would make Neo4j fall back to an exhaustive search
WITH p WHERE length(p) <= $max_hops
RETURN [n IN nodes(p) | n.id] AS node_ids, [r IN relationships(p) | r.id] AS link_ids,
       [r IN relationships(p) | coalesce(r.time, r.date, r.first_seen)] AS link_dates, length(p) AS hops
LIMIT $limit
