#!/usr/bin/env python3
"""Kill trials: each job of the pipeline killed (SIGKILL) at a seeded random moment while a
reader polls its outputs, then rerun; the end state must equal a clean run's.

Run through scripts/test-faults.sh, which builds the jar, installs pyarrow (and, for
--store s3, starts an S3 server) and passes the store's settings here. Needs pyarrow.

How a run goes:
  1. calibration: one clean pipeline on the sample data (preprocess, train, evaluate, export,
     score, monitor), timing each job and keeping a snapshot of the store after each one;
  2. each trial of a job J: a world is copied from a snapshot, either the state before J
     ("fresh": J's outputs do not exist yet) or after it ("rerun": J replaces its own outputs),
     the mode drawn from the seed; J starts as its own JVM, a reader thread polls the world,
     and J is killed after a delay drawn from [0, J's clean duration]; J is run again with the
     same arguments and must exit 0; then the world is compared with the clean state.

What the reader checks on every poll (a violation fails the trial):
  - tables (features, quarantine, scores, monitoring): a committed partition (its _SUCCESS is
    there) has exactly the clean run's rows: the same count, no key twice, the same content
    (sorted rows hashed without run-dependent columns). Features, scores and monitoring are
    published by renaming a whole staged directory, so on a local disk any visible dt=
    directory must be committed; quarantine is written in place and only its _SUCCESS counts;
  - the registry: a version directory with a manifest verifies (every file's SHA-256, no file
    missing or extra); so does an exports directory with a manifest; an alias parses and
    points at a verified version whose manifest has the SHA-256 the alias pinned; every
    evaluation, alias-history and scoring-ledger JSON parses.
A read that races a rename (a file gone between listing and reading) is counted, not judged.

Equivalences (what "equals a clean run's end state" means):
  - tables: the same committed partitions with the same row content, ignoring scored_at,
    quarantined_at, computed_at and run_id; no uncommitted dt= directory left visible;
  - JSON records (manifests, evaluations, exports, aliases, the ledger): equal once times,
    run ids and the file-hash list are removed and the store root is masked; doubles are
    compared to 9 significant digits; model.onnx by its bytes;
  - train makes a new version id per run: the versions that were there stay as they were, and
    the new complete versions are exactly one more than the killed run had completed (a run
    killed after its manifest was written has made a version), each with the clean version's
    content (manifest: coefficients, objective history, row counts, spec, schema). A version
    directory without a manifest is invisible to readers and reported, not failed.
"""
import argparse
import hashlib
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import threading
import time

import pyarrow as pa
import pyarrow.fs as pafs
import pyarrow.parquet as pq

DAYS = ["2026-11-01", "2026-11-02", "2026-11-03"]
JOBS = ["preprocess", "train", "evaluate", "export", "score", "monitor"]
ARGS = {
    "preprocess": ["--from", DAYS[0], "--to", DAYS[2]],
    "train": ["--from", DAYS[0], "--to", DAYS[1]],
    "evaluate": [],
    "export": [],
    "score": ["--from", DAYS[0], "--to", DAYS[2]],
    "monitor": ["--from", DAYS[0], "--to", DAYS[2]],
}
MODEL = "churn"
# table: (path under the root, key columns or None, run-dependent columns, published by a rename)
TABLES = {
    "features": ("features", ["customer_id"], [], True),
    "quarantine": ("quarantine", None, ["quarantined_at"], False),
    "scores": ("scores/" + MODEL, ["customer_id"], ["scored_at"], True),
    "monitoring": ("monitoring/" + MODEL, ["model_version", "kind", "feature", "metric"], ["computed_at", "run_id"], True),
}
VOLATILE_KEYS = {"run_id", "created_at", "updated_at", "at", "evaluated_at", "scored_at", "computed_at",
                 "quarantined_at", "input_committed_at", "files", "by"}


class Raced(Exception):
    """A read that lost a race with a rename: not a verdict either way."""


