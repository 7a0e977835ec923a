MATCH (n)
WHERE n.id IN $ids
OPTIONAL MATCH (n)-[:NATIONAL_OF|LOCATED_IN]->(loc:Location)
OPTIONAL MATCH (n)-[:MEMBER_OF]->(o:Organization)
RETURN n.id AS id, n.nationality AS nationality, n.country AS country,
       collect(DISTINCT coalesce(loc.code, loc.country)) AS locations, collect(DISTINCT o.id) AS organisations
