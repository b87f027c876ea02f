"""The star schema (星型模型): facts and conformed dimensions copied from the operational database
into Parquet files and queried with DuckDB. Pages and services reach it through `store.connect()`;
`refresh.warehouse_build()` writes it. The view SQL is plain ANSI (window functions, joins) so that
the same statements run on Spark over the same files."""