class Store:
    """The files of one store (local disk or S3) through pyarrow's file systems."""

    def __init__(self, fs, base, uri_base, local):
        self.fs, self.base, self.uri_base, self.local = fs, base.rstrip("/"), uri_base.rstrip("/"), local

    def path(self, name):
        return self.base + "/" + name

    def uri(self, name):
        return self.uri_base + "/" + name

    def listing(self, path):
        """{relative path: (size, mtime)} of every file under path (empty if it is not there)."""
        sel = pafs.FileSelector(path, recursive=True, allow_not_found=True)
        out = {}
        for info in self.fs.get_file_info(sel):
            if info.type == pafs.FileType.File:
                out[info.path[len(path) + 1:]] = (info.size, info.mtime_ns)
        return out

    def entries(self, path):
        """Names of the direct children of path that are directories (S3: common prefixes)."""
        sel = pafs.FileSelector(path, recursive=False, allow_not_found=True)
        return sorted(i.base_name for i in self.fs.get_file_info(sel) if i.type == pafs.FileType.Directory)

    def read(self, path):
        try:
            with self.fs.open_input_stream(path) as f:
                return f.read()
        except FileNotFoundError as e:
            raise Raced(str(e))
        except OSError as e:
            if "not found" in str(e).lower() or "no such file" in str(e).lower() or "NoSuchKey" in str(e):
                raise Raced(str(e))
            raise

    def copy(self, src, dst):
        if self.local:
            shutil.copytree(src, dst, symlinks=True)
        else:
            pafs.copy_files(src, dst, source_filesystem=self.fs, destination_filesystem=self.fs)

    def delete(self, path):
        if self.local:
            shutil.rmtree(path, ignore_errors=True)
        else:
            try:
                self.fs.delete_dir(path)
            except (FileNotFoundError, OSError):
                pass


def canon(value, masks):
    """A JSON value without run-dependent keys, the store root masked, doubles to 9 digits."""
    if isinstance(value, dict):
        return {k: canon(v, masks) for k, v in sorted(value.items()) if k not in VOLATILE_KEYS}
    if isinstance(value, list):
        return [canon(v, masks) for v in value]
    if isinstance(value, float):
        return float("%.9g" % value)
    if isinstance(value, str):
        return masks.sub("<root>", value)
    return value


def digest(obj):
    return hashlib.sha256(json.dumps(obj, sort_keys=True, default=str).encode()).hexdigest()[:16]


