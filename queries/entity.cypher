// name: entity
// title: Find an entity by name or id
// description: Entities whose id equals the text, or whose caption or aliases contain it (case-insensitive); exact matches first.
// param: text STRING required -- an id, a name or part of one
// param: type STRING default '' -- only this entity type (e.g. Person)
// param: limit INT64 default 25
// returns: id, type, caption, reliability, credibility, first_seen, last_seen
// engines: neo4j, embedded
// kind: table
MATCH (n:Entity)
WHERE (n.id = $text OR toLower(n.caption) CONTAINS toLower($text)
       OR any(a IN coalesce(n.aliases, []) WHERE toLower(a) CONTAINS toLower($text)))
  AND ($type = '' OR $type IN labels(n))
RETURN n.id AS id, [l IN labels(n) WHERE l <> 'Entity'][0] AS type, n.caption AS caption,
       n.reliability AS reliability, n.credibility AS credibility, n.first_seen AS first_seen, n.last_seen AS last_seen
ORDER BY CASE WHEN n.id = $text THEN 0 WHEN toLower(n.caption) = toLower($text) THEN 1 ELSE 2 END, caption, id
LIMIT $limit
