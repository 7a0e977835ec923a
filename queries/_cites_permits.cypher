// name: _cites_permits
// title: Permits covering shipments of some species, with the shipments' legs (helper for cites_discrepancies)
// param: species_ids STRING[] required
// returns: id, number, shipment_id, species_id, term, year, role, country
// kind: table
MATCH (p:Permit)<-[:COVERED_BY]-(x:Shipment)-[c:CONTAINED]->(sp:Species)
WHERE sp.id IN $species_ids
MATCH (x)-[v:ROUTED_VIA]->(l:Location)
RETURN DISTINCT p.id AS id, p.number AS number, x.id AS shipment_id, sp.id AS species_id, c.term AS term,
       left(coalesce(x.date, x.first_seen, ''), 4) AS year, v.role AS role, coalesce(l.country, l.code) AS country