class Reader:
    """Everything the checks read from one world (root), with results cached by file listing."""

    def __init__(self, store, root):
        self.store, self.root = store, root
        # Any world's root (records copied from a snapshot name the root they were written under).
        bases = sorted({store.base, store.uri_base, store.uri_base.replace("s3a://", "s3://")}, key=len, reverse=True)
        self.masks = re.compile("(?:%s)/(?:snapshot/)?[^/\"]+" % "|".join(re.escape(b) for b in bases))
        self.cache = {}

    def _cached(self, key, listing, compute):
        sig = (key, tuple(sorted(listing.items())))
        if sig not in self.cache:
            self.cache[sig] = compute()
        return self.cache[sig]

    # --- tables ---------------------------------------------------------------------------
    def partition(self, table, dt):
        """(committed, rows, duplicate keys, content hash) of one dt= directory, or None if absent."""
        rel, keys, volatile, _ = TABLES[table]
        path = self.store.path(self.root + "/" + rel + "/dt=" + dt)
        listing = self.store.listing(path)
        if not listing:
            return None
        committed = "_SUCCESS" in listing

        def compute():
            rows = []
            sidecars = {}
            for name in sorted(listing):
                if "/" in name or name.startswith("."):
                    continue
                full = path + "/" + name
                if name.startswith("_"):
                    if name.endswith(".json"):
                        sidecars[name] = canon(json.loads(self.store.read(full)), self.masks)
                    continue
                try:
                    t = pq.read_table(pa.BufferReader(self.store.read(full)))
                except pa.ArrowInvalid as e:
                    raise Raced("unreadable parquet " + name + ": " + str(e))
                t = t.drop_columns([c for c in volatile if c in t.column_names])
                rows.extend(t.to_pylist())
            dups = 0
            if keys:
                seen = set()
                for r in rows:
                    k = tuple(r.get(c) for c in keys)
                    dups += k in seen
                    seen.add(k)
            lines = sorted(json.dumps(canon(r, self.masks), sort_keys=True, default=str) for r in rows)
            return (len(rows), dups, digest([lines, sidecars]))

        n, dups, h = self._cached(("part", table, dt), listing, compute)
        return committed, n, dups, h

    def tables(self):
        """{table: {dt: (rows, hash)}} of committed partitions, and the uncommitted dt= dirs."""
        out, uncommitted = {}, []
        for table, (rel, _, _, _) in TABLES.items():
            out[table] = {}
            for d in self.store.entries(self.store.path(self.root + "/" + rel)):
                if not d.startswith("dt="):
                    continue
                p = self.partition(table, d[3:])
                if p is None:
                    continue
                committed, n, dups, h = p
                if committed:
                    out[table][d[3:]] = (n, dups, h)
                else:
                    uncommitted.append(table + "/" + d)
        return out, uncommitted

    # --- registry --------------------------------------------------------------------------
    def reg(self, *parts):
        return self.store.path("/".join((self.root, "models", MODEL) + parts))

    def json_at(self, path):
        raw = self.store.read(path)
        try:
            return json.loads(raw)
        except ValueError:
            raise AssertionError("%s: not whole JSON (%d bytes)" % (path[len(self.store.path(self.root)) + 1:], len(raw)))

    def verified_dir(self, path):
        """The manifest of a published directory (a version, or exports) after checking every
        file's SHA-256 against it; None if it has no manifest (not published); AssertionError
        if it fails."""
        listing = self.store.listing(path)
        if "manifest.json" not in listing:
            return None

        def compute():
            manifest = self.json_at(path + "/manifest.json")
            files = manifest.get("files", {})
            found = {n for n in listing if n != "manifest.json" and not (os.path.basename(n).startswith(".") and n.endswith(".crc"))}
            problems = sorted(set(files) ^ found)
            for n in sorted(set(files) & found):
                if hashlib.sha256(self.store.read(path + "/" + n)).hexdigest() != files[n]:
                    problems.append(n + ": sha256 differs")
            if problems:
                raise AssertionError("%s fails verification: %s" % (path.rsplit("/", 2)[-2] + "/" + path.rsplit("/", 1)[-1], ", ".join(problems[:3])))
            return manifest, hashlib.sha256(self.store.read(path + "/manifest.json")).hexdigest()

        return self._cached(("dir", path), listing, compute)

    def registry(self):
        """The registry's canonical state; AssertionError on anything a reader must never see."""
        state = {"versions": {}, "incomplete": [], "exports": {}, "evaluations": {}, "aliases": {}, "history": [], "ledger": {}}
        for v in self.store.entries(self.reg("versions")):
            if v.startswith("_") or v.startswith("."):  # _tmp-<v>: still being written, not a version
                state["incomplete"].append(v)
                continue
            got = self.verified_dir(self.reg("versions", v))
            if got is None:
                state["incomplete"].append(v)
            else:
                manifest, sha = got
                fp = canon({k: val for k, val in manifest.items() if k != "version"}, self.masks)
                state["versions"][v] = (digest(fp), sha)
        for v in self.store.entries(self.reg("exports")):
            if v.startswith("_") or v.startswith("."):  # _tmp-<v>-…: staged exports
                continue
            got = self.verified_dir(self.reg("exports", v))
            if got is not None:
                files = {}
                for n in got[0].get("files", {}):
                    raw = self.store.read(self.reg("exports", v, n))
                    if n.endswith(".json"):
                        files[n] = digest(canon(json.loads(raw), self.masks))
                    elif n.endswith(".onnx"):
                        # The graph's bytes vary between runs (attribute order inside a node);
                        # its scores are checked against Spark's by the export (onnx.json).
                        files[n] = len(raw)
                    else:
                        files[n] = hashlib.sha256(raw).hexdigest()[:16]
                files["manifest.json"] = digest(canon(got[0], self.masks))
                state["exports"][v] = files
        for name, (size, _) in self.store.listing(self.reg("evaluations")).items():
            if name.endswith(".json") and not name.startswith("."):
                state["evaluations"][name] = digest(canon(self.json_at(self.reg("evaluations", name)), self.masks))
        aliases = self.store.listing(self.reg("aliases"))
        for name in sorted(aliases):
            if name.startswith("history/") and name.endswith(".json"):
                h = self.json_at(self.reg("aliases", name))
                state["history"].append((h.get("alias"), h.get("action"), h.get("version"), h.get("replaced_version")))
            elif "/" not in name and name.endswith(".json") and not name.startswith("."):
                a = self.json_at(self.reg("aliases", name))
                v = a.get("version")
                got = state["versions"].get(v)
                if got is None:
                    raise AssertionError("alias %s points at %s, which is not a complete version" % (name, v))
                if got[1] != a.get("manifest_sha256"):
                    raise AssertionError("alias %s pins manifest %s, version %s has %s" % (name, a.get("manifest_sha256"), v, got[1]))
                state["aliases"][name] = (v, a.get("previous_version"))
        ledger = self.store.path(self.root + "/scores/" + MODEL + "/_ledger")
        for name in sorted(self.store.listing(ledger)):
            if name.endswith(".json") and not os.path.basename(name).startswith("."):
                state["ledger"][name] = digest(canon(self.json_at(ledger + "/" + name), self.masks))
        state["history"].sort(key=lambda h: json.dumps(h))
        return state

    def leftovers(self):
        """What killed writes left hidden: staged or set-aside partitions, half-written versions."""
        out = []
        for table, (rel, _, _, renamed) in TABLES.items():
            for hidden in ("_staging", "_replaced"):
                out += [table + "/" + hidden + "/" + d for d in self.store.entries(self.store.path(self.root + "/" + rel + "/" + hidden))]
        return out

    def state(self):
        tables, uncommitted = self.tables()
        return {"tables": tables, "uncommitted": uncommitted, "registry": self.registry(), "leftovers": self.leftovers()}


