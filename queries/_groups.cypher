// name: _groups
// title: Country and organisation of people and organisations (helper for brokerage)
// param: ids STRING[] required
// returns: id, nationality, country, locations, organisations
// kind: table
MATCH (n:Entity)
WHERE n.id IN $ids
OPTIONAL MATCH (n)-[:NATIONAL_OF|LOCATED_IN]->(loc:Location)
OPTIONAL MATCH (n)-[:MEMBER_OF]->(o:Organization)
RETURN n.id AS id, n.nationality AS nationality, n.country AS country,
       collect(DISTINCT coalesce(loc.code, loc.country)) AS locations, collect(DISTINCT o.id) AS organisations
