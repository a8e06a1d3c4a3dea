#!/usr/bin/env python3
"""What a pipeline run left under an S3 prefix, reduced to content that must not depend on the
run, and the comparison of two such digests. Used by scripts/test-s3-faults.sh.

  s3-digest.py digest ENDPOINT BUCKET PREFIX > digest.json
  s3-digest.py compare REFERENCE.json RUN.json [--visible]

digest: every dt= partition of the tables (raw CSV; features, quarantine, scores, monitoring
Parquet) with whether it is committed (_SUCCESS) and, if so, the SHA-256 of its rows in a
canonical order (run-dependent columns left out, the prefix taken out of paths), plus its side
files; the registry: complete versions (with manifest.json) and incomplete ones, the champion's
manifest, evaluation and exports as canonical JSON, the aliases, the size of the alias history,
and the scoring ledger.

compare: without --visible, the run must equal the reference exactly. With --visible (the state
after a job failed, before its rerun), only what readers can see must match: each committed
partition equals the reference's partition of that date, and an alias names a complete version;
partitions not committed (missing) and incomplete versions (ignored by readers) are allowed.
Needs boto3 and duckdb (.venv/moto).
"""
import hashlib
import json
import os
import re
import sys
import tempfile

# Columns whose values a rerun changes by design: when a row was quarantined or scored, and by
# which model version (a new id per training run).
RUN_COLUMNS = {"quarantined_at", "scored_at", "model_version", "monitored_at", "computed_at", "run_id"}
# JSON keys that name the run rather than its content.
RUN_KEYS = {"version", "created_at", "updated_at", "at", "run_id", "manifest_sha256", "files", "code_version",
            "previous_version", "replaced_version", "by", "written_at", "evaluated_at", "scored_at", "exported_at",
            "model_version", "sha256_of_manifest", "duration_seconds", "input_committed_at"}
TABLES = ("raw", "features", "quarantine", "scores/churn", "monitoring/churn")
VERSION_ID = re.compile(r"\d{8}-\d{6}-[0-9a-f]{4}")
# Random per write: Spark's part-file UUIDs and MLlib's stage uids (name_<12 hex digits>).
RANDOM_IDS = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|(?<=_)[0-9a-f]{12}\b")


def unrandom(text):
    return RANDOM_IDS.sub("<id>", VERSION_ID.sub("<version>", text))


def client(endpoint):
    import boto3
    return boto3.client("s3", endpoint_url=endpoint)


def keys(c, bucket, prefix):
    out = {}
    for page in c.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for o in page.get("Contents", []):
            out[o["Key"][len(prefix):]] = o["Size"]
    return out


def canonical(value, prefix):
    """JSON without run-dependent keys, with the prefix, version ids and run ids taken out of strings."""
    if isinstance(value, dict):
        return {k: canonical(v, prefix) for k, v in sorted(value.items()) if k not in RUN_KEYS}
    if isinstance(value, list):
        return [canonical(v, prefix) for v in value]
    if isinstance(value, str):
        return unrandom(value.replace(prefix, "<root>/"))
    return value


def sha(text):
    return hashlib.sha256(text.encode() if isinstance(text, str) else text).hexdigest()


def parquet_rows(files, prefix):
    import duckdb
    con = duckdb.connect()
    cols = [r[0] for r in con.execute("DESCRIBE SELECT * FROM read_parquet(?)", [files]).fetchall()]
    keep = [c for c in cols if c not in RUN_COLUMNS]
    rows = con.execute("SELECT %s FROM read_parquet(?)" % ", ".join('"%s"' % c for c in keep), [files]).fetchall()
    lines = sorted(VERSION_ID.sub("<version>", repr(r).replace(prefix, "<root>/")) for r in rows)
    return {"columns": keep, "rows": len(lines), "sha256": sha("\n".join(lines))}