class Poller(threading.Thread):
    """Polls a world while a job runs, and records what it saw."""

    def __init__(self, reader, expected_tables, local, interval):
        super().__init__(daemon=True)
        self.reader, self.expected, self.local, self.interval = reader, expected_tables, local, interval
        self.stop = threading.Event()
        self.polls = self.raced = 0
        self.violations = []
        self.seen_partitions = 0

    def run(self):
        while not self.stop.is_set():
            try:
                self.poll()
                self.polls += 1
            except (Raced, FileNotFoundError):
                self.raced += 1
            except AssertionError as e:
                self.violations.append(str(e))
            except Exception as e:  # a listing racing a rename on S3 and the like: counted
                self.raced += 1
                if not isinstance(e, OSError):
                    self.violations.append("reader error: %r" % e)
            if len(self.violations) >= 5:
                return
            self.stop.wait(self.interval)

    def poll(self):
        for table, (rel, _, _, renamed) in TABLES.items():
            for d in self.reader.store.entries(self.reader.store.path(self.reader.root + "/" + rel)):
                if not d.startswith("dt="):
                    continue
                p = self.reader.partition(table, d[3:])
                if p is None:
                    continue
                committed, n, dups, h = p
                if not committed:
                    if renamed and self.local:
                        raise AssertionError("%s/%s visible without _SUCCESS (%d rows)" % (table, d, n))
                    continue
                self.seen_partitions += 1
                want = self.expected[table].get(d[3:])
                if want is None:
                    raise AssertionError("%s/%s committed but not in the clean run" % (table, d))
                if dups:
                    raise AssertionError("%s/%s: %d duplicated keys" % (table, d, dups))
                if (n, h) != (want[0], want[2]):
                    raise AssertionError("%s/%s: %d rows (clean run: %d)%s" % (table, d, n, want[0], ", other content" if n == want[0] else ""))
        self.reader.registry()


