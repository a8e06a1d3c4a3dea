#!/usr/bin/env python3
"""Checks that every PromQL expression of a Grafana dashboard returns data from a Prometheus.

    scripts/check-dashboard.py --prometheus http://127.0.0.1:9090 [--dashboard dashboards/glmpipe.json]
                               [--var model=churn] [--var job=score] [--range 1h]

It collects every expression: the targets of every panel (panels inside collapsed rows
included), the annotation queries, and the query variables (label_values(selector, label)
becomes `count by (label) (selector)`). Grafana's variables are replaced by concrete values:
--var NAME=VALUE if given; else a variable with "All" selects its allValue (or every value it
lists), else its current value; $__interval is the panel's interval (default 1m),
$__rate_interval 4 x that, $__range the --range. Each expression is sent to Prometheus's HTTP
API (/api/v1/query, an instant query at now) and printed on one line:

    OK    <where>: <expression> (<n> series)
    FAIL  <where>: <expression>: no data | <error>

The exit code is 1 if any expression failed (or a panel names a datasource other than the
dashboard's ${datasource} variable), else 0. Standard library only.
"""
import argparse
import json
import re
import sys
import urllib.error
import urllib.parse
import urllib.request

VAR_RE = re.compile(r"\$\{(\w+)(?::[^}]*)?\}|\[\[(\w+)(?::[^\]]*)?\]\]|\$(\w+)")
LABEL_VALUES_RE = re.compile(r"^\s*label_values\(\s*(.*?)\s*,\s*(\w+)\s*\)\s*$", re.S)
DURATION_RE = re.compile(r"^(\d+)(ms|s|m|h|d|w|y)$")
SECONDS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800, "y": 31536000}


def seconds(duration):
    m = DURATION_RE.match(duration)
    if not m:
        raise ValueError(f"not a duration: {duration!r}")
    return int(m.group(1)) * SECONDS[m.group(2)]


def variable_values(dashboard, overrides):
    """Each template variable's replacement text (a regex alternation for several values)."""
    values = {}
    for v in dashboard.get("templating", {}).get("list", []):
        name = v.get("name")
        if not name or v.get("type") == "datasource":
            continue
        if name in overrides:
            values[name] = overrides[name]
            continue
        current = v.get("current") or {}
        selected = current.get("value")
        if isinstance(selected, str):
            selected = [selected]
        selected = selected or []
        if v.get("includeAll") and (not selected or "$__all" in selected):
            if v.get("allValue"):
                values[name] = v["allValue"]
                continue
            selected = [o.get("value") for o in v.get("options", []) if o.get("value") not in (None, "$__all")]
        if not selected:
            values[name] = None  # no value to use: an expression that needs it fails
        elif len(selected) == 1:
            values[name] = selected[0]
        else:
            values[name] = "(" + "|".join(re.escape(s) for s in selected) + ")"
    return values


def substitute(expr, values, interval, range_):
    """expr with every variable replaced; raises KeyError naming a variable it cannot fill."""
    step = seconds(interval)
    builtins = {
        "__interval": interval,
        "__interval_ms": str(int(step * 1000)),
        "__rate_interval": f"{int(max(4 * step, 60))}s",
        "__range": range_,
        "__range_s": str(int(seconds(range_))),
        "__range_ms": str(int(seconds(range_) * 1000)),
    }

    def one(m):
        name = m.group(1) or m.group(2) or m.group(3)
        if name in builtins:
            return builtins[name]
        if values.get(name) is None:
            raise KeyError(name)
        return values[name]

    return VAR_RE.sub(one, expr)


def panels_of(panels):
    """Every panel, those inside rows (collapsed rows keep theirs in 'panels') included."""
    for p in panels:
        yield p
        yield from panels_of(p.get("panels") or [])


