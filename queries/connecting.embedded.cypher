// LadybugDB: ALL SHORTEST with the link filter inside the pattern; properties() lists a path's ids.
MATCH p = (a {id: $pair_a})-[r* ALL SHORTEST 1..12 (e, n | WHERE (size($link_types) = 0 OR label(e) IN $link_types)
      AND ($min_grade.unset OR (e.reliability <= $min_grade.reliability AND e.credibility <= $min_grade.credibility)))]-(b {id: $pair_b})
WHERE length(p) <= $max_hops
RETURN properties(nodes(p), 'id') AS node_ids, properties(rels(p), 'id') AS link_ids,
       list_transform(rels(p), x -> coalesce(x.time, x.date, x.first_seen)) AS link_dates, length(p) AS hops
LIMIT $limit
