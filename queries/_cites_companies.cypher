// name: _cites_companies
// title: Organisations consigned to shipments of some years, with the shipments' legs and contents (helper for cites_discrepancies)
// param: years STRING[] required
// returns: id, name, shipment_id, year, role, country, species_id
// kind: table
MATCH (o:Organization)-[:CONSIGNED]->(x:Shipment)-[v:ROUTED_VIA]->(l:Location)
WITH o, x, v, l, left(coalesce(x.date, x.first_seen, ''), 4) AS year
WHERE year IN $years
OPTIONAL MATCH (x)-[:CONTAINED]->(sp:Species)
RETURN DISTINCT o.id AS id, o.name AS name, x.id AS shipment_id, year, v.role AS role,
       coalesce(l.country, l.code) AS country, sp.id AS species_id
