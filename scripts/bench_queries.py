#!/usr/bin/env python3
"""Time every shipped query on Oxigraph (kg.store.GraphStore) against rdflib's own SPARQL engine.

Two graphs: the shipped one, and a synthetic one of about --triples triples with the same shape (the shipped
graph plus many programs, components, allocations, remainders, flows, hubs, calls and their evidence spans).
Both engines run in the same process tree on the same data; the report gives times and rdflib/oxigraph ratios,
never absolute thresholds. rdflib has no timeout, so each of its queries runs in a forked child that is
killed after --cap seconds ("> cap").

    .venv/bin/python scripts/bench_queries.py                  # ~1M triples, a few minutes
    .venv/bin/python scripts/bench_queries.py --triples 50000  # quick
"""
from __future__ import annotations

import argparse
import multiprocessing as mp
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pyoxigraph as ox  # noqa: E402
import rdflib  # noqa: E402
from rdflib.plugins.sparql.operators import register_custom_function  # noqa: E402

from kg.build import build_graph  # noqa: E402
from kg.query import FUNCTIONS_NS, bind, list_queries, run_query, search_key  # noqa: E402
from kg.store import GraphStore  # noqa: E402

FKG = "https://w3id.org/funding-kg/ontology#"
ID = "https://w3id.org/funding-kg/id/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
XSD = "http://www.w3.org/2001/XMLSchema#"
OA = "http://www.w3.org/ns/oa#"
PROV = "http://www.w3.org/ns/prov#"
ORG = "http://www.w3.org/ns/org#"
DOC = ID + "document/synthetic"
KINDS = {"request": "Request", "initial": "InitialBudget"}
YEARS = range(2019, 2023)
HUB_TYPES = ["CoreHub", "DiseaseTissueHub", "Biobank", "ResearchFacility", "DataPlatform"]

# The graph rdflib queries in forked children (inherited, not pickled).
_RDFLIB_GRAPH: rdflib.Graph | None = None


class Writer:
    """N-Triples lines for the synthetic part of the graph."""

    def __init__(self):
        self.lines: list[str] = []
        self.line_no = 0

    def t(self, s: str, p: str, o: str) -> None:
        self.lines.append(f"<{s}> <{p}> {o} .")

    @staticmethod
    def iri(x: str) -> str:
        return f"<{x}>"

    @staticmethod
    def lit(value, datatype: str | None = None, lang: str | None = None) -> str:
        text = str(value).replace("\\", "\\\\").replace('"', '\\"')
        if lang:
            return f'"{text}"@{lang}'
        return f'"{text}"^^<{XSD}{datatype}>' if datatype else f'"{text}"'

    def labelled(self, s: str, cls: str, ja: str, en: str) -> None:
        self.t(s, RDF_TYPE, self.iri(FKG + cls))
        self.t(s, RDFS_LABEL, self.lit(ja, lang="ja"))
        self.t(s, RDFS_LABEL, self.lit(en, lang="en"))
        self.evidence(s, ja)

    def evidence(self, s: str, quote: str) -> None:
        self.line_no += 1
        span = f"{ID}span/synthetic/L{self.line_no}"
        self.t(span, RDF_TYPE, self.iri(FKG + "Span"))
        self.t(span, FKG + "line", self.lit(self.line_no, "integer"))
        self.t(span, OA + "hasSource", self.iri(DOC))
        self.t(span, OA + "hasSelector", self.iri(span + "/quote"))
        self.t(span, OA + "hasSelector", self.iri(span + "/position"))
        self.t(span + "/quote", RDF_TYPE, self.iri(OA + "TextQuoteSelector"))
        self.t(span + "/quote", OA + "exact", self.lit(quote))
        self.t(span + "/position", RDF_TYPE, self.iri(OA + "TextPositionSelector"))
        self.t(span + "/position", OA + "start", self.lit(self.line_no * 40, "integer"))
        self.t(span + "/position", OA + "end", self.lit(self.line_no * 40 + len(quote), "integer"))
        self.t(s, FKG + "evidence", self.iri(span))

    def allocation(self, item: str, year: int, kind: str, yen: int) -> str:
        a = f"{ID}allocation/{item.rsplit('/', 1)[1]}/{year}-{kind}"
        self.labelled(a, "Allocation", f"{item} {year} {kind} {yen}", f"{item} FY{year} {kind}")
        self.t(a, FKG + "allocatedTo", self.iri(item))
        self.t(a, FKG + "fiscalYear", self.iri(f"{ID}fiscal-year/{year}"))
        self.t(a, FKG + "budgetKind", self.iri(FKG + KINDS[kind]))
        self.t(a, FKG + "amountYen", self.lit(yen, "decimal"))
        self.t(a, FKG + "originalText", self.lit(f"{yen // 10**6:,}百万円"))
        for flag in ("approximate", "isFund", "upperBound"):
            self.t(a, FKG + flag, self.lit("false", "boolean"))
        return a


