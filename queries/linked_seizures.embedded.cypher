MATCH (a:Seizure)<-[:SAMPLED_FROM]-(x:Sample)-[m:FORENSIC_MATCH]->(y:Sample)-[:SAMPLED_FROM]->(b:Seizure)
WHERE a.id <> b.id
  AND (m.likelihood_ratio >= $min_lr OR ($min_lr <= 0 AND m.likelihood_ratio IS NULL))
  AND ($min_grade.unset OR (m.reliability <= $min_grade.reliability AND m.credibility <= $min_grade.credibility))
RETURN a.id AS seizure, b.id AS other, 'forensic' AS evidence, m.id AS via_id, x.caption + ' ~ ' + y.caption AS via, m.relation AS relation,
       m.likelihood_ratio AS likelihood_ratio
UNION ALL
MATCH (s:Seizure)<-[r:PARTY_TO]-(p)
WHERE ($min_grade.unset OR (r.reliability <= $min_grade.reliability AND r.credibility <= $min_grade.credibility))
RETURN s.id AS seizure, '' AS other, 'party' AS evidence, p.id AS via_id, '' AS via, '' AS relation, 0.0 AS likelihood_ratio
UNION ALL
MATCH (s:Seizure)<-[r1:PARTY_TO]-()-[r:HAS_PHONE]->(ph:Phone)
WHERE ($min_grade.unset OR (r.reliability <= $min_grade.reliability AND r.credibility <= $min_grade.credibility))
  AND ($min_grade.unset OR (r1.reliability <= $min_grade.reliability AND r1.credibility <= $min_grade.credibility))
RETURN s.id AS seizure, '' AS other, 'phone' AS evidence, ph.id AS via_id, '' AS via, '' AS relation, 0.0 AS likelihood_ratio
UNION ALL
MATCH (s:Seizure)-[r:SEIZED_FROM]->(v:Vehicle)
WHERE ($min_grade.unset OR (r.reliability <= $min_grade.reliability AND r.credibility <= $min_grade.credibility))
RETURN s.id AS seizure, '' AS other, 'vehicle' AS evidence, v.id AS via_id, '' AS via, '' AS relation, 0.0 AS likelihood_ratio
UNION ALL
MATCH (s:Seizure)<-[r1:PARTY_TO]-()-[r:USES_VEHICLE]->(v:Vehicle)
WHERE ($min_grade.unset OR (r.reliability <= $min_grade.reliability AND r.credibility <= $min_grade.credibility))
  AND ($min_grade.unset OR (r1.reliability <= $min_grade.reliability AND r1.credibility <= $min_grade.credibility))
RETURN s.id AS seizure, '' AS other, 'vehicle' AS evidence, v.id AS via_id, '' AS via, '' AS relation, 0.0 AS likelihood_ratio
UNION ALL
MATCH (s:Seizure)-[r1:SEIZED_FROM]->(:Shipment)<-[r:CONSIGNED]-(c)
WHERE r.role = 'consignee'
  AND ($min_grade.unset OR (r.reliability <= $min_grade.reliability AND r.credibility <= $min_grade.credibility))
  AND ($min_grade.unset OR (r1.reliability <= $min_grade.reliability AND r1.credibility <= $min_grade.credibility))
RETURN s.id AS seizure, '' AS other, 'consignee' AS evidence, c.id AS via_id, '' AS via, '' AS relation, 0.0 AS likelihood_ratio
