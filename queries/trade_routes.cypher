// name: trade_routes
// title: Trade routes for a species or commodity
// description: Origin, transit and destination of shipments and seizures (ROUTED_VIA legs) carrying a species
// description: or commodity, with counts, quantities by unit and first/last dates.
// param: species STRING default '' -- part of a scientific or common name (empty: all)
// param: commodity STRING default '' -- part of a commodity, e.g. ivory (empty: all)
// param: date_from DATE default ''
// param: date_to DATE default ''
// returns: species, commodity, origin, transit, destination, items, quantity, unit, first_date, last_date
// engines: neo4j, embedded
// kind: table
// runner: routes
MATCH (x)-[c:CONTAINED|INVOLVED]->(sp:Species)
WHERE ($species = '' OR toLower(sp.scientific_name) CONTAINS toLower($species)
       OR toLower(coalesce(sp.common_name, '')) CONTAINS toLower($species))
  AND ($commodity = '' OR toLower(coalesce(c.commodity, '')) CONTAINS toLower($commodity))
WITH x, c, sp, coalesce(x.date, x.first_seen) AS item_date
WHERE ($date_from = '' OR item_date >= left($date_from, size(item_date)))
  AND ($date_to = '' OR left(item_date, size($date_to)) <= $date_to)
MATCH (x)-[rv:ROUTED_VIA]->(loc:Location)
RETURN x.id AS item_id, c.id AS content_id, item_date, sp.scientific_name AS species, c.commodity AS commodity,
       c.quantity AS quantity, c.unit AS unit, rv.leg AS leg, rv.role AS role,
       coalesce(loc.code, loc.name) AS location, loc.id AS location_id, loc.kind AS location_kind,
       coalesce(loc.country, CASE WHEN loc.kind = 'country' THEN loc.code END) AS location_country
