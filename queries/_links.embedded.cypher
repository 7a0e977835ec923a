MATCH (a)-[r]->(b)
WHERE r.id IN $ids
RETURN r.id AS id, label(r) AS type, a.id AS source, b.id AS target,
       r.reliability AS reliability, r.credibility AS credibility, r.handling AS handling,
       r.first_seen AS first_seen, r.last_seen AS last_seen, r.prov AS prov, r AS props
