// name: _entity_count
// title: How many entities the store holds (helper: decides an analytic's path before projecting)
// returns: n
// kind: table
// Neo4j answers a count of one label from its count store, without reading the nodes.
MATCH (n:Entity)
RETURN count(n) AS n
