// name: linked_seizures
// title: Linked seizures (forensic matches and shared people, phones, vehicles, consignees)
// description: Chains of seizures joined by forensic DNA matches between their samples (a Sample SAMPLED_FROM each seizure, the samples joined by FORENSIC_MATCH: same individual, parent-offspring, sibling ...) and by what their cases share: a party (PARTY_TO, resolved entities counted once), a party's phone, a vehicle the goods were seized from or a party uses, a consignee of a shipment seized. Method: the seizures are the nodes of a graph whose links are these pieces of evidence; a chain is a connected component of two or more seizures, after Wasser et al. (2018, Science Advances 4: eaat0625), who tied separate large ivory seizures to one dealer network by matching tusks of one elephant, and of parents, offspring and siblings, across them, then cross-checked the links with the seizures' shared suspects, phones and consignees (Wasser et al. 2015, Science 349: 84-87, for the genetic assignment of the seizures). One row per pair of seizures and piece of evidence, with the chain's number, size, seizures, strongest forensic relation and its highest likelihood ratio.
// param: seizure STRING default '' -- a seizure id or case reference: only the chain that holds it (empty: every chain)
// param: evidence STRING[] default [] -- only these kinds of link: forensic, party, phone, vehicle, consignee (empty: all)
// param: min_lr DOUBLE default 0 -- only forensic matches with a likelihood ratio at least this (0: also matches with none recorded)
// param: min_grade GRADE default '' -- use only links graded at or above this, e.g. B2
// returns: chain, chain_size, chain_seizures, chain_relation, chain_max_lr, seizure_a, reference_a, seizure_b, reference_b, evidence, via_id, via, relation, likelihood_ratio
// engines: neo4j, embedded
// kind: analytic
// runner: linked_seizures
// The evidence: forensic matches as seizure pairs, the rest as seizure-to-shared-thing incidences (the runner
// pairs seizures that share a thing, after mapping resolved records to their entity).
MATCH (a:Seizure)<-[:SAMPLED_FROM]-(x:Sample)-[m:FORENSIC_MATCH]->(y:Sample)-[:SAMPLED_FROM]->(b:Seizure)
WHERE a <> b
  AND (m.likelihood_ratio >= $min_lr OR ($min_lr <= 0 AND m.likelihood_ratio IS NULL))
  AND ($min_grade.unset OR (m.reliability <= $min_grade.reliability AND m.credibility <= $min_grade.credibility))
RETURN a.id AS seizure, b.id AS other, 'forensic' AS evidence, m.id AS via_id, x.caption + ' ~ ' + y.caption AS via, m.relation AS relation,
       m.likelihood_ratio AS likelihood_ratio
UNION ALL
MATCH (s:Seizure)<-[r:PARTY_TO]-(p:Entity)
WHERE ($min_grade.unset OR (r.reliability <= $min_grade.reliability AND r.credibility <= $min_grade.credibility))
RETURN s.id AS seizure, '' AS other, 'party' AS evidence, p.id AS via_id, '' AS via, '' AS relation, 0.0 AS likelihood_ratio
UNION ALL
MATCH (s:Seizure)<-[r1:PARTY_TO]-(:Entity)-[r:HAS_PHONE]->(ph:Phone)
WHERE ($min_grade.unset OR (r.reliability <= $min_grade.reliability AND r.credibility <= $min_grade.credibility))
  AND ($min_grade.unset OR (r1.reliability <= $min_grade.reliability AND r1.credibility <= $min_grade.credibility))
RETURN s.id AS seizure, '' AS other, 'phone' AS evidence, ph.id AS via_id, '' AS via, '' AS relation, 0.0 AS likelihood_ratio
UNION ALL
MATCH (s:Seizure)-[r:SEIZED_FROM]->(v:Vehicle)
WHERE ($min_grade.unset OR (r.reliability <= $min_grade.reliability AND r.credibility <= $min_grade.credibility))
RETURN s.id AS seizure, '' AS other, 'vehicle' AS evidence, v.id AS via_id, '' AS via, '' AS relation, 0.0 AS likelihood_ratio
UNION ALL
MATCH (s:Seizure)<-[r1:PARTY_TO]-(:Entity)-[r:USES_VEHICLE]->(v:Vehicle)
WHERE ($min_grade.unset OR (r.reliability <= $min_grade.reliability AND r.credibility <= $min_grade.credibility))
  AND ($min_grade.unset OR (r1.reliability <= $min_grade.reliability AND r1.credibility <= $min_grade.credibility))
RETURN s.id AS seizure, '' AS other, 'vehicle' AS evidence, v.id AS via_id, '' AS via, '' AS relation, 0.0 AS likelihood_ratio
UNION ALL
MATCH (s:Seizure)-[r1:SEIZED_FROM]->(:Shipment)<-[r:CONSIGNED]-(c:Entity)
WHERE r.role = 'consignee'
  AND ($min_grade.unset OR (r.reliability <= $min_grade.reliability AND r.credibility <= $min_grade.credibility))
  AND ($min_grade.unset OR (r1.reliability <= $min_grade.reliability AND r1.credibility <= $min_grade.credibility))
RETURN s.id AS seizure, '' AS other, 'consignee' AS evidence, c.id AS via_id, '' AS via, '' AS relation, 0.0 AS likelihood_ratio