def synthetic_triples(target: int, seed: int = 2022) -> list[str]:
    """About `target` N-Triples lines shaped like the shipped graph (which the caller adds)."""
    rnd = random.Random(seed)
    w = Writer()
    w.t(DOC, RDF_TYPE, w.iri(FKG + "SourceDocument"))
    w.t(DOC, "http://purl.org/dc/terms/identifier", w.lit("synthetic.txt"))
    for y in range(2010, 2031):
        w.t(f"{ID}fiscal-year/{y}", RDF_TYPE, w.iri(FKG + "FiscalYear"))
        w.t(f"{ID}fiscal-year/{y}", FKG + "year", w.lit(y, "integer"))
    institutions = []
    i = 0
    while len(w.lines) < target:
        if i % 5 == 0:  # a new institution every fifth program, some of them units of a parent
            org = f"{ID}organisation/synthetic-{i // 5}"
            w.labelled(org, "University", f"合成大学{i // 5}", f"Synthetic University {i // 5}")
            if institutions and rnd.random() < 0.3:
                w.t(org, ORG + "subOrganizationOf", w.iri(rnd.choice(institutions)))
            institutions.append(org)
        prog = f"{ID}program/synthetic-{i}"
        tag = " iPS" if i % 10 == 0 else ""
        w.labelled(prog, "Program", f"合成事業{i}{tag}", f"Synthetic program {i}{tag}")
        w.t(prog, FKG + "partOf", w.iri(ID + "program/section-6"))
        w.t(prog, FKG + "managedBy", w.iri(ID + "organisation/amed"))
        w.t(prog, FKG + "basedOn", w.iri(ID + "policy/healthcare-policy"))
        start = rnd.randint(2013, 2022)
        w.t(prog, FKG + "periodStart", w.iri(f"{ID}fiscal-year/{start}"))
        if rnd.random() < 0.8:
            w.t(prog, FKG + "periodEnd", w.iri(f"{ID}fiscal-year/{start + rnd.randint(0, 8)}"))
        components = []
        for n in range(1, 6):
            comp = f"{prog}-c{n}"
            w.labelled(comp, "Component", f"合成事業{i}の構成要素{n}", f"Component {n} of program {i}")
            w.t(comp, FKG + "partOf", w.iri(prog))
            w.t(comp, FKG + "componentNumber", w.lit(n, "integer"))
            components.append(comp)
        for y in YEARS:
            for kind in KINDS:
                parts = [rnd.randint(1, 3000) * 10**6 for _ in components]
                total = sum(parts) + rnd.randint(0, 500) * 10**6
                sources = [w.allocation(prog, y, kind, total)]
                sources += [w.allocation(c, y, kind, v) for c, v in zip(components, parts)]
                rem = f"{ID}remainder/synthetic-{i}/{y}-{kind}"
                w.t(rem, RDF_TYPE, w.iri(FKG + "UnexplainedRemainder"))
                w.t(rem, FKG + "remainderOf", w.iri(prog))
                w.t(rem, FKG + "fiscalYear", w.iri(f"{ID}fiscal-year/{y}"))
                w.t(rem, FKG + "budgetKind", w.iri(FKG + KINDS[kind]))
                w.t(rem, FKG + "amountYen", w.lit(total - sum(parts), "decimal"))
                for s in sources:
                    w.t(rem, PROV + "wasDerivedFrom", w.iri(s))
        flows = [("mext", "amed", "Subsidy", None)]
        for recipient in rnd.sample(institutions, min(2, len(institutions))):
            flows.append(("amed", recipient.rsplit("/", 1)[1], rnd.choice(["Commission", "Assistance"]),
                          rnd.choice(components)))
        for k, (funder, recipient, instrument, component) in enumerate(flows):
            flow = f"{ID}flow/synthetic-{i}-{k}"
            w.labelled(flow, "FundingFlow", f"{funder}→{recipient}", f"{funder} to {recipient}")
            w.t(flow, FKG + "funder", w.iri(f"{ID}organisation/{funder}"))
            w.t(flow, FKG + "recipient", w.iri(f"{ID}organisation/{recipient}"))
            w.t(flow, FKG + "instrument", w.iri(FKG + instrument))
            w.t(flow, FKG + "viaProgram", w.iri(prog))
            if component:
                w.t(flow, FKG + "forComponent", w.iri(component))
        for k in range(2):
            hub = f"{ID}hub/synthetic-{i}-{k}"
            w.labelled(hub, "Hub", f"合成拠点{i}-{k}", f"Synthetic hub {i}-{k}")
            w.t(hub, FKG + "hubType", w.iri(FKG + rnd.choice(HUB_TYPES)))
            w.t(hub, FKG + "hostedBy", w.iri(rnd.choice(institutions)))
            w.t(hub, FKG + "fundedUnder", w.iri(rnd.choice(components)))
            w.t(hub, FKG + "purpose", w.lit(f"目的{i}", lang="ja"))
            call = f"{ID}call/synthetic-{i}-{k}"
            w.labelled(call, "Call", f"合成公募{i}-{k}", f"Synthetic call {i}-{k}")
            w.t(call, FKG + "ofProgram", w.iri(prog))
            w.t(call, FKG + "expectedCount", w.lit(rnd.randint(1, 30), "integer"))
            w.t(call, FKG + "amountPer", w.iri(call + "/amount"))
            w.t(call + "/amount", RDF_TYPE, w.iri(FKG + "UnitAmount"))
            w.t(call + "/amount", FKG + "amountYen", w.lit(rnd.randint(1, 100) * 10**6, "decimal"))
            w.t(call + "/amount", FKG + "perUnit", w.iri(FKG + "PerProject"))
            w.t(call + "/amount", FKG + "fiscalYear", w.iri(f"{ID}fiscal-year/2022"))
            w.t(call + "/amount", FKG + "budgetKind", w.iri(FKG + "Request"))
        i += 1
    return w.lines


