MATCH (h)-[r:HAS_PHONE|HAS_ADDRESS|HAS_ID|USES_VEHICLE|HAS_ACCOUNT|HAS_EMAIL]->(i)
WHERE (size($kinds) = 0 OR label(i) IN $kinds)
  AND ($min_grade.unset OR (r.reliability <= $min_grade.reliability AND r.credibility <= $min_grade.credibility))
WITH i, collect(DISTINCT h.id) AS holder_ids, collect(DISTINCT h.caption) AS holder_names
WHERE size(holder_ids) >= $min_holders
RETURN i.id AS id, label(i) AS type, i.caption AS identifier,
       size(holder_ids) AS holders, holder_ids, holder_names
ORDER BY holders DESC, type, identifier, id