def expressions(dashboard):
    """(where, expression, interval, datasource) for every PromQL expression of the dashboard."""
    found = []
    for v in dashboard.get("templating", {}).get("list", []):
        if v.get("type") != "query":
            continue
        q = v.get("query")
        text = q.get("query") if isinstance(q, dict) else q
        text = text or v.get("definition") or ""
        m = LABEL_VALUES_RE.match(text)
        if m:  # label_values(selector, label): the label must have values
            text = f"count by ({m.group(2)}) ({m.group(1)})"
        found.append((f"variable {v['name']}", text, None, v.get("datasource")))
    for a in dashboard.get("annotations", {}).get("list", []):
        ds = a.get("datasource") or {}
        if a.get("builtIn") or (isinstance(ds, dict) and ds.get("type") == "grafana"):
            continue
        expr = a.get("expr") or (a.get("target") or {}).get("expr")
        if expr:
            found.append((f"annotation {a.get('name')!r}", expr, None, ds))
    for p in panels_of(dashboard.get("panels", [])):
        for t in p.get("targets") or []:
            if t.get("expr"):
                found.append((f"panel {p.get('title')!r} {t.get('refId', '')}".rstrip(), t["expr"],
                              t.get("interval") or p.get("interval"), t.get("datasource") or p.get("datasource")))
    return found


def query(prometheus, expr):
    """(number of series, None) or (None, error text)."""
    url = prometheus.rstrip("/") + "/api/v1/query?" + urllib.parse.urlencode({"query": expr})
    try:
        with urllib.request.urlopen(url, timeout=30) as r:
            body = json.load(r)
    except urllib.error.HTTPError as e:
        try:
            body = json.load(e)
        except ValueError:
            return None, f"HTTP {e.code}"
    except OSError as e:
        return None, f"cannot reach {prometheus}: {e}"
    if body.get("status") != "success":
        return None, f"{body.get('errorType', 'error')}: {body.get('error', body)}"
    data = body["data"]
    if data["resultType"] in ("scalar", "string"):
        return 1, None
    return len(data["result"]), None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--prometheus", required=True, help="Prometheus base URL, e.g. http://127.0.0.1:9090")
    ap.add_argument("--dashboard", default="dashboards/glmpipe.json")
    ap.add_argument("--var", action="append", default=[], metavar="NAME=VALUE",
                    help="a template variable's value (repeatable); default: its All value or current value")
    ap.add_argument("--range", default="1h", help="the value of $__range (default 1h)")
    args = ap.parse_args()

    overrides = {}
    for kv in args.var:
        name, sep, value = kv.partition("=")
        if not sep:
            ap.error(f"--var wants NAME=VALUE, got {kv!r}")
        overrides[name] = value
    with open(args.dashboard, encoding="utf-8") as f:
        dashboard = json.load(f)
    values = variable_values(dashboard, overrides)

    found = expressions(dashboard)
    failed = 0
    if not found:
        print(f"FAIL  {args.dashboard}: no PromQL expression found")
        return 1
    for where, expr, interval, ds in found:
        uid = ds.get("uid") if isinstance(ds, dict) else ds
        if uid not in ("${datasource}", "$datasource"):
            failed += 1
            print(f"FAIL  {where}: datasource {uid!r} is not the dashboard's ${{datasource}} variable")
            continue
        try:
            concrete = substitute(expr, values, interval or "1m", args.range)
        except KeyError as e:
            failed += 1
            print(f"FAIL  {where}: {expr}: no value for variable ${e.args[0]}")
            continue
        except ValueError as e:
            failed += 1
            print(f"FAIL  {where}: {expr}: {e}")
            continue
        series, error = query(args.prometheus, concrete)
        if error:
            failed += 1
            print(f"FAIL  {where}: {concrete}: {error}")
        elif series == 0:
            failed += 1
            print(f"FAIL  {where}: {concrete}: no data")
        else:
            print(f"OK    {where}: {concrete} ({series} series)")
    print(f"{len(found) - failed} of {len(found)} expressions returned data")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
