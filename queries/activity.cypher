// name: activity
// title: Activity in a date window
// description: Entities and links whose date, or first_seen..last_seen span, overlaps the window
// description: (partial dates such as 2023-06 count as the whole month).
// param: date_from DATE default '' -- window start (empty: open)
// param: date_to DATE default '' -- window end (empty: open)
// param: types STRING[] default [] -- only these entity or link types (empty: all)
// param: limit INT64 default 10000
// returns: kind, id, type, caption, first, last
// engines: neo4j, embedded
// kind: table
MATCH (n:Entity)
WITH n, coalesce(n.date, n.first_seen) AS first, coalesce(n.date, n.last_seen) AS last
WHERE first IS NOT NULL
  AND ($date_from = '' OR last >= left($date_from, size(last)))
  AND ($date_to = '' OR left(first, size($date_to)) <= $date_to)
  AND (size($types) = 0 OR any(l IN labels(n) WHERE l IN $types))
RETURN 'entity' AS kind, n.id AS id, [l IN labels(n) WHERE l <> 'Entity'][0] AS type, n.caption AS caption, first, last
UNION ALL
MATCH (a:Entity)-[r]->(b:Entity)
WITH a, r, b, coalesce(r.time, r.date, r.first_seen) AS first, coalesce(r.time, r.date, r.last_seen) AS last
WHERE first IS NOT NULL
  AND ($date_from = '' OR last >= left($date_from, size(last)))
  AND ($date_to = '' OR left(first, size($date_to)) <= $date_to)
  AND (size($types) = 0 OR type(r) IN $types)
RETURN 'link' AS kind, r.id AS id, type(r) AS type, coalesce(a.caption, a.id) + ' -> ' + coalesce(b.caption, b.id) AS caption,
       first, last
LIMIT $limit
