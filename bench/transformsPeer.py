"""The `transforms` bench's peers: DuckDB and polars' eager API run the same pipeline as
bench/transforms.ts on the same CSV. Usage: transformsPeer.py duckdb|polars CSV OUT.csv
(paths are arguments, never spliced into SQL text). Prints the engine's own seconds as JSON."""
import json
import sys
import time

engine, csv_path, out_path = sys.argv[1:4]
t0 = time.perf_counter()

if engine == "duckdb":
    import duckdb

    con = duckdb.connect()
    con.execute("SET preserve_insertion_order = false")
    rel = con.sql(
        """
        SELECT category, count(*) AS orders, sum(revenue) AS revenue, avg(price) AS avg_price,
               min(price) AS min_price, max(qty) AS max_qty, max(label) AS max_label, min(tier) AS min_tier
        FROM (
          SELECT category, price, qty, price * qty * (1 - discount) AS revenue,
                 CASE WHEN price * qty > 500 THEN 'big' ELSE 'small' END AS tier,
                 upper(substr(customer, 1, 4)) || '-' || CAST(qty AS VARCHAR) AS label
          FROM read_csv($csv, header = true, columns = {'id': 'BIGINT', 'category': 'VARCHAR', 'customer': 'VARCHAR',
                 'price': 'DOUBLE', 'qty': 'BIGINT', 'discount': 'DOUBLE', 'status': 'VARCHAR'})
          WHERE status = 'paid' AND qty > 0 AND price >= 5 AND length(customer) > 3
        )
        GROUP BY category
        """,
        params={"csv": csv_path},
    )
    rel.write_csv(out_path, header=True)
elif engine == "polars":
    import polars as pl

    df = pl.read_csv(csv_path, schema_overrides={"price": pl.Float64, "qty": pl.Int64, "discount": pl.Float64})
    df = df.filter((pl.col("status") == "paid") & (pl.col("qty") > 0) & (pl.col("price") >= 5) & (pl.col("customer").str.len_chars() > 3))
    df = df.with_columns(
        revenue=pl.col("price") * pl.col("qty") * (1 - pl.col("discount")),
        tier=pl.when(pl.col("price") * pl.col("qty") > 500).then(pl.lit("big")).otherwise(pl.lit("small")),
        label=pl.col("customer").str.slice(0, 4).str.to_uppercase() + "-" + pl.col("qty").cast(pl.Utf8),
    )
    out = df.group_by("category").agg(
        orders=pl.len(), revenue=pl.col("revenue").sum(), avg_price=pl.col("price").mean(), min_price=pl.col("price").min(),
        max_qty=pl.col("qty").max(), max_label=pl.col("label").max(), min_tier=pl.col("tier").min(),
    )
    out.write_csv(out_path)
else:
    sys.exit(f"unknown engine {engine}")

print(json.dumps({"seconds": time.perf_counter() - t0}))
