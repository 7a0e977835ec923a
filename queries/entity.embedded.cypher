// LadybugDB: a $parameter inside a list predicate trips its binder, so the lowered text comes in through WITH.
WITH lower($text) AS t
MATCH (n)
WHERE (n.id = $text OR lower(n.caption) CONTAINS t
       OR (n.aliases IS NOT NULL AND any(a IN n.aliases WHERE lower(a) CONTAINS t)))
  AND ($type = '' OR label(n) = $type)
  AND n.caption IS NOT NULL
RETURN n.id AS id, label(n) AS type, n.caption AS caption,
       n.reliability AS reliability, n.credibility AS credibility, n.first_seen AS first_seen, n.last_seen AS last_seen
ORDER BY CASE WHEN n.id = $text THEN 0 WHEN lower(n.caption) = t THEN 1 ELSE 2 END, caption, id
LIMIT $limit
