#!/usr/bin/env python3
"""Load test: `fundkg serve` beside rdflib-endpoint serving the same graph, both on 127.0.0.1, same run.

Sends a bounded number of SPARQL queries (default 200, 8 at a time) to each server, checks both give the
same number of rows, and prints throughput, latency percentiles and errors side by side with the ratio.
Both servers are child processes on free loopback ports, stopped at the end whatever happens.

    .venv/bin/pip install -e '.[bench]'     # rdflib-endpoint and uvicorn, for the baseline only
    .venv/bin/python scripts/load_serve.py --queries 200 --concurrency 8
"""
from __future__ import annotations

import argparse
import json
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PREFIX = "PREFIX fkg: <https://w3id.org/funding-kg/ontology#>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
QUERIES = {
    "count by class": "SELECT ?c (COUNT(?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c ORDER BY DESC(?n)",
    "amounts by year and kind": PREFIX + "SELECT ?y ?k (SUM(?yen) AS ?total) WHERE { ?a a fkg:Allocation ; "
    "fkg:fiscalYear/fkg:year ?y ; fkg:budgetKind ?k ; fkg:amountYen ?yen } GROUP BY ?y ?k ORDER BY ?y ?k",
    "flows with labels": PREFIX + "SELECT ?f ?from ?to WHERE { ?f a fkg:FundingFlow ; fkg:funder/rdfs:label ?from ; "
    "fkg:recipient/rdfs:label ?to FILTER(LANG(?from) = 'en' && LANG(?to) = 'en') } ORDER BY ?f",
    "evidence of programs": PREFIX + "SELECT ?p ?line ?quote WHERE { ?p a fkg:Program ; fkg:evidence ?s . ?s fkg:line "
    "?line ; <http://www.w3.org/ns/oa#hasSelector>/<http://www.w3.org/ns/oa#exact> ?quote } ORDER BY ?p ?line",
}
BASELINE_APP = """
import sys, uvicorn
from rdflib import Graph
from rdflib_endpoint import SparqlEndpoint
g = Graph().parse(sys.argv[1])
app = SparqlEndpoint(graph=g, path="/sparql", cors_enabled=True)
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[2]), log_level="warning")
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ask(url: str, query: str, timeout: float = 60) -> tuple[int, int, float]:
    """(HTTP status, number of result rows, seconds) for one GET query."""
    full = url + "?" + urllib.parse.urlencode({"query": query})
    req = urllib.request.Request(full, headers={"Accept": "application/sparql-results+json"})
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            body = r.read()
            status = r.status
    except urllib.error.HTTPError as exc:
        return exc.code, -1, time.perf_counter() - start
    except OSError:
        return 0, -1, time.perf_counter() - start
    rows = len(json.loads(body)["results"]["bindings"])
    return status, rows, time.perf_counter() - start


def wait_ready(url: str, proc: subprocess.Popen, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server for {url} exited with code {proc.returncode}")
        if ask(url, "SELECT * WHERE { ?s ?p ?o } LIMIT 1", timeout=5)[0] == 200:
            return
        time.sleep(0.3)
    raise SystemExit(f"server for {url} did not answer within {seconds:g} s")


def load(url: str, n: int, concurrency: int) -> dict:
    names = list(QUERIES)
    jobs = [names[i % len(names)] for i in range(n)]
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        results = list(pool.map(lambda name: (name, *ask(url, QUERIES[name])), jobs))
    wall = time.perf_counter() - start
    lat = sorted(r[3] * 1000 for r in results)
    ok = [r for r in results if r[1] == 200]
    rows = {}
    for name, status, nrows, _ in ok:
        rows.setdefault(name, set()).add(nrows)
    q = statistics.quantiles(lat, n=100) if len(lat) > 1 else lat * 99
    return {"ok": len(ok), "errors": n - len(ok), "seconds": wall, "qps": len(ok) / wall,
            "p50": q[49], "p90": q[89], "p99": q[98], "rows": rows}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--queries", type=int, default=200, help="queries per server (bounded)")
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--workers", type=int, default=2, help="query worker processes of fundkg serve")
    args = ap.parse_args()
    n = max(1, min(args.queries, 5000))

    from kg.build import build_graph, write_graph

    tmp = Path(tempfile.mkdtemp(prefix="fundkg-load-"))
    graph_file = write_graph(build_graph(), tmp)
    servers = {"fundkg serve": None, "rdflib-endpoint": None}
    procs = []
    try:
        port = free_port()
        procs.append(subprocess.Popen([sys.executable, "-m", "kg", "serve", "--graph", str(graph_file), "--port",
                                       str(port), "--workers", str(args.workers), "--threads",
                                       str(args.concurrency)], cwd=ROOT, stderr=subprocess.DEVNULL))
        servers["fundkg serve"] = (f"http://127.0.0.1:{port}/sparql", procs[-1])
        try:
            import rdflib_endpoint  # noqa: F401
            import uvicorn  # noqa: F401
        except ImportError:
            print("rdflib-endpoint is not installed (pip install -e '.[bench]'): measuring fundkg serve alone")
            servers.pop("rdflib-endpoint")
        else:
            port = free_port()
            procs.append(subprocess.Popen([sys.executable, "-c", BASELINE_APP, str(graph_file), str(port)],
                                          cwd=ROOT, stderr=subprocess.DEVNULL))
            servers["rdflib-endpoint"] = (f"http://127.0.0.1:{port}/sparql", procs[-1])
        report = {}
        for name, (url, proc) in servers.items():
            wait_ready(url, proc)
            load(url, min(n, 16), args.concurrency)  # warm up
            report[name] = load(url, n, args.concurrency)
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
    print(f"{n} queries per server, {args.concurrency} concurrent, {len(QUERIES)} different queries, "
          f"graph of {sum(1 for _ in open(graph_file, encoding='utf-8'))} Turtle lines")
    print(f"{'server':<18}{'ok':>6}{'errors':>8}{'q/s':>9}{'p50 ms':>9}{'p90 ms':>9}{'p99 ms':>9}")
    for name, r in report.items():
        print(f"{name:<18}{r['ok']:>6}{r['errors']:>8}{r['qps']:>9.1f}{r['p50']:>9.1f}{r['p90']:>9.1f}{r['p99']:>9.1f}")
    if len(report) == 2:
        ours, base = report["fundkg serve"], report["rdflib-endpoint"]
        same = ours["rows"] == base["rows"]
        print(f"throughput ratio fundkg/rdflib-endpoint: {ours['qps'] / base['qps']:.1f}x; "
              f"median latency ratio rdflib-endpoint/fundkg: {base['p50'] / ours['p50']:.1f}x; "
              f"same row counts: {'yes' if same else 'NO ' + str((ours['rows'], base['rows']))}")
    return 0 if all(r["errors"] == 0 for r in report.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
