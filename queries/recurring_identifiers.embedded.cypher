MATCH (s:Seizure)<-[r1:PARTY_TO]-(h)-[r:HAS_PHONE|HAS_ADDRESS|HAS_ID|USES_VEHICLE|HAS_ACCOUNT|HAS_EMAIL]->(i)
WHERE ($min_grade.unset OR (r.reliability <= $min_grade.reliability AND r.credibility <= $min_grade.credibility))
  AND ($min_grade.unset OR (r1.reliability <= $min_grade.reliability AND r1.credibility <= $min_grade.credibility))
WITH i, collect(DISTINCT s.id) AS seizure_ids, collect(DISTINCT s.reference) AS refs, collect(DISTINCT h.caption) AS via
WHERE size(seizure_ids) >= $min_seizures
RETURN i.id AS id, label(i) AS type, i.caption AS identifier,
       size(seizure_ids) AS seizures, refs AS references, via, seizure_ids
ORDER BY seizures DESC, type, identifier, id