def diff(a, b, path=""):
    """Where two canonical states differ, as short lines."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for k in sorted(set(a) | set(b), key=str):
            if k not in a:
                out.append("%s/%s: only in the clean run" % (path, k))
            elif k not in b:
                out.append("%s/%s: not in the clean run" % (path, k))
            else:
                out.extend(diff(a[k], b[k], "%s/%s" % (path, k)))
        return out
    return [] if a == b else ["%s: %s, clean run %s" % (path, str(a)[:80], str(b)[:80])]


class Harness:
    def __init__(self, opts):
        self.o = opts
        self.local = opts.store == "local"
        if self.local:
            os.makedirs(opts.work, exist_ok=True)
            base = os.path.abspath(opts.work)
            self.store = Store(pafs.LocalFileSystem(), base, base, True)
        else:
            host = opts.s3_endpoint.split("://", 1)[1]
            fs = pafs.S3FileSystem(endpoint_override=host, scheme="http", region="us-east-1",
                                   access_key=os.environ["AWS_ACCESS_KEY_ID"], secret_key=os.environ["AWS_SECRET_ACCESS_KEY"])
            self.store = Store(fs, opts.s3_bucket + "/faults", "s3a://" + opts.s3_bucket + "/faults", False)
        os.makedirs(opts.logs, exist_ok=True)

    def command(self, job, root):
        return [self.o.glmpipe, job, *self.o.conf, "--set", "storage.root=" + self.store.uri(root), *ARGS[job]]

    def start(self, job, root, log):
        return subprocess.Popen(self.command(job, root), stdout=subprocess.PIPE, stderr=open(log, "w"),
                                stdin=subprocess.DEVNULL, start_new_session=True)

    def run(self, job, root, log):
        t0 = time.time()
        p = self.start(job, root, log)
        out, _ = p.communicate()
        return p.returncode, time.time() - t0, out.decode(errors="replace").strip()

    def calibrate(self, jobs):
        """One clean pipeline, timing each job; snapshot/<i> is the store after job i (0: nothing)."""
        clean = "clean"
        self.store.delete(self.store.path(clean))
        self.durations, self.expected = {}, {}
        last = max(JOBS.index(j) for j in jobs)
        for i, job in enumerate(JOBS[:last + 1]):
            rc, secs, out = self.run(job, clean, os.path.join(self.o.logs, "clean-%s.log" % job))
            if rc != 0:
                sys.exit("kill trials: the clean %s failed (exit %d), see %s/clean-%s.log" % (job, rc, self.o.logs, job))
            self.durations[job] = secs
            snap = "snapshot/%d-%s" % (i + 1, job)
            self.store.delete(self.store.path(snap))
            self.store.copy(self.store.path(clean), self.store.path(snap))
            self.expected[job] = Reader(self.store, clean).state()
            print("clean %-10s %5.1f s" % (job, secs), flush=True)
        self.snapshots = {job: "snapshot/%d-%s" % (i + 1, job) for i, job in enumerate(JOBS)}

    def trial(self, n, job, rng):
        i = JOBS.index(job)
        mode = rng.choice(["fresh", "rerun"])
        delay = rng.uniform(0, self.durations[job])
        root = "trial-%03d-%s" % (n, job)
        self.store.delete(self.store.path(root))
        source = self.snapshots[job] if mode == "rerun" else (self.snapshots[JOBS[i - 1]] if i > 0 else None)
        if source:
            self.store.copy(self.store.path(source), self.store.path(root))
        pre = Reader(self.store, root).state()
        expected = self.expected[job]
        reader = Reader(self.store, root)
        poller = Poller(reader, expected["tables"], self.local, self.o.poll_interval)
        poller.start()
        log = os.path.join(self.o.logs, root)
        p = self.start(job, root, log + "-killed.log")
        try:
            p.wait(timeout=delay)
            killed = False
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)  # the launcher execs java: the group is the JVM
            p.wait()
            killed = True
        try:
            after_kill = Reader(self.store, root).state()
        except (AssertionError, Raced) as e:
            poller.violations.append("after the kill: %s" % e)
            after_kill = pre
        rc, secs, _ = self.run(job, root, log + "-rerun.log")
        time.sleep(self.o.poll_interval * 2)
        poller.stop.set()
        poller.join()
        reasons = list(poller.violations)
        if rc != 0:
            reasons.append("rerun exited %d (%s-rerun.log)" % (rc, root))
        end = None
        try:
            end = Reader(self.store, root).state()
            reasons.extend(self.compare(job, pre, after_kill, end, expected))
        except (AssertionError, Raced) as e:
            reasons.append("end state: %s" % e)
        ok = not reasons
        saw = "%d polls, %d committed partitions seen, %d raced reads" % (poller.polls, poller.seen_partitions, poller.raced)
        if end and end["registry"]["incomplete"]:
            saw += ", %d version dir(s) without manifest left (invisible)" % len(end["registry"]["incomplete"])
        what = "killed at %.1f s" % delay if killed else "finished (rc %s) before %.1f s" % (p.returncode, delay)
        print("trial %3d %-10s %-5s %-26s reader: %s; %s" % (n, job, mode, what, saw, "PASS" if ok else "FAIL: " + "; ".join(reasons[:4])), flush=True)
        if ok and not self.o.keep:
            self.store.delete(self.store.path(root))
        return ok

    def compare(self, job, pre, after_kill, end, expected):
        reasons = []
        if end["leftovers"]:
            reasons.append("the rerun left hidden leftovers: " + ", ".join(end["leftovers"][:3]))
        if end["uncommitted"]:
            reasons.append("uncommitted partitions left visible: " + ", ".join(end["uncommitted"]))
        if job != "train":
            reasons.extend(diff(canon_state(end), canon_state(expected)))
            return reasons
        # train: the old versions unchanged, and one new complete version more than the killed
        # run completed, each with the clean version's content.
        reasons.extend(diff(canon_state(end, versions=False), canon_state(expected, versions=False)))
        before = pre["registry"]["versions"]
        clean_new = [fp for v, (fp, _) in expected["registry"]["versions"].items()]
        for v, got in before.items():
            if end["registry"]["versions"].get(v) != got:
                reasons.append("version %s changed" % v)
        killed_new = [v for v in after_kill["registry"]["versions"] if v not in before]
        new = [v for v in end["registry"]["versions"] if v not in before]
        if len(new) != len(killed_new) + 1:
            reasons.append("%d new complete versions (the killed run completed %d, so %d expected)" % (len(new), len(killed_new), len(killed_new) + 1))
        for v in new:
            if end["registry"]["versions"][v][0] not in clean_new:
                reasons.append("new version %s differs from the clean train's" % v)
        return reasons


def canon_state(state, versions=True):
    s = {"tables": state["tables"], "registry": dict(state["registry"])}
    s["registry"].pop("incomplete")
    if not versions:
        s["registry"].pop("versions")
    return s


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--trials", type=int, default=1, help="trials per job")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--store", choices=["local", "s3"], default="local")
    ap.add_argument("--jobs", default=",".join(JOBS))
    ap.add_argument("--work", required=True, help="a directory for the worlds (local) and logs")
    ap.add_argument("--logs", required=True)
    ap.add_argument("--glmpipe", required=True)
    ap.add_argument("--s3-endpoint")
    ap.add_argument("--s3-bucket")
    ap.add_argument("--poll-interval", type=float, default=0.1)
    ap.add_argument("--keep", action="store_true", help="keep passed trials' worlds")
    ap.add_argument("conf", nargs=argparse.REMAINDER, help="after --: the config options of every job")
    o = ap.parse_args()
    o.conf = [c for c in o.conf if c != "--"]
    jobs = [j for j in o.jobs.split(",") if j]
    unknown = [j for j in jobs if j not in JOBS]
    if unknown:
        sys.exit("kill trials: unknown job(s) %s (known: %s)" % (", ".join(unknown), ", ".join(JOBS)))
    h = Harness(o)
    h.calibrate(jobs)
    rng = random.Random(o.seed)
    passed = failed = 0
    n = 0
    for _ in range(o.trials):
        for job in jobs:
            n += 1
            if h.trial(n, job, rng):
                passed += 1
            else:
                failed += 1
    print("kill trials: %d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
