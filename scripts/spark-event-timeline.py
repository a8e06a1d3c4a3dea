#!/usr/bin/env python3
"""Prints the Spark jobs of an event log as a timeline: where a run's time goes between jobs.

    scripts/spark-event-timeline.py <event log file, or the directory of them> [--last N] [--tasks]

One line a job: its id, when it was submitted and when it completed (seconds before the last
job of the log completed), how long it ran, the CPU seconds its tasks used (summed over
executors: on N cores a job that keeps them busy shows about N times its duration), and its
description (glmpipe names each step). With --tasks, each job's tasks follow it, one line each:
when it was launched and when it finished (seconds after the job was submitted), how long it ran
and the CPU seconds it used (a task that ran longer than it used CPU waited: for I/O, or for a
core that another thread, such as a JIT compiler or a driver thread, had), and the records it read.
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
    """Job id -> [submitted ms, completed ms, description, task CPU ns, tasks]; a task is
    (launched ms, finished ms, run ms, CPU ns, records read)."""
    found = {}
    job_of_stage = {}
    with open(log, encoding="utf-8") as lines:
        for line in lines:
            event = json.loads(line)
            kind = event["Event"]
            if kind == "SparkListenerJobStart":
                description = event.get("Properties", {}).get("spark.job.description", "")
                found[event["Job ID"]] = [event["Submission Time"], None, description, 0, []]
                for stage in event.get("Stage IDs", []):
                    job_of_stage[stage] = event["Job ID"]
            elif kind == "SparkListenerJobEnd" and event["Job ID"] in found:
                found[event["Job ID"]][1] = event["Completion Time"]
            elif kind == "SparkListenerTaskEnd" and job_of_stage.get(event["Stage ID"]) in found:
                metrics = event.get("Task Metrics") or {}
                job = found[job_of_stage[event["Stage ID"]]]
                job[3] += metrics.get("Executor CPU Time", 0)
                info = event["Task Info"]
                job[4].append((info["Launch Time"], info["Finish Time"], metrics.get("Executor Run Time", 0),
                               metrics.get("Executor CPU Time", 0), (metrics.get("Input Metrics") or {}).get("Records Read", 0)))
    return found


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("log")
    parser.add_argument("--last", type=int, default=0, help="only the last N jobs")
    parser.add_argument("--tasks", action="store_true", help="each job's tasks under it")
    args = parser.parse_args()
    found = jobs(newest(args.log))
    ids = sorted(i for i in found if found[i][1] is not None)
    if not ids:
        sys.exit("no completed job in the event log")
    end = max(found[i][1] for i in ids)
    print(f"{'job':>5} {'submitted':>10} {'completed':>10} {'seconds':>8} {'cpu':>7}  description")
    for i in ids[-args.last:] if args.last else ids:
        start, stop, description, cpu, tasks = found[i]
        print(f"{i:>5} {(start - end) / 1000:>10.3f} {(stop - end) / 1000:>10.3f} {(stop - start) / 1000:>8.3f}"
              f" {cpu / 1e9:>7.2f}  {description}")
        if args.tasks:
            for launched, finished, run, task_cpu, records in sorted(tasks):
                print(f"{'task':>16} +{(launched - start) / 1000:.3f} to +{(finished - start) / 1000:.3f}:"
                      f" ran {run / 1000:.3f} s, cpu {task_cpu / 1e9:.2f} s, read {records} records")


if __name__ == "__main__":
    main()
