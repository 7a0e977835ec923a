// name: cites_discrepancies
// title: CITES trade discrepancies: importer- versus exporter-reported quantities
// description: From CITES comparative tabulation rows (spec cites-comparative), the importer- and exporter-reported
// description: quantities summed per taxon, term, unit, exporter, importer and year, after normalising terms and units:
// description: a blank unit is a number of specimens, metric units become kg, m3, l, m or m2, and a term's quantities
// description: in two units (kg and pieces) are compared only where linkgraph/data/cites_units.yaml or the conversions
// description: file defines a factor, else they stay separate rows. gap is exporter minus importer quantity;
// description: reported_by says which side reported anything. Corridors (exporter to importer) are ranked, within each
// description: unit, by the sum of their rows' absolute gaps. Each row lists what the graph holds on the same identifiers:
// description: seizures that INVOLVED the same Species node in that year and are LOCATED_IN or ROUTED_VIA the exporter or
// description: importer country; permits a shipment of the same species and term is COVERED_BY, routed from the exporter to
// description: the importer country in that year; companies CONSIGNED to a shipment of that year routed from the exporter
// description: to the importer country whose recorded contents are that species or unrecorded. Method after UNEP-WCMC,
// description: "A guide to using the CITES Trade Database" (comparative tabulations; why the two sides differ: permits
// description: issued versus trade carried out, units, terms, taxon level, the year each side records).
// param: taxon STRING default '' -- part of a scientific or common name (empty: all)
// param: term STRING default '' -- only this term, after normalisation, e.g. tusks (empty: all)
// param: exporter STRING default '' -- only this exporting country, ISO alpha-2 (empty: all)
// param: importer STRING default '' -- only this importing country, ISO alpha-2 (empty: all)
// param: year_from DATE default '' -- from this year
// param: year_to DATE default '' -- to this year
// param: min_gap DOUBLE default 0 -- only rows whose absolute gap is at least this, in the row's unit
// param: min_ratio DOUBLE default 1 -- only rows where the larger side reported at least this many times the smaller (one side only counts as infinite)
// param: top INT64 default 0 -- only the top N corridors of each unit (0: all)
// param: include_matching BOOLEAN default false -- also list rows where both sides reported the same quantity
// param: conversions STRING default '' -- a YAML file of further units, term aliases or per-term factors, laid out as linkgraph/data/cites_units.yaml
// returns: taxon, term, unit, exporter, importer, year, exporter_quantity, importer_quantity, gap, ratio, reported_by, records, corridor_gap, corridor_rank, seizures, permits, companies
// engines: neo4j, embedded
// kind: table
// runner: cites_discrepancies
// The comparative rows: a Shipment of kind cites_record whose CONTAINED link carries a reported quantity.
MATCH (x:Shipment)-[c:CONTAINED]->(sp:Species)
WHERE x.kind = 'cites_record'
  AND (c.importer_quantity IS NOT NULL OR c.exporter_quantity IS NOT NULL)
  AND ($taxon = '' OR toLower(sp.scientific_name) CONTAINS toLower($taxon)
       OR toLower(coalesce(sp.common_name, '')) CONTAINS toLower($taxon))
WITH x, c, sp, left(coalesce(x.date, x.first_seen, ''), 4) AS year
WHERE ($year_from = '' OR year >= left($year_from, 4))
  AND ($year_to = '' OR year <= left($year_to, 4))
OPTIONAL MATCH (x)-[e:ROUTED_VIA]->(ex:Location)
WHERE e.role = 'export'
OPTIONAL MATCH (x)-[i:ROUTED_VIA]->(im:Location)
WHERE i.role = 'import'
RETURN x.id AS record_id, year, sp.id AS species_id, sp.scientific_name AS taxon, c.term AS term, c.unit AS unit,
       c.importer_quantity AS importer_quantity, c.exporter_quantity AS exporter_quantity,
       coalesce(ex.country, ex.code) AS exporter, ex.id AS exporter_id,
       coalesce(im.country, im.code) AS importer, im.id AS importer_id
