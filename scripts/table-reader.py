#!/usr/bin/env python3
"""An analyst reading one date of the scores table in a loop (test-s3.sh), as published on S3:

  --format iceberg       PyIceberg through the SQL (JDBC) catalog, and DuckDB's iceberg extension
                         on the metadata file that catalog names, alternately;
  --format hive-parquet  Spark SQL (PySpark) through a Hive metastore, the catalog-published
                         Parquet table (`score --table`), as Athena, Trino or Spark read it.

Each read of the date must be whole: exactly EXPECT rows, each key once, one run's rows (one
scored_at). It reads until STOP_FILE exists, then prints one JSON line:
  {"reads": N, "failed_reads": N, "versions_seen": N, <reads per engine>, "violations": [...]}
versions_seen counts the table's Iceberg snapshots, or the date's partition locations, it saw.
DuckDB's extensions are loaded from the pip packages (duckdb-extension-*), never downloaded.
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


class IcebergReads:
    """PyIceberg (odd reads) and DuckDB (even reads) on the table the SQL catalog names now."""

    def __init__(self, a, key, secret):
        from pyiceberg.catalog.sql import SqlCatalog
        self.catalog = SqlCatalog(a.catalog_name, **{
            "uri": a.catalog_uri, "s3.endpoint": a.endpoint, "s3.access-key-id": key, "s3.secret-access-key": secret,
            "s3.region": "us-east-1", "s3.path-style-access": "true"})
        self.con = duckdb_connection(a.endpoint, key, secret)
        self.a = a

    def read(self, i):
        """(engine, rows, distinct keys, distinct runs, the snapshot read)"""
        from pyiceberg.expressions import EqualTo
        table = self.catalog.load_table(self.a.table)
        snapshot = table.metadata.current_snapshot_id
        if i % 2:
            rows = table.scan(row_filter=EqualTo("dt", self.a.dt), selected_fields=("customer_id", "scored_at")).to_arrow()
            return ("pyiceberg", rows.num_rows, len(set(rows.column("customer_id").to_pylist())),
                    len(set(rows.column("scored_at").to_pylist())), snapshot)
        n, keys, runs = self.con.execute(
            "SELECT count(*), count(DISTINCT customer_id), count(DISTINCT scored_at) FROM iceberg_scan(?) "
            "WHERE dt = CAST(? AS DATE)", [table.metadata_location, self.a.dt]).fetchone()
        return "duckdb", n, keys, runs, snapshot


class HiveParquetReads:
    """Spark SQL through the Hive metastore: each query lists the date's partition in the
    metastore again, so it reads whichever run directory the catalog names when it is planned."""

    def __init__(self, a, _key, _secret):  # the credentials come from the environment
        from pyspark.sql import SparkSession
        s3a = "spark.hadoop.fs.s3a."
        builder = (SparkSession.builder.master("local[1]").appName("table-reader")
                   .config("spark.sql.catalogImplementation", "hive")
                   .config("spark.hadoop.hive.metastore.uris", a.metastore_uri)
                   .config("spark.driver.extraClassPath", a.extra_classpath)
                   .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
                   .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
                   .config(s3a + "endpoint", a.endpoint).config(s3a + "endpoint.region", "us-east-1")
                   .config(s3a + "path.style.access", "true").config(s3a + "connection.ssl.enabled", "false")
                   .config(s3a + "aws.credentials.provider", "com.amazonaws.auth.EnvironmentVariableCredentialsProvider"))
        self.spark = builder.getOrCreate()
        self.spark.sparkContext.setLogLevel("ERROR")
        self.a = a

    def read(self, i):
        dt = self.a.dt.replace("'", "")
        location = next((r[1] for r in self.spark.sql(
            f"DESCRIBE TABLE EXTENDED {self.a.table} PARTITION (dt = '{dt}')").collect() if r[0] == "Location"), None)
        n, keys, runs = self.spark.sql(
            f"SELECT count(*), count(DISTINCT customer_id), count(DISTINCT scored_at) FROM {self.a.table} "
            f"WHERE dt = '{dt}'").collect()[0]
        return "spark", n, keys, runs, location


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--format", choices=("iceberg", "hive-parquet"), default="iceberg")
    p.add_argument("--catalog-uri", help="iceberg: sqlite:///path of the SQL catalog")
    p.add_argument("--catalog-name", default="glmpipe")
    p.add_argument("--metastore-uri", help="hive-parquet: thrift://127.0.0.1:PORT")
    p.add_argument("--extra-classpath", default="", help="hive-parquet: hadoop-aws and the AWS SDK bundle")
    p.add_argument("--table", required=True, help="namespace.table (Iceberg) or db.table (Hive)")
    p.add_argument("--dt", required=True)
    p.add_argument("--expect", type=int, required=True)
    p.add_argument("--endpoint", required=True)
    p.add_argument("--stop-file", required=True)
    p.add_argument("--max-seconds", type=float, default=900)
    a = p.parse_args()
    key, secret = os.environ["AWS_ACCESS_KEY_ID"], os.environ["AWS_SECRET_ACCESS_KEY"]
    source = (IcebergReads if a.format == "iceberg" else HiveParquetReads)(a, key, secret)

    counts = {"reads": 0, "failed_reads": 0}
    violations, versions = [], set()
    start = time.time()
    i = 0
    while not os.path.exists(a.stop_file) and time.time() - start < a.max_seconds:
        i += 1
        try:
            engine, n, keys, runs, version = source.read(i)
            versions.add(version)
            counts["reads"] += 1
            if counts["reads"] == 1:
                print(f"first read: {n} rows", file=sys.stderr, flush=True)  # test-s3.sh waits for it
            counts[engine] = counts.get(engine, 0) + 1
            if n != a.expect or keys != n or runs != 1:
                violations.append({"read": i, "engine": engine, "rows": n, "keys": keys, "runs": runs})
        except Exception as e:  # a failed read is not a wrong answer, but it is counted
            counts["failed_reads"] += 1
            if counts["failed_reads"] <= 3:
                print(f"read {i} failed: {e!r}"[:300], file=sys.stderr)
        time.sleep(0.05)
    counts["versions_seen"] = len(versions)
    counts["violations"] = violations[:20]
    counts["violation_count"] = len(violations)
    print(json.dumps(counts))


if __name__ == "__main__":
    main()
