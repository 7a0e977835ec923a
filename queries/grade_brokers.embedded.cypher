MATCH (a)-[r]->(b)
WHERE a.id <> b.id
  AND (size($link_types) = 0 OR label(r) IN $link_types)
  AND NOT label(r) IN $exclude_links
RETURN a.id AS source, b.id AS target, label(r) AS link_type, r.id AS link_id,
       r.reliability AS reliability, r.credibility AS credibility
