// LadybugDB searches shortest paths from one end only, which on a large graph visits most of it. Here the runner
// searches from both ends: this query returns the links out of every entity at 1 to $ball_hops - 1 links from
// $ball_id (2 <= $ball_hops <= 6; with the far ends' captions; these include every link of $ball_id itself, from
// its neighbours' side), and the runner grows the two neighbourhoods until they meet, then lists every shortest path
// through the links found. A recursive bound must be a literal, so each branch serves one value of $ball_hops (the
// others find no start and cost nothing); the last hop's filter sits after a WITH (see network.embedded.cypher).
MATCH (a {id: CASE WHEN $ball_hops = 2 THEN $ball_id ELSE '' END})-[p* SHORTEST 1..1
      (e, n | WHERE (size($link_types) = 0 OR label(e) IN $link_types)
      AND ($min_grade.unset OR (e.reliability <= $min_grade.reliability AND e.credibility <= $min_grade.credibility))
      AND ($date_from = '' OR coalesce(e.time, e.date, e.last_seen) >= left($date_from, size(coalesce(e.time, e.date, e.last_seen))))
      AND ($date_to = '' OR left(coalesce(e.time, e.date, e.first_seen), size($date_to)) <= $date_to))]-(x)-[r]-(y)
WITH r.id AS link_id, start_node(r).id AS source, end_node(r).id AS target, label(r) AS lt,
     r.reliability AS lr, r.credibility AS lc, r.first_seen AS lf, r.last_seen AS ll, r.time AS lti, r.date AS ld,
     y.id AS id, y.caption AS caption
WHERE (size($link_types) = 0 OR lt IN $link_types)
  AND ($min_grade.unset OR (lr <= $min_grade.reliability AND lc <= $min_grade.credibility))
  AND ($date_from = '' OR coalesce(lti, ld, ll) >= left($date_from, size(coalesce(lti, ld, ll))))
  AND ($date_to = '' OR left(coalesce(lti, ld, lf), size($date_to)) <= $date_to)
RETURN link_id, source, target, coalesce(lti, ld, lf) AS link_date, id, caption
UNION ALL
MATCH (a {id: CASE WHEN $ball_hops = 3 THEN $ball_id ELSE '' END})-[p* SHORTEST 1..2
      (e, n | WHERE (size($link_types) = 0 OR label(e) IN $link_types)
      AND ($min_grade.unset OR (e.reliability <= $min_grade.reliability AND e.credibility <= $min_grade.credibility))
      AND ($date_from = '' OR coalesce(e.time, e.date, e.last_seen) >= left($date_from, size(coalesce(e.time, e.date, e.last_seen))))
      AND ($date_to = '' OR left(coalesce(e.time, e.date, e.first_seen), size($date_to)) <= $date_to))]-(x)-[r]-(y)
WITH r.id AS link_id, start_node(r).id AS source, end_node(r).id AS target, label(r) AS lt,
     r.reliability AS lr, r.credibility AS lc, r.first_seen AS lf, r.last_seen AS ll, r.time AS lti, r.date AS ld,
     y.id AS id, y.caption AS caption
WHERE (size($link_types) = 0 OR lt IN $link_types)
  AND ($min_grade.unset OR (lr <= $min_grade.reliability AND lc <= $min_grade.credibility))
  AND ($date_from = '' OR coalesce(lti, ld, ll) >= left($date_from, size(coalesce(lti, ld, ll))))
  AND ($date_to = '' OR left(coalesce(lti, ld, lf), size($date_to)) <= $date_to)
RETURN link_id, source, target, coalesce(lti, ld, lf) AS link_date, id, caption
UNION ALL
MATCH (a {id: CASE WHEN $ball_hops = 4 THEN $ball_id ELSE '' END})-[p* SHORTEST 1..3
      (e, n | WHERE (size($link_types) = 0 OR label(e) IN $link_types)
      AND ($min_grade.unset OR (e.reliability <= $min_grade.reliability AND e.credibility <= $min_grade.credibility))
      AND ($date_from = '' OR coalesce(e.time, e.date, e.last_seen) >= left($date_from, size(coalesce(e.time, e.date, e.last_seen))))
      AND ($date_to = '' OR left(coalesce(e.time, e.date, e.first_seen), size($date_to)) <= $date_to))]-(x)-[r]-(y)