def _rdflib_search_key(term):
    return rdflib.Literal(search_key(str(term)))


def _rdflib_child(text: str, repeat: int, conn) -> None:
    for _ in range(repeat):  # one message per run, so a slow last run does not lose the earlier ones
        start = time.perf_counter()
        n = len(list(_RDFLIB_GRAPH.query(text)))
        conn.send((time.perf_counter() - start, n))
    conn.close()


def time_rdflib(text: str, repeat: int, cap: float) -> tuple[float | None, int | None]:
    """Best time of rdflib's engine over the runs that finish within `cap` seconds, in a forked child.

    (None, None) when no run finishes in time, (None, -1) when rdflib fails.
    """
    ctx = mp.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_rdflib_child, args=(text, repeat, child))
    proc.start()
    child.close()
    deadline = time.perf_counter() + cap
    runs = []
    try:
        while len(runs) < repeat and (left := deadline - time.perf_counter()) > 0 and parent.poll(left):
            runs.append(parent.recv())
    except EOFError:  # the child ended without an answer: rdflib raised
        if not runs:
            return None, -1
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join()
    if not runs:
        return None, None
    return min(t for t, _ in runs), runs[-1][1]


def time_oxigraph(info, store: GraphStore, repeat: int) -> tuple[float, int]:
    times, n = [], 0
    for _ in range(repeat):
        start = time.perf_counter()
        n = len(run_query(info, store=store).rows)
        times.append(time.perf_counter() - start)
    return min(times), n


def fmt_time(seconds: float | None, cap: float, rows: int | None = None) -> str:
    if rows == -1:
        return "error"
    if seconds is None:
        return f"> {cap:g} s"
    return f"{seconds * 1000:,.1f} ms" if seconds < 10 else f"{seconds:,.1f} s"


def fmt_ratio(ox_s: float, rdflib_s: float | None, cap: float, rows: int | None) -> str:
    if rows == -1:
        return "-"
    if rdflib_s is None:
        return f"> {cap / ox_s:,.0f}x"
    return f"{rdflib_s / ox_s:,.1f}x"


