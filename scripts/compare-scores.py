#!/usr/bin/env python3
"""Compares one date's scores written as Parquet with the same date in an Iceberg table of a
Hadoop catalog (test.sh: run-local.sh and run-local.sh --iceberg on the sample data), reading
both as an analyst would, without Spark: pyarrow for the Parquet directory, PyIceberg for the
table's current snapshot. Prints one JSON line and exits 1 unless both hold the same keys, each
once, with scores within --tolerance of each other.

  compare-scores.py --parquet OUT/scores/churn/dt=D --iceberg OUT2/iceberg/glmpipe/scores_churn --dt D
"""
import argparse
import json
import sys
from pathlib import Path


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--parquet", required=True, help="the date's directory of the Parquet scores")
    p.add_argument("--iceberg", required=True, help="the Iceberg table's directory (Hadoop catalog)")
    p.add_argument("--dt", required=True)
    p.add_argument("--key", default="customer_id")
    p.add_argument("--tolerance", type=float, default=0.0)
    a = p.parse_args()

    import pyarrow.parquet as pq
    from pyiceberg.expressions import EqualTo
    from pyiceberg.table import StaticTable

    files = sorted(Path(a.parquet).glob("part-*.parquet"))
    if not files:
        sys.exit(f"no part-*.parquet in {a.parquet}")
    parquet = {r[a.key]: r["score"] for r in pq.ParquetDataset([str(f) for f in files]).read(
        columns=[a.key, "score"]).to_pylist()}
    metadata = Path(a.iceberg) / "metadata"
    current = metadata / f"v{(metadata / 'version-hint.text').read_text().strip()}.metadata.json"
    rows = StaticTable.from_metadata(str(current)).scan(
        row_filter=EqualTo("dt", a.dt), selected_fields=(a.key, "score")).to_arrow().to_pylist()
    iceberg = {r[a.key]: r["score"] for r in rows}

    shared = parquet.keys() & iceberg.keys()
    diff = max((abs(parquet[k] - iceberg[k]) for k in shared), default=0.0)
    verdict = {"parquet_rows": len(parquet), "iceberg_rows": len(rows), "iceberg_keys": len(iceberg),
               "keys_only_in_one": len(parquet.keys() ^ iceberg.keys()), "max_abs_score_diff": diff}
    print(json.dumps(verdict))
    ok = len(rows) == len(iceberg) == len(parquet) > 0 and not verdict["keys_only_in_one"] and diff <= a.tolerance
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
