// name: shared_identifiers
// title: Shared identifiers
// description: Phones, addresses, identity documents (passports), vehicles, accounts and e-mail addresses
// description: held by two or more people or organisations.
// param: kinds STRING[] default [] -- only these identifier types, e.g. Phone,Identification (empty: all)
// param: min_holders INT64 default 2
// param: min_grade GRADE default '' -- count only holding links graded at or above this, e.g. B2
// returns: id, type, identifier, holders, holder_ids, holder_names
// engines: neo4j, embedded
// kind: table
MATCH (h:Entity)-[r:HAS_PHONE|HAS_ADDRESS|HAS_ID|USES_VEHICLE|HAS_ACCOUNT|HAS_EMAIL]->(i:Entity)
WHERE (size($kinds) = 0 OR any(l IN labels(i) WHERE l IN $kinds))
  AND ($min_grade.unset OR (r.reliability <= $min_grade.reliability AND r.credibility <= $min_grade.credibility))
WITH i, collect(DISTINCT h.id) AS holder_ids, collect(DISTINCT h.caption) AS holder_names
WHERE size(holder_ids) >= $min_holders
RETURN i.id AS id, [l IN labels(i) WHERE l <> 'Entity'][0] AS type, i.caption AS identifier,
       size(holder_ids) AS holders, holder_ids, holder_names
ORDER BY holders DESC, type, identifier, id
