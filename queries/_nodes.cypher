// name: _nodes
// title: Nodes by id (helper for drawing results)
// param: ids STRING[] required
// returns: id, type, caption, reliability, credibility, handling, first_seen, last_seen, prov, props
// kind: table
MATCH (n:Entity)
WHERE n.id IN $ids
RETURN n.id AS id, [l IN labels(n) WHERE l <> 'Entity'][0] AS type, n.caption AS caption,
       n.reliability AS reliability, n.credibility AS credibility, n.handling AS handling,
       n.first_seen AS first_seen, n.last_seen AS last_seen, n.prov AS prov, properties(n) AS props
