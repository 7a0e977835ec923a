// LadybugDB hands results over as Arrow: two id columns per link is the fast form here.
MATCH (a)-[r]->(b)
WHERE a.id <> b.id
  AND (size($link_types) = 0 OR label(r) IN $link_types)
  AND NOT label(r) IN $exclude_links
  AND ($min_grade.unset OR (r.reliability <= $min_grade.reliability AND r.credibility <= $min_grade.credibility))
RETURN a.id AS source, b.id AS target
