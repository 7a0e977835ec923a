// name: repeat_offenders
// title: Repeat offenders
// description: People party to at least min_seizures seizures (suspects, arrested, owners ...).
// param: min_seizures INT64 default 2
// param: min_grade GRADE default '' -- count only PARTY_TO links graded at or above this, e.g. B2
// returns: id, name, nationality, seizures, references, first_date, last_date
// engines: neo4j, embedded
// kind: table
MATCH (p:Person)-[r:PARTY_TO]->(s:Seizure)
WHERE ($min_grade.unset OR (r.reliability <= $min_grade.reliability AND r.credibility <= $min_grade.credibility))
WITH p, collect(DISTINCT s.id) AS seizure_ids, collect(DISTINCT s.reference) AS refs,
     min(coalesce(s.date, s.first_seen)) AS first_date, max(coalesce(s.date, s.last_seen)) AS last_date
WHERE size(seizure_ids) >= $min_seizures
RETURN p.id AS id, p.caption AS name, p.nationality AS nationality, size(seizure_ids) AS seizures,
       refs AS references, first_date, last_date, seizure_ids
ORDER BY seizures DESC, name, id
