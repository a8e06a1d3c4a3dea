#!/usr/bin/env python3
"""An analyst reading one date of an Iceberg scores table in a loop (test-s3.sh): PyIceberg
through the SQL (JDBC) catalog, and DuckDB's iceberg extension on the metadata file that catalog
names, alternately. Each read of the date must be whole: exactly EXPECT rows, each key once, one run's rows
(one scored_at). It reads until STOP_FILE exists, then prints one JSON line:
  {"reads": N, "pyiceberg": N, "duckdb": N, "failed_reads": N, "violations": [...]}
Extensions are loaded from the pip packages (duckdb-extension-*), never downloaded.
"""
import argparse
import importlib.util
import json
import os
import sys
import time
from pathlib import Path


def extension_path(name, version):
    spec = importlib.util.find_spec(f"duckdb_extension_{name}")
    if spec is None:
        sys.exit(f"pip package duckdb-extension-{name} is missing")
    path = Path(spec.origin).parent / "extensions" / f"v{version}" / f"{name}.duckdb_extension"
    if not path.exists():
        sys.exit(f"no {path}")
    return str(path)


def duckdb_connection(endpoint, key, secret):
    import duckdb
    con = duckdb.connect(config={"autoinstall_known_extensions": "false", "autoload_known_extensions": "false"})
    for name in ("httpfs", "avro", "iceberg"):
        con.execute(f"LOAD '{extension_path(name, duckdb.__version__)}'")
    host = endpoint.split("://", 1)[1]
    con.execute(f"""CREATE SECRET moto (TYPE s3, KEY_ID '{key}', SECRET '{secret}', ENDPOINT '{host}',
                    URL_STYLE 'path', USE_SSL false, REGION 'us-east-1')""")
    return con


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--catalog-uri", required=True, help="sqlite:///path of the SQL catalog")
    p.add_argument("--catalog-name", default="glmpipe")
    p.add_argument("--table", required=True, help="namespace.table")
    p.add_argument("--dt", required=True)
    p.add_argument("--expect", type=int, required=True)
    p.add_argument("--endpoint", required=True)
    p.add_argument("--stop-file", required=True)
    p.add_argument("--max-seconds", type=float, default=900)
    a = p.parse_args()
    key, secret = os.environ["AWS_ACCESS_KEY_ID"], os.environ["AWS_SECRET_ACCESS_KEY"]

    from pyiceberg.catalog.sql import SqlCatalog
    from pyiceberg.expressions import EqualTo
    catalog = SqlCatalog(a.catalog_name, **{
        "uri": a.catalog_uri, "s3.endpoint": a.endpoint, "s3.access-key-id": key, "s3.secret-access-key": secret,
        "s3.region": "us-east-1", "s3.path-style-access": "true"})
    con = duckdb_connection(a.endpoint, key, secret)

    counts = {"reads": 0, "pyiceberg": 0, "duckdb": 0, "failed_reads": 0, "snapshots_seen": 0}
    violations, snapshots = [], set()
    start = time.time()
    i = 0
    while not os.path.exists(a.stop_file) and time.time() - start < a.max_seconds:
        i += 1
        try:
            table = catalog.load_table(a.table)
            snapshots.add(table.metadata.current_snapshot_id)
            if i % 2:
                rows = table.scan(row_filter=EqualTo("dt", a.dt), selected_fields=("customer_id", "scored_at")).to_arrow()
                n = rows.num_rows
                keys = len(set(rows.column("customer_id").to_pylist()))
                runs = len(set(rows.column("scored_at").to_pylist()))
                counts["pyiceberg"] += 1
            else:
                n, keys, runs = con.execute(
                    "SELECT count(*), count(DISTINCT customer_id), count(DISTINCT scored_at) FROM iceberg_scan(?) "
                    "WHERE dt = CAST(? AS DATE)", [table.metadata_location, a.dt]).fetchone()
                counts["duckdb"] += 1
            counts["reads"] += 1
            if n != a.expect or keys != n or runs != 1:
                violations.append({"read": i, "engine": "pyiceberg" if i % 2 else "duckdb", "rows": n, "keys": keys,
                                   "runs": runs})
        except Exception as e:  # a failed read is not a wrong answer, but it is counted
            counts["failed_reads"] += 1
            if counts["failed_reads"] <= 3:
                print(f"read {i} failed: {e!r}"[:300], file=sys.stderr)
        time.sleep(0.05)
    counts["snapshots_seen"] = len(snapshots)
    counts["violations"] = violations[:20]
    counts["violation_count"] = len(violations)
    print(json.dumps(counts))


if __name__ == "__main__":
    main()
