#!/usr/bin/env python3
"""Prints the Spark jobs of an event log as a timeline: where a run's time goes between jobs.

    scripts/spark-event-timeline.py <event log file, or the directory of them> [--last N]

One line a job: its id, when it was submitted and when it completed (seconds before the last
job of the log completed), how long it ran, and its description (glmpipe names each step).
Write an event log with, e.g.,
    scripts/bench-score.sh --set spark.conf.spark.eventLog.enabled=true --set spark.conf.spark.eventLog.dir=DIR
"""
import argparse
import json
import os
import sys


def newest(path):
    if os.path.isdir(path):
        files = [os.path.join(path, f) for f in os.listdir(path)]
        files = [f for f in files if os.path.isfile(f)]
        if not files:
            sys.exit(f"no event log in {path}")
        return max(files, key=os.path.getmtime)
    return path


def jobs(log):
    found = {}
    with open(log, encoding="utf-8") as lines:
        for line in lines:
            event = json.loads(line)
            kind = event["Event"]
            if kind == "SparkListenerJobStart":
                description = event.get("Properties", {}).get("spark.job.description", "")
                found[event["Job ID"]] = [event["Submission Time"], None, description]
            elif kind == "SparkListenerJobEnd" and event["Job ID"] in found:
                found[event["Job ID"]][1] = event["Completion Time"]
    return found


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("log")
    parser.add_argument("--last", type=int, default=0, help="only the last N jobs")
    args = parser.parse_args()
    found = jobs(newest(args.log))
    ids = sorted(i for i in found if found[i][1] is not None)
    if not ids:
        sys.exit("no completed job in the event log")
    end = max(found[i][1] for i in ids)
    print(f"{'job':>5} {'submitted':>10} {'completed':>10} {'seconds':>8}  description")
    for i in ids[-args.last:] if args.last else ids:
        start, stop, description = found[i]
        print(f"{i:>5} {(start - end) / 1000:>10.3f} {(stop - end) / 1000:>10.3f} {(stop - start) / 1000:>8.3f}  {description}")


if __name__ == "__main__":
    main()
