#!/usr/bin/env python3
"""Benchmark the viz outputs on a synthetic funding graph of about 5,000 nodes.

Measures, in one run:
  - generating: flow_network(), flows.html, sankey.html and the graph files, for the shipped graph and the
    synthetic one;
  - becoming interactive in headless Chromium: from navigation to the network's first drawing
    (`window.fundkg.ready`), for a blank page, the shipped graph's page and the synthetic one's.
Prints the times and their ratios against the baselines measured in the same run (the shipped graph, a blank
page). Optionally (--pyvis-reference) times pyvis's own add_node/add_edge route for the same graph, which
scans every existing edge for each new one.

    .venv/bin/python scripts/bench_viz.py [--nodes 5000] [--repeat 3] [--pyvis-reference]
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rdflib import Graph, Literal, URIRef  # noqa: E402
from rdflib.namespace import DCTERMS, ORG, RDF, RDFS, SKOS, XSD  # noqa: E402

from kg.ns import FKG, OA  # noqa: E402

BASE = "https://example.org/bench/"


def synthetic_graph(n_nodes: int = 5000, components_per_program: int = 8) -> Graph:
    """A graph shaped like the real one: state, MEXT, AMED, a section, programs with components, a hub per
    component hosted by an institution, flows per program, allocations for two years with evidence."""
    g = Graph()
    iri = lambda path: URIRef(BASE + path)  # noqa: E731
    span_no = [0]

    def label(s, ja, en):
        g.add((s, RDFS.label, Literal(ja, lang="ja")))
        g.add((s, RDFS.label, Literal(en, lang="en")))

    def evidence(s, line, quote):
        span_no[0] += 1
        sp, sel = iri(f"span/doc/L{line}-{span_no[0]}"), iri(f"span/doc/L{line}-{span_no[0]}/quote")
        g.add((s, FKG.evidence, sp))
        g.add((sp, RDF.type, FKG.Span))
        g.add((sp, FKG.line, Literal(line)))
        g.add((sp, OA.hasSelector, sel))
        g.add((sel, OA.exact, Literal(quote)))

    def allocate(item, slug, million, year, kind, line):
        a = iri(f"allocation/{slug}/{year}-{kind}")
        g.add((a, RDF.type, FKG.Allocation))
        g.add((a, FKG.allocatedTo, item))
        g.add((a, FKG.amountYen, Literal(str(million * 10**6), datatype=XSD.decimal)))
        g.add((a, FKG.fiscalYear, iri(f"fiscal-year/{year}")))
        g.add((a, FKG.budgetKind, FKG.Request if kind == "request" else FKG.InitialBudget))
        g.add((a, FKG.originalText, Literal(f"{million:,}百万円")))
        evidence(a, line, f"{million:,}百万円")

    for year in (2021, 2022):
        g.add((iri(f"fiscal-year/{year}"), FKG.year, Literal(year)))
    g.add((FKG.Request, SKOS.notation, Literal("request")))
    g.add((FKG.InitialBudget, SKOS.notation, Literal("initial")))
    for term, ja, en in ((FKG.Subsidy, "補助金", "subsidy"), (FKG.Commission, "委託", "commission")):
        g.add((term, SKOS.prefLabel, Literal(ja, lang="ja")))
        g.add((term, SKOS.prefLabel, Literal(en, lang="en")))
    doc = iri("document/bench")
    g.add((doc, RDF.type, FKG.SourceDocument))
    g.add((doc, DCTERMS.identifier, Literal("bench.txt")))
    g.add((doc, DCTERMS.rights, Literal("Synthetic benchmark data", lang="en")))
    state, mext, amed, section = iri("organisation/state"), iri("organisation/mext"), iri("organisation/amed"), \
        iri("program/section")
    for s, cls, ja, en in ((state, FKG.State, "国", "the State"), (mext, FKG.Ministry, "文部科学省", "MEXT"),
                           (amed, FKG.FundingAgency, "日本医療研究開発機構", "AMED"),
                           (section, FKG.Section, "健康・医療", "health and medicine")):
        g.add((s, RDF.type, cls))
        label(s, ja, en)
    g.add((mext, ORG.subOrganizationOf, state))
    per_program = 1 + 2 * components_per_program  # the program, its components and their hubs
    programs = max(1, (n_nodes - 4) * 10 // (per_program * 10 + 3))
    institutions = max(1, n_nodes - 4 - programs * per_program)
    for i in range(institutions):
        s = iri(f"organisation/inst-{i:04d}")
        g.add((s, RDF.type, FKG.University))
        label(s, f"大学{i}", f"University {i}")
    line, budget = 1, {2022: 0, 2021: 0}
    for p in range(programs):
        prog = iri(f"program/p{p:04d}")
        g.add((prog, RDF.type, FKG.Program))
        g.add((prog, FKG.partOf, section))
        g.add((prog, FKG.managedBy, amed))
        label(prog, f"事業{p}", f"Program {p}")
        evidence(prog, line, f"事業{p}")
        total = 0
        for c in range(components_per_program):
            comp, hub = iri(f"program/p{p:04d}-c{c}"), iri(f"hub/p{p:04d}-c{c}")
            million = 50 + (p * 37 + c * 101) % 900
            total += million
            g.add((comp, RDF.type, FKG.Component))
            g.add((comp, FKG.partOf, prog))
            label(comp, f"構成要素{p}-{c}", f"Component {p}-{c}")
            allocate(comp, f"p{p:04d}-c{c}", million, 2022, "request", line)
            allocate(comp, f"p{p:04d}-c{c}", million - 10, 2021, "initial", line + 1)
            g.add((hub, RDF.type, FKG.Hub))
            g.add((hub, FKG.fundedUnder, comp))
            g.add((hub, FKG.hostedBy, iri(f"organisation/inst-{(p * components_per_program + c) % institutions:04d}")))
            label(hub, f"拠点{p}-{c}", f"Hub {p}-{c}")
            line += 2
        allocate(prog, f"p{p:04d}", total + 100, 2022, "request", line)
        allocate(prog, f"p{p:04d}", total, 2021, "initial", line + 1)
        budget[2022] += total + 100
        budget[2021] += total
        for k, (funder, recipient, instrument) in enumerate(
                ((mext, amed, FKG.Subsidy), (amed, iri(f"organisation/inst-{p % institutions:04d}"), FKG.Commission))):
            f = iri(f"flow/p{p:04d}-{k}")
            g.add((f, RDF.type, FKG.FundingFlow))
            g.add((f, FKG.funder, funder))
            g.add((f, FKG.recipient, recipient))
            g.add((f, FKG.instrument, instrument))
            g.add((f, FKG.viaProgram, prog))
            label(f, f"資金{p}-{k}", f"flow {p}-{k}")
            evidence(f, line, "補助金" if k == 0 else "委託")
        line += 2
    allocate(amed, "amed", budget[2022] + 5000, 2022, "request", line)
    allocate(amed, "amed", budget[2021] + 5000, 2021, "initial", line + 1)
    return g


def timed(fn, repeat: int):
    times, result = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), result


def generate(graph: Graph, out: Path, repeat: int) -> dict:
    from kg.sankey import sankey_html
    from kg.viz import flow_network, flows_html, gexf_bytes, graphml_bytes, write_viz

    t_net, G = timed(lambda: flow_network(graph), repeat)
    t_flows, _ = timed(lambda: flows_html(G), repeat)
    t_sankey, _ = timed(lambda: sankey_html(G), repeat)
    t_files, _ = timed(lambda: (graphml_bytes(G), gexf_bytes(G)), repeat)
    t_all, _ = timed(lambda: write_viz(graph, out), 1)
    return {"nodes": G.number_of_nodes(), "edges": G.number_of_edges(), "projection": t_net, "flows.html": t_flows,
            "sankey.html": t_sankey, "graphml+gexf": t_files, "write_viz": t_all, "G": G,
            "size": (out / "flows.html").stat().st_size}


def interactive(pages: dict[str, Path], repeat: int) -> dict[str, float]:
    """Median seconds from navigation to window.fundkg.ready (the network's first drawing)."""
    from playwright.sync_api import sync_playwright

    from tests.conftest import CHROMIUM_ARGS

    executable = shutil.which("chromium") or "/usr/bin/chromium"
    profile = tempfile.mkdtemp(prefix="fundkg-bench-")
    results = {}
    try:
        with sync_playwright() as p:
            ctx = p.chromium.launch_persistent_context(profile, executable_path=executable, headless=True,
                                                       args=CHROMIUM_ARGS)
            try:
                for name, path in pages.items():
                    times = []
                    for _ in range(repeat):
                        page = ctx.new_page()
                        t = time.perf_counter()
                        page.goto(path.as_uri())
                        page.wait_for_function("window.fundkg && window.fundkg.ready === true", timeout=120_000)
                        times.append(time.perf_counter() - t)
                        page.close()
                    results[name] = statistics.median(times)
            finally:
                ctx.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    return results


def pyvis_reference(G) -> float:
    """Seconds for pyvis's own route (add_node, then add_edge per edge) on the same network."""
    from pyvis.network import Network

    t = time.perf_counter()
    net = Network(directed=True)
    for n, d in G.nodes(data=True):
        net.add_node(n, label=d["label_ja"])
    for u, v, d in G.edges(data=True):
        net.add_edge(u, v)
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--nodes", type=int, default=5000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--pyvis-reference", action="store_true", help="also time pyvis's add_edge route")
    args = ap.parse_args()

    from kg.build import build_graph

    work = Path(tempfile.mkdtemp(prefix="fundkg-bench-viz-"))
    try:
        shipped = generate(build_graph().graph, work / "shipped", args.repeat)
        synthetic = generate(synthetic_graph(args.nodes), work / "synthetic", args.repeat)
        blank = work / "blank.html"
        blank.write_text("<!DOCTYPE html><title>blank</title><script>window.fundkg={ready:true}</script>",
                         encoding="utf-8")
        print(f"shipped graph:   {shipped['nodes']:>6,} nodes {shipped['edges']:>6,} edges, "
              f"flows.html {shipped['size'] / 1e6:.2f} MB")
        print(f"synthetic graph: {synthetic['nodes']:>6,} nodes {synthetic['edges']:>6,} edges, "
              f"flows.html {synthetic['size'] / 1e6:.2f} MB")
        print("\ngenerating (median of {} runs)      shipped   synthetic   ratio".format(args.repeat))
        for step in ("projection", "flows.html", "sankey.html", "graphml+gexf", "write_viz"):
            a, b = shipped[step], synthetic[step]
            print(f"  {step:<32} {a:8.3f}s  {b:9.3f}s  {b / a:6.1f}x")
        times = interactive({"blank page": blank, "shipped flows.html": work / "shipped" / "flows.html",
                             "synthetic flows.html": work / "synthetic" / "flows.html"}, args.repeat)
        print(f"\nuntil interactive in headless Chromium (median of {args.repeat})")
        for name, t in times.items():
            print(f"  {name:<32} {t:8.3f}s  {t / times['blank page']:6.1f}x blank  "
                  f"{t / times['shipped flows.html']:6.1f}x shipped")
        if args.pyvis_reference:
            t = pyvis_reference(synthetic["G"])
            print(f"\npyvis add_node/add_edge route for the synthetic network: {t:.3f}s "
                  f"({t / synthetic['flows.html']:.1f}x our whole flows.html)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