def bench(label: str, nt_lines: list[str], queries, repeat: int, cap: float) -> list[dict]:
    global _RDFLIB_GRAPH
    data = "\n".join(nt_lines) + "\n"
    start = time.perf_counter()
    ox_store = ox.Store()
    ox_store.bulk_load(data.encode("utf-8"), format=ox.RdfFormat.N_TRIPLES)
    store = GraphStore(ox_store)
    ox_load = time.perf_counter() - start
    start = time.perf_counter()
    _RDFLIB_GRAPH = rdflib.Graph().parse(data=data, format="nt")
    rdflib_load = time.perf_counter() - start
    print(f"{label}: {len(store):,} triples; load: oxigraph {ox_load:.1f} s, rdflib {rdflib_load:.1f} s",
          flush=True)
    results = []
    for info in queries:
        ox_s, ox_n = time_oxigraph(info, store, repeat)
        rd_s, rd_n = time_rdflib(bind(info), repeat, cap)
        results.append({"query": info.name, "ox": ox_s, "rdflib": rd_s, "ox_rows": ox_n, "rdflib_rows": rd_n})
        print(f"  {info.name:<20} oxigraph {fmt_time(ox_s, cap):>10}  rdflib {fmt_time(rd_s, cap, rd_n):>10}  "
              f"rdflib/oxigraph {fmt_ratio(ox_s, rd_s, cap, rd_n):>8}", flush=True)
    _RDFLIB_GRAPH = None
    return results


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--triples", type=int, default=1_000_000, help="size of the synthetic graph (default 1M)")
    ap.add_argument("--cap", type=float, default=10.0, help="seconds rdflib may take per query (default 10)")
    ap.add_argument("--repeat", type=int, default=3, help="runs per query; the best is reported (default 3)")
    ap.add_argument("--only", nargs="*", default=None, help="only these queries")
    args = ap.parse_args(argv)

    register_custom_function(rdflib.URIRef(FUNCTIONS_NS + "searchKey"), _rdflib_search_key, override=True)
    queries = [q for q in list_queries() if not args.only or q.name in args.only]
    shipped = build_graph().graph
    shipped_lines = sorted(shipped.serialize(format="nt", encoding="utf-8").decode("utf-8").splitlines())
    shipped_lines = [line for line in shipped_lines if line.strip()]
    print(f"funding-kg query benchmark: Oxigraph (pyoxigraph {ox.__version__}) against rdflib {rdflib.__version__}'s "
          f"own SPARQL engine; best of {args.repeat}, rdflib capped at {args.cap:g} s per query", flush=True)
    small = bench("shipped graph", shipped_lines, queries, args.repeat, args.cap)
    extra = max(0, args.triples - len(shipped_lines))
    big = bench("synthetic graph", shipped_lines + synthetic_triples(extra), queries, args.repeat, args.cap)

    print("\nsummary (rdflib/oxigraph: how many times longer rdflib's engine takes)")
    header = (f"{'query':<20} | {'shipped: oxigraph':>17} {'rdflib':>10} {'rdflib/oxigraph':>15} | "
              f"{'synthetic: oxigraph':>19} {'rdflib':>10} {'rdflib/oxigraph':>15} | rows ox/rdflib")
    print(header)
    print("-" * len(header))
    for s, b in zip(small, big):
        rows = f"{b['ox_rows']}/{b['rdflib_rows'] if b['rdflib_rows'] is not None else '?'}"
        print(f"{s['query']:<20} | {fmt_time(s['ox'], args.cap):>17} "
              f"{fmt_time(s['rdflib'], args.cap, s['rdflib_rows']):>10} "
              f"{fmt_ratio(s['ox'], s['rdflib'], args.cap, s['rdflib_rows']):>15} | {fmt_time(b['ox'], args.cap):>19} "
              f"{fmt_time(b['rdflib'], args.cap, b['rdflib_rows']):>10} "
              f"{fmt_ratio(b['ox'], b['rdflib'], args.cap, b['rdflib_rows']):>15} | {rows}")
    timed = [(b["rdflib"] or args.cap) / b["ox"] for b in big if b["rdflib_rows"] != -1]
    if timed:
        print(f"\nsynthetic graph: geometric mean rdflib/oxigraph {statistics.geometric_mean(timed):,.1f}x "
              f"(capped queries counted at the cap)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