def digest(endpoint, bucket, prefix):
    c = client(endpoint)
    prefix = prefix.rstrip("/") + "/"
    root_uri = "s3a://%s/%s" % (bucket, prefix)
    objects = keys(c, bucket, prefix)
    get = lambda key: c.get_object(Bucket=bucket, Key=prefix + key)["Body"].read()
    out = {"tables": {}, "registry": {}}
    with tempfile.TemporaryDirectory() as tmp:
        for table in TABLES:
            parts = {}
            for key in objects:
                m = re.match(re.escape(table) + r"/(dt=[^/]+)/(.+)$", key)
                if m:
                    parts.setdefault(m.group(1), []).append(m.group(2))
            digests = {}
            for dt, names in sorted(parts.items()):
                # Raw input (datagen's CSV) carries no marker: its files are compared as they are.
                entry = {"committed": "_SUCCESS" in names or table == "raw"}
                data = sorted(n for n in names if not n.split("/")[-1].startswith(("_", ".")))
                side = sorted(n for n in names if n.split("/")[-1].startswith("_") and n != "_SUCCESS")
                if table == "raw":
                    data = sorted(names)
                if entry["committed"]:
                    if table == "raw":
                        lines = []
                        for n in data:
                            lines += get("%s/%s/%s" % (table, dt, n)).decode().splitlines()
                        entry["rows"] = len(lines)
                        entry["sha256"] = sha("\n".join(sorted(lines)))
                    else:
                        files = []
                        for i, n in enumerate(data):
                            path = os.path.join(tmp, "%s-%s-%d.parquet" % (table.replace("/", "_"), dt, i))
                            with open(path, "wb") as f:
                                f.write(get("%s/%s/%s" % (table, dt, n)))
                            files.append(path)
                        entry.update(parquet_rows(files, root_uri) if files else {"rows": 0})
                    entry["side"] = {n: canonical(json.loads(get("%s/%s/%s" % (table, dt, n))), root_uri)
                                     for n in side if n.endswith(".json")}
                digests[dt] = entry
            out["tables"][table] = digests
        reg = out["registry"]
        model = "models/churn/"
        versions = {}
        for key in objects:
            m = re.match(re.escape(model) + r"versions/([^/]+)/(.*)$", key)
            if m:
                versions.setdefault(m.group(1), set()).add(m.group(2))
        complete = sorted(v for v, names in versions.items() if "manifest.json" in names)
        reg["complete_versions"] = len(complete)
        reg["incomplete_versions"] = len(versions) - len(complete)
        aliases = {}
        for name in ("champion", "previous"):
            key = model + "aliases/%s.json" % name
            if key in objects:
                alias = json.loads(get(key))
                aliases[name] = {"names_complete_version": alias.get("version") in complete,
                                 "is_latest_complete": bool(complete) and alias.get("version") == complete[-1]}
        reg["aliases"] = aliases
        reg["alias_history"] = sum(1 for k in objects if k.startswith(model + "aliases/history/"))
        if "champion" in aliases and aliases["champion"]["names_complete_version"]:
            v = json.loads(get(model + "aliases/champion.json"))["version"]
            manifest = json.loads(get(model + "versions/%s/manifest.json" % v))
            reg["champion_manifest"] = canonical(manifest, root_uri)
            reg["champion_files"] = sorted(unrandom(f) for f in manifest.get("files", {}))
            ev = model + "evaluations/%s.json" % v
            reg["champion_evaluation"] = canonical(json.loads(get(ev)), root_uri) if ev in objects else None
            exp = model + "exports/%s/" % v
            reg["champion_exports"] = {k[len(exp):]: (canonical(json.loads(get(k)), root_uri) if k.endswith(".json") else objects[k])
                                       for k in sorted(objects) if k.startswith(exp)}
        ledger = {}
        for key in objects:
            m = re.match(r"scores/churn/_ledger/(dt=[^/]+)/[^/]+\.json$", key)
            if m:
                ledger.setdefault(m.group(1), []).append(canonical(json.loads(get(key)), root_uri))
        reg["ledger"] = {dt: sorted(entries, key=json.dumps) for dt, entries in sorted(ledger.items())}
    return out


def differences(ref, run, visible):
    """One line per difference that counts."""
    diffs = []
    for table, parts in ref["tables"].items():
        got = run["tables"].get(table, {})
        for dt in sorted(set(parts) | set(got)):
            r, g = parts.get(dt), got.get(dt)
            if visible:
                if table == "raw":
                    continue  # generated input without a commit marker: judged after its rerun
                if g and g["committed"] and (not r or g != r):
                    diffs.append("%s/%s is committed but differs from the reference: %s vs %s" % (table, dt, g, r))
            elif r != g:
                diffs.append("%s/%s: %s, reference %s" % (table, dt, g, r))
    rreg, greg = ref["registry"], run["registry"]
    if visible:
        for name, alias in greg.get("aliases", {}).items():
            if not alias["names_complete_version"]:
                diffs.append("alias %s names a version without a manifest" % name)
        if "champion_manifest" in greg and greg["champion_manifest"] != rreg.get("champion_manifest"):
            diffs.append("the champion's manifest differs from the reference's")
    else:
        for key in sorted(set(rreg) | set(greg)):
            if key == "incomplete_versions":
                continue  # leftovers of a killed writer: readers ignore them (models list shows them)
            if rreg.get(key) != greg.get(key):
                diffs.append("registry %s: %s, reference %s" % (key, json.dumps(greg.get(key))[:400], json.dumps(rreg.get(key))[:400]))
    return diffs


def main():
    if len(sys.argv) == 5 and sys.argv[1] == "digest":
        json.dump(digest(*sys.argv[2:5]), sys.stdout, indent=1, sort_keys=True, default=str)
        return 0
    if len(sys.argv) in (4, 5) and sys.argv[1] == "compare":
        with open(sys.argv[2]) as f:
            ref = json.load(f)
        with open(sys.argv[3]) as f:
            run = json.load(f)
        diffs = differences(ref, run, visible=sys.argv[4:] == ["--visible"])
        for d in diffs:
            print(d)
        return 1 if diffs else 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
