MATCH (n)
WITH n, coalesce(n.date, n.first_seen) AS first, coalesce(n.date, n.last_seen) AS last
WHERE first IS NOT NULL
  AND ($date_from = '' OR last >= left($date_from, size(last)))
  AND ($date_to = '' OR left(first, size($date_to)) <= $date_to)
  AND (size($types) = 0 OR label(n) IN $types)
RETURN 'entity' AS kind, n.id AS id, label(n) AS type, n.caption AS caption, first, last
UNION ALL
MATCH (a)-[r]->(b)
WITH a, r, b, coalesce(r.time, r.date, r.first_seen) AS first, coalesce(r.time, r.date, r.last_seen) AS last
WHERE first IS NOT NULL
  AND ($date_from = '' OR last >= left($date_from, size(last)))
  AND ($date_to = '' OR left(first, size($date_to)) <= $date_to)
  AND (size($types) = 0 OR label(r) IN $types)
RETURN 'link' AS kind, r.id AS id, label(r) AS type, coalesce(a.caption, a.id) + ' -> ' + coalesce(b.caption, b.id) AS caption,
       first, last
LIMIT $limit
