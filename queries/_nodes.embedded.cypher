// LadybugDB: label() names a node's table; an unlabelled pattern spans every table, and one primary-key
// lookup per id is faster there than an IN filter.
UNWIND $ids AS k
MATCH (n {id: k})
RETURN n.id AS id, label(n) AS type, n.caption AS caption,
       n.reliability AS reliability, n.credibility AS credibility, n.handling AS handling,
       n.first_seen AS first_seen, n.last_seen AS last_seen, n.prov AS prov, n AS props
