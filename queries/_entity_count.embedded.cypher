// LadybugDB has no common label: count every table (the system tables' few rows make this an upper bound).
MATCH (n)
RETURN count(n) AS n
