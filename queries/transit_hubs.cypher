// name: transit_hubs
// title: Transit hubs ranked by distinct trafficking routes
// description: Places and airports that seizures and shipments (airway bills) pass through as transit, ranked by
// description: how many distinct routes (origin, transit legs, destination; from ROUTED_VIA legs) go through them.
// description: With normalise, each hub's route count is divided by its country's reported seizures in the graph
// description: (seizures in the period placed in, or routed through, that country), correcting for enforcement effort
// description: as TRAFFIC's ETIS does (Underwood et al. 2013, PLoS ONE 8(10): e76539); air hubs after C4ADS, ROUTES
// description: "In Plane Sight" (2017).
// param: species STRING default '' -- part of a scientific or common name (empty: all)
// param: commodity STRING default '' -- part of a commodity, e.g. ivory (empty: all)
// param: date_from DATE default ''
// param: date_to DATE default ''
// param: normalise BOOLEAN default false -- add per_seizure: routes divided by the hub country's seizures
// param: min_routes INT64 default 1 -- leave out hubs with fewer distinct routes
// returns: hub, id, country, kind, routes, items, species, first_date, last_date
// engines: neo4j, embedded
// kind: table
// runner: transit_hubs
// mark: transit hub {rank} of {count}: {routes} distinct routes, {items} seizures and shipments
// The legs are read by trade_routes' Cypher, so both analyses assemble routes from one reading of ROUTED_VIA.
