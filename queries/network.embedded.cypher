// LadybugDB has no startNode()/type(): one directed pattern per direction, label() for the link type.
UNWIND $frontier AS fid
MATCH (a {id: fid})-[r]->(b)
WHERE (size($link_types) = 0 OR label(r) IN $link_types)
  AND (size($node_types) = 0 OR label(b) IN $node_types)
  AND ($min_grade.unset OR (r.reliability <= $min_grade.reliability AND r.credibility <= $min_grade.credibility))
RETURN r.id AS link_id, label(r) AS link_type, a.id AS source, b.id AS target,
       b.id AS neighbour, coalesce(r.time, r.date, r.first_seen) AS link_date
UNION ALL
UNWIND $frontier AS fid
MATCH (a {id: fid})<-[r]-(b)
WHERE (size($link_types) = 0 OR label(r) IN $link_types)
  AND (size($node_types) = 0 OR label(b) IN $node_types)
  AND ($min_grade.unset OR (r.reliability <= $min_grade.reliability AND r.credibility <= $min_grade.credibility))
RETURN r.id AS link_id, label(r) AS link_type, b.id AS source, a.id AS target,
       b.id AS neighbour, coalesce(r.time, r.date, r.first_seen) AS link_date
