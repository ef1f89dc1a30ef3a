"""The `fundkg` command: one library call per command.

Exit codes: 0 success; 1 the graph does not pass validation; 2 bad input or usage (with a message naming
the file, line and problem).
"""
from __future__ import annotations

import functools
import json
import sys
from pathlib import Path

import click

from . import __version__
from .errors import KGError
from .ns import DEFAULT_BASE

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def echo_err(message: str) -> None:
    click.echo(message, err=True)


def reports_errors(fn):
    """Turn a KGError into one line on stderr and the error's exit code."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except KGError as exc:
            echo_err(f"error: {exc}")
            sys.exit(exc.exit_code)

    return wrapper


sources_option = click.option(
    "--sources", type=click.Path(file_okay=False, path_type=Path), default=None,
    help="Folder of documents (NAME.txt) and their fact folders (NAME/). Default: the shipped sources.")
out_option = click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("build"),
                          show_default=True, help="Output folder.")
base_option = click.option("--base", default=DEFAULT_BASE, show_default=True,
                           help="Base IRI of the graph's resources (ends with / or #).")
graph_option = click.option("--graph", type=click.Path(dir_okay=False, path_type=Path), default=None,
                            help="A built graph (Turtle). Default: build/funding-kg.ttl, built first if missing "
                                 "or older than the sources.")


@click.group(context_settings=CONTEXT)
@click.version_option(__version__, prog_name="fundkg")
def main():
    """funding-kg: a knowledge graph of Japan's public funding for health and medical research.

    \b
    Start with:
      fundkg all                 build the graph from the shipped sources and write every output
      fundkg stats               what the graph holds
    """


@main.command()
@click.argument("document", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--fiscal-year", type=int, default=None,
              help="The year the document budgets for (default: read from its first 令和N年度予算額(案)).")
@click.option("--format", "fmt", type=click.Choice(["table", "tsv", "json"]), default="table", show_default=True)
@reports_errors
def extract(document: Path, fiscal_year: int | None, fmt: str):
    """List every amount of money a document mentions, with its line.

    \b
    Example:
      fundkg extract sources/mext_fy2022_health_medical_rd.txt --format tsv
    """
    from .extract import extract_file
    from .query import QueryResult, format_result

    mentions = extract_file(document, fiscal_year)
    if fmt == "json":
        click.echo(json.dumps([m.as_dict() for m in mentions], ensure_ascii=False, indent=1))
        return
    cols = ["line", "column", "text", "yen", "fiscal_year", "kind", "qualifiers"]
    rows = []
    for m in mentions:
        quals = [q for q, on in (("fund", m.fund), ("new", m.new), ("approx", m.approximate),
                                 ("max", m.upper_bound), (f"per {m.per}", m.per)) if on]
        rows.append([str(m.line), str(m.start + 1), m.text, f"{m.yen:,}" if fmt == "table" else str(m.yen),
                     str(m.fiscal_year or ""), m.kind or "", ",".join(quals)])
    click.echo(format_result(QueryResult(cols, rows), fmt))
    echo_err(f"{len(mentions)} amount mention(s) in {document}")


@main.command()
@sources_option
@out_option
@base_option
@reports_errors
def build(sources: Path | None, out: Path, base: str):
    """Check the facts against their documents and write the graph (funding-kg.ttl).

    Fails, naming file, line and problem, on any quote not found at its line, amount that disagrees with the
    text, malformed fact file, unknown reference, duplicate identifier, or amount mention neither represented
    nor left out on purpose. A failed build leaves earlier outputs untouched.

    \b
    Examples:
      fundkg build
      fundkg build --sources my-sources --out /tmp/kg --base https://example.org/kg/
    """
    from .build import build_graph, write_graph

    echo_err(f"building from {sources or 'the shipped sources'}")
    result = build_graph(sources, base=base)
    path = write_graph(result, out)
    cov = result.coverage
    for doc in result.documents:
        echo_err(f"  {doc.path.name}: {len(doc.mentions)} amount mentions")
    echo_err(f"coverage: {cov.represented + cov.left_out}/{cov.total} amount mentions ({cov.percent:.1f}%), "
             f"{cov.left_out} left out on purpose")
    click.echo(f"wrote {path} ({len(result.graph):,} triples)")


@main.command()
@graph_option
@sources_option
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@reports_errors
def validate(graph: Path | None, sources: Path | None, as_json: bool):
    """Check the graph against the SHACL shapes and the budget's arithmetic.

    Reports components within their program's total, programs within their agency's total, the
    year-over-year change of every item and the part of each total its parts leave unexplained.
    Exit code 1 when anything fails.

    \b
    Example:
      fundkg validate --json > report.json
    """
    from .pipeline import ensure_graph
    from .store import load_rdflib
    from .validate import validate_graph

    path = ensure_graph(graph, sources=sources, echo=echo_err)
    report = validate_graph(load_rdflib(path))
    if as_json:
        click.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=1, default=str))
    else:
        click.echo(f"{path}: {'conforms' if report.conforms else 'DOES NOT CONFORM'}")
        for v in report.violations:
            click.echo(f"  violation {v}")
        click.echo("checks:")
        for c in report.checks:
            mark = "ok  " if c["ok"] else "FAIL"
            click.echo(f"  {mark} {c['rule']}: {c['item']} FY{c['fiscal_year']} {c['kind']}: "
                       f"{c['count']} parts ¥{c['sum'] / 10**6:,.0f}M of ¥{c['total'] / 10**6:,.0f}M")
        click.echo("year-over-year (request against the previous initial budget), largest decrease first:")
        for y in report.year_over_year:
            pct = f"{y['percent']:+}%" if y["percent"] is not None else "n/a"
            click.echo(f"  {y['item']}: ¥{y['previous'] / 10**6:,.0f}M → ¥{y['current'] / 10**6:,.0f}M "
                       f"({y['change'] / 10**6:+,.0f}M, {pct})")
        click.echo("unexplained remainders (total minus the sum of its parts):")
        for r in report.remainders:
            click.echo(f"  {r['item']} FY{r['fiscal_year']} {r['kind']}: ¥{r['amount'] / 10**6:,.0f}M")
    sys.exit(0 if report.conforms else 1)


@main.command()
@sources_option
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
@reports_errors
def stats(sources: Path | None, as_json: bool):
    """Print counts: resources by class, allocations by fiscal year and kind, flows, triples, coverage.

    \b
    Example:
      fundkg stats --json
    """
    from .build import build_graph
    from .stats import format_stats, graph_stats
    from .store import GraphStore

    result = build_graph(sources)
    counts = graph_stats(GraphStore.from_graph(result.graph))
    cov = result.coverage
    if as_json:
        counts["coverage"] = {"total": cov.total, "represented": cov.represented, "left_out": cov.left_out,
                              "percent": cov.percent}
        click.echo(json.dumps(counts, ensure_ascii=False, indent=1))
    else:
        click.echo(format_stats(counts, cov))


@main.command(name="all")
@sources_option
@out_option
@base_option
@reports_errors
def all_(sources: Path | None, out: Path, base: str):
    """Build the graph from the sources, validate it and write every output into --out.

    \b
    Example:
      fundkg all --out build
    """
    from .pipeline import run_all

    run_all(sources, out, base=base, echo=echo_err)
    click.echo(f"all outputs are in {out}/")


@main.command()
@reports_errors
def queries():
    """List the shipped queries with their titles and parameters.

    \b
    Example:
      fundkg queries
    """
    from .query import list_queries

    for q in list_queries():
        click.echo(f"{q.name}: {q.title}" + (f" / {q.title_ja}" if q.title_ja else ""))
        for p in q.params:
            default = f" (default {p.default})" if p.default is not None else ""
            kind = "|".join(p.choices) if p.choices else p.type
            click.echo(f"    -p {p.name} <{kind}>{default}  {p.description}")


@main.command()
@click.argument("name_or_file")
@click.option("-p", "--param", "params", type=(str, str), multiple=True, metavar="NAME VALUE",
              help="Bind a parameter (repeatable). Values are bound as RDF terms, never pasted into the query.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "tsv", "json"]), default="table",
              show_default=True, help="table shows amounts in 百万円; the others give exact values.")
@graph_option
@reports_errors
def query(name_or_file: str, params, fmt: str, graph: Path | None):
    """Run a shipped query by NAME, or a SPARQL FILE, against the built graph.

    The source and licence of the facts go to stderr, so that csv, tsv and json stay clean.

    \b
    Examples:
      fundkg query allocations --format csv > allocations.csv
      fundkg query program-amounts -p year 2021 -p kind initial
      fundkg query my-question.rq --format json
    """
    from .pipeline import ensure_graph
    from .query import attribution, format_result, load_query, run_query
    from .store import GraphStore

    info = load_query(name_or_file)
    path = ensure_graph(graph, echo=echo_err)
    store = GraphStore.from_file(path)
    result = run_query(info, dict(params), store=store)
    click.echo(format_result(result, fmt))
    if source := attribution(store):
        echo_err(source)


# --- viz: the funding flows as pages and graph files ---------------------------------------------------------

@main.command()
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("build/viz"),
              show_default=True, help="Output folder.")
@graph_option
@reports_errors
def viz(out: Path, graph: Path | None):
    """Write the funding flows as flows.html, sankey.html, flows.graphml and flows.gexf.

    Each page is one self-contained file that works offline (nothing is loaded from another host).

    \b
    Example:
      fundkg viz --out build/viz && xdg-open build/viz/flows.html
    """
    from .pipeline import ensure_graph
    from .store import load_rdflib
    from .viz import write_viz

    path = ensure_graph(graph, echo=echo_err)
    for written in write_viz(load_rdflib(path), out):
        click.echo(f"wrote {written}")


# -- exports and the server (issue 5) ----------------------------------------------------------------------

@main.command(name="export")
@click.option("--format", "fmt", type=click.Choice(["ttl", "nt", "nq", "trig", "jsonld", "xml", "all"]), default="all",
              show_default=True, help="Export format; every format also writes the dataset description, the "
                                      "JSON-LD context and the ontology's HTML documentation.")
@out_option
@graph_option
@reports_errors
def export_(fmt: str, out: Path, graph: Path | None):
    """Write the graph as Turtle, N-Triples, N-Quads, TriG, JSON-LD or RDF/XML, with its VoID/DCAT description.

    \b
    Examples:
      fundkg export --format all --out build
      fundkg export --format jsonld --out /tmp/kg
    """
    from .export import write_exports
    from .pipeline import ensure_graph, graph_base
    from .store import load_rdflib

    path = ensure_graph(graph, out=out, echo=echo_err)
    g = load_rdflib(path)
    for p in write_exports(g, out, None if fmt == "all" else [fmt], base=graph_base(g)):
        click.echo(f"wrote {p}")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on (loopback by default).")
@click.option("--port", type=int, default=8000, show_default=True)
@graph_option
@click.option("--timeout", type=float, default=10.0, show_default=True, help="Time limit of one query, in seconds.")
@click.option("--max-rows", type=int, default=10000, show_default=True,
              help="Most solutions (or triples) one query may return.")
@click.option("--max-query-bytes", type=int, default=65536, show_default=True, help="Longest query accepted.")
@click.option("--workers", type=int, default=2, show_default=True, help="Query worker processes.")
@click.option("--threads", type=int, default=8, show_default=True, help="HTTP threads.")
@reports_errors
def serve(host: str, port: int, graph: Path | None, timeout: float, max_rows: int, max_query_bytes: int,
          workers: int, threads: int):
    """Serve the graph: a read-only SPARQL endpoint at /sparql, linked-data pages at /id/..., downloads.

    The visualization pages in the graph's folder (viz/) are served at /viz/ when they exist.

    \b
    Example:
      fundkg serve --port 8000 --timeout 5
      curl -H 'Accept: text/csv' 'http://127.0.0.1:8000/sparql?query=SELECT%20*%20WHERE%20%7B?s%20?p%20?o%7D%20LIMIT%205'
    """
    from .pipeline import ensure_graph, graph_base
    from .serve import App, run
    from .store import load_rdflib

    path = ensure_graph(graph, echo=echo_err)
    g = load_rdflib(path)
    app = App(g, base=graph_base(g), viz_dir=path.parent / "viz", timeout=timeout, max_rows=max_rows,
              max_query_bytes=max_query_bytes, workers=workers)
    run(app, host, port, threads=threads, echo=echo_err)
