// name: _links
// title: Links by id (helper for drawing results)
// param: ids STRING[] required
// returns: id, type, source, target, reliability, credibility, handling, first_seen, last_seen, prov, props
// kind: table
MATCH (a:Entity)-[r]->(b:Entity)
WHERE r.id IN $ids
RETURN r.id AS id, type(r) AS type, a.id AS source, b.id AS target,
       r.reliability AS reliability, r.credibility AS credibility, r.handling AS handling,
       r.first_seen AS first_seen, r.last_seen AS last_seen, r.prov AS prov, properties(r) AS props
