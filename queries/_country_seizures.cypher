// name: _country_seizures
// title: Seizures per country in a period (helper for transit_hubs' normalisation)
// param: countries STRING[] required
// param: date_from DATE default ''
// param: date_to DATE default ''
// returns: country, seizures
// kind: table
MATCH (z:Seizure)-[:LOCATED_IN|ROUTED_VIA]->(l:Location)
WITH z, coalesce(l.country, CASE WHEN l.kind = 'country' THEN l.code END) AS country,
     coalesce(z.date, z.first_seen, '') AS d
WHERE country IN $countries
  AND ($date_from = '' OR d >= left($date_from, size(d)))
  AND ($date_to = '' OR left(d, size($date_to)) <= $date_to)
RETURN country, count(DISTINCT z) AS seizures
ORDER BY country
