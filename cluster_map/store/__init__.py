"""The DuckDB store: the only place in Cluster Map that speaks SQL."""
