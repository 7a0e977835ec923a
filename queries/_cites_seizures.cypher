// name: _cites_seizures
// title: Seizures of some species in some countries (helper for cites_discrepancies)
// param: species_ids STRING[] required
// param: countries STRING[] required
// returns: id, reference, species_id, year, country
// kind: table
MATCH (z:Seizure)-[:INVOLVED]->(sp:Species)
WHERE sp.id IN $species_ids
MATCH (z)-[:LOCATED_IN|ROUTED_VIA]->(l:Location)
WHERE coalesce(l.country, l.code) IN $countries
RETURN DISTINCT z.id AS id, z.reference AS reference, sp.id AS species_id,
       left(coalesce(z.date, z.first_seen, ''), 4) AS year, coalesce(l.country, l.code) AS country
