MATCH (a)-[r]->(b)
WHERE a.id <> b.id
  AND (size($link_types) = 0 OR label(r) IN $link_types)
  AND NOT label(r) IN $exclude_links
  AND ($min_grade.unset OR (r.reliability <= $min_grade.reliability AND r.credibility <= $min_grade.credibility))
RETURN a.id AS source, b.id AS target, label(r) AS link_type, r.id AS link_id,
       r.reliability AS reliability, r.credibility AS credibility
