MATCH p = (a {id: $from_id})-[r* ALL SHORTEST 1..12 (e, n | WHERE (size($link_types) = 0 OR label(e) IN $link_types)
      AND ($min_grade.unset OR (e.reliability <= $min_grade.reliability AND e.credibility <= $min_grade.credibility))
      AND ($date_from = '' OR coalesce(e.time, e.date, e.last_seen) >= left($date_from, size(coalesce(e.time, e.date, e.last_seen))))
      AND ($date_to = '' OR left(coalesce(e.time, e.date, e.first_seen), size($date_to)) <= $date_to))]-(b {id: $to_id})
WHERE length(p) <= $max_hops
RETURN properties(nodes(p), 'id') AS node_ids, properties(rels(p), 'id') AS link_ids,
       list_transform(rels(p), x -> coalesce(x.time, x.date, x.first_seen)) AS link_dates, length(p) AS hops
LIMIT 1000
