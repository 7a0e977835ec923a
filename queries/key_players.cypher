// name: key_players
// title: Key players (Borgatti's key-player problem)
// description: The k entities whose removal most fragments the network (measure fragmentation: the share of pairs that can no longer reach each other; distance_fragmentation: also how much longer the remaining paths became), or which reach most of it (measure reach), after Borgatti (2006), as Patel et al. (2015) applied it to wildlife trafficking networks. One row per member in removal order, with the measure after that step and before any (baseline). method: exhaustive (every k-set of the candidates) or greedy+swap, Borgatti's heuristic, when the search would exceed exact_max evaluations.
// param: link_types STRING[] default [] -- use only these link types (empty: all but exclude_links)
// param: exclude_links STRING[] default [INVOLVED,CONTAINED,ROUTED_VIA,LOCATED_IN,NATIONAL_OF,ISSUED_IN,MENTIONS,SAME_AS,SEIZED_BY] -- context links left out of the social graph (places, species, the seizing agency)
// param: min_grade GRADE default '' -- use only links graded at or above this, e.g. B2
// param: k INT64 default 3 -- size of the set
// param: measure STRING default fragmentation -- fragmentation, distance_fragmentation or reach
// param: network STRING default '' -- an entity id: only the network (connected component) that holds it (empty: the whole projection)
// param: candidate_types STRING[] default [Person] -- only entities of these types can be chosen (empty: any); all others stay in the network
// param: candidate_min_grade GRADE default '' -- only entities graded at or above this can be chosen, e.g. B2
// param: exact_max INT64 default 200000 -- largest exhaustive search, in set evaluations (a distance measure counts each set once per node)
// returns: step, name, id, type, score, baseline, measure, method
// engines: neo4j, embedded
// kind: analytic
// runner: key_players
// mark: key player {step} of {count}: {measure} {score:.2f} after this step, from {baseline:.2f} ({method})
// The projection: the links the analytic runs on (the graph is taken as simple and undirected).
MATCH (a:Entity)-[r]->(b:Entity)
WHERE a <> b
  AND (size($link_types) = 0 OR type(r) IN $link_types)
  AND NOT type(r) IN $exclude_links
  AND ($min_grade.unset OR (r.reliability <= $min_grade.reliability AND r.credibility <= $min_grade.credibility))
RETURN a.id AS source, b.id AS target, type(r) AS link_type, r.id AS link_id,
       r.reliability AS reliability, r.credibility AS credibility