WITH r.id AS link_id, start_node(r).id AS source, end_node(r).id AS target, label(r) AS lt,
     r.reliability AS lr, r.credibility AS lc, r.first_seen AS lf, r.last_seen AS ll, r.time AS lti, r.date AS ld,
     y.id AS id, y.caption AS caption
WHERE (size($link_types) = 0 OR lt IN $link_types)
  AND ($min_grade.unset OR (lr <= $min_grade.reliability AND lc <= $min_grade.credibility))
  AND ($date_from = '' OR coalesce(lti, ld, ll) >= left($date_from, size(coalesce(lti, ld, ll))))
  AND ($date_to = '' OR left(coalesce(lti, ld, lf), size($date_to)) <= $date_to)
RETURN link_id, source, target, coalesce(lti, ld, lf) AS link_date, id, caption
UNION ALL
MATCH (a {id: CASE WHEN $ball_hops = 5 THEN $ball_id ELSE '' END})-[p* SHORTEST 1..4
      (e, n | WHERE (size($link_types) = 0 OR label(e) IN $link_types)
      AND ($min_grade.unset OR (e.reliability <= $min_grade.reliability AND e.credibility <= $min_grade.credibility))
      AND ($date_from = '' OR coalesce(e.time, e.date, e.last_seen) >= left($date_from, size(coalesce(e.time, e.date, e.last_seen))))
      AND ($date_to = '' OR left(coalesce(e.time, e.date, e.first_seen), size($date_to)) <= $date_to))]-(x)-[r]-(y)
WITH r.id AS link_id, start_node(r).id AS source, end_node(r).id AS target, label(r) AS lt,
     r.reliability AS lr, r.credibility AS lc, r.first_seen AS lf, r.last_seen AS ll, r.time AS lti, r.date AS ld,
     y.id AS id, y.caption AS caption
WHERE (size($link_types) = 0 OR lt IN $link_types)
  AND ($min_grade.unset OR (lr <= $min_grade.reliability AND lc <= $min_grade.credibility))
  AND ($date_from = '' OR coalesce(lti, ld, ll) >= left($date_from, size(coalesce(lti, ld, ll))))
  AND ($date_to = '' OR left(coalesce(lti, ld, lf), size($date_to)) <= $date_to)
RETURN link_id, source, target, coalesce(lti, ld, lf) AS link_date, id, caption
UNION ALL
MATCH (a {id: CASE WHEN $ball_hops = 6 THEN $ball_id ELSE '' END})-[p* SHORTEST 1..5
      (e, n | WHERE (size($link_types) = 0 OR label(e) IN $link_types)
      AND ($min_grade.unset OR (e.reliability <= $min_grade.reliability AND e.credibility <= $min_grade.credibility))
      AND ($date_from = '' OR coalesce(e.time, e.date, e.last_seen) >= left($date_from, size(coalesce(e.time, e.date, e.last_seen))))
      AND ($date_to = '' OR left(coalesce(e.time, e.date, e.first_seen), size($date_to)) <= $date_to))]-(x)-[r]-(y)
WITH r.id AS link_id, start_node(r).id AS source, end_node(r).id AS target, label(r) AS lt,
     r.reliability AS lr, r.credibility AS lc, r.first_seen AS lf, r.last_seen AS ll, r.time AS lti, r.date AS ld,
     y.id AS id, y.caption AS caption
WHERE (size($link_types) = 0 OR lt IN $link_types)
  AND ($min_grade.unset OR (lr <= $min_grade.reliability AND lc <= $min_grade.credibility))
  AND ($date_from = '' OR coalesce(lti, ld, ll) >= left($date_from, size(coalesce(lti, ld, ll))))
  AND ($date_to = '' OR left(coalesce(lti, ld, lf), size($date_to)) <= $date_to)
RETURN link_id, source, target, coalesce(lti, ld, lf) AS link_date, id, caption
