// name: recurring_identifiers
// title: Identifiers recurring across seizures
// description: Phones, documents, vehicles, accounts, addresses and e-mails held by parties to two or more
// description: different seizures, and vehicles or shipments that two or more seizures were made from.
// param: min_seizures INT64 default 2
// param: min_grade GRADE default '' -- use only links graded at or above this, e.g. B2
// returns: id, type, identifier, seizures, references, via
// engines: neo4j, embedded
// kind: table
MATCH (s:Seizure)<-[r1:PARTY_TO]-(h:Entity)-[r:HAS_PHONE|HAS_ADDRESS|HAS_ID|USES_VEHICLE|HAS_ACCOUNT|HAS_EMAIL]->(i:Entity)
WHERE ($min_grade.unset OR (r.reliability <= $min_grade.reliability AND r.credibility <= $min_grade.credibility))
  AND ($min_grade.unset OR (r1.reliability <= $min_grade.reliability AND r1.credibility <= $min_grade.credibility))
WITH i, collect(DISTINCT s.id) AS seizure_ids, collect(DISTINCT s.reference) AS refs, collect(DISTINCT h.caption) AS via
WHERE size(seizure_ids) >= $min_seizures
RETURN i.id AS id, [l IN labels(i) WHERE l <> 'Entity'][0] AS type, i.caption AS identifier,
       size(seizure_ids) AS seizures, refs AS references, via, seizure_ids
ORDER BY seizures DESC, type, identifier, id
