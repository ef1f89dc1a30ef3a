"""A read-only SPARQL 1.1 Protocol endpoint and linked-data pages for the built graph, as a WSGI app.

Werkzeug gives request parsing, Accept negotiation and an in-process test client; waitress, a threaded
pure-Python WSGI server, serves it (`fundkg serve`). Queries sent to /sparql run in killable worker
processes (kg.workers); pages and resource descriptions read the embedded Oxigraph store directly, by
triple pattern, never by pasting text into a query.

The graph's IRIs (BASE + path, by default https://w3id.org/funding-kg/id/...) are served at /id/<path>: the
data keeps its public IRIs, and a redirect from the public base to a running server (as w3id.org does) makes
them resolve there.
"""
from __future__ import annotations

import json
import sys
import threading
import traceback
import urllib.parse
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph
from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from . import export, pages
from .ns import DEFAULT_BASE
from .protocol import MEDIA_TYPES, negotiate, query_form
from .store import GraphStore
from .workers import GRAPH_FORMATS, Busy, Failure, QueryTimeout, WorkerPool

CORS = {"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Methods": "GET, HEAD, POST, OPTIONS",
        "Access-Control-Allow-Headers": "Accept, Content-Type", "Access-Control-Max-Age": "86400"}
# Our own pages run no script and load nothing from elsewhere.
HTML_HEADERS = {"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; "
                "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
                "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}
SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS_NS = "http://www.w3.org/ns/formats/"
DOWNLOADS = {f.filename: (f.key, f.media_type) for f in export.FORMATS.values()}
EXTRA_DOWNLOADS = {export.DATASET_FILE: "text/turtle", export.CONTEXT_FILE: "application/ld+json",
                   export.ONTOLOGY_HTML: "text/html"}
SUFFIXES = {".ttl": "turtle", ".jsonld": "jsonld", ".nt": "ntriples", ".rdf": "rdfxml", ".html": "html"}


class App:
    """The WSGI application. `graph` is the built graph; queries (a list of kg.query.QueryInfo) are the
    examples on the home page (default: the shipped ones); `viz_dir` holds the visualization pages, if any."""

    def __init__(self, graph: Graph, *, base: str = DEFAULT_BASE, queries=None, viz_dir: Path | None = None,
                 timeout: float = 10.0, max_rows: int = 10000, max_query_bytes: int = 65536, workers: int = 2):
        from .query import list_queries

        self.graph = graph
        self.base = base
        self.store = GraphStore.from_graph(graph).oxigraph
        self.queries = list_queries() if queries is None else list(queries)
        self.viz_dir = Path(viz_dir) if viz_dir else None
        self.max_query_bytes = max_query_bytes
        self.prefixes = export.prefixes(base)
        nt = ox.serialize(export.sorted_triples(graph), format=ox.RdfFormat.N_TRIPLES)
        self.pool = WorkerPool(nt, workers=workers, timeout=timeout, max_rows=max_rows, prefixes=self.prefixes)
        self.site = pages.Site(self.store, base, self.queries)
        self._downloads: dict[str, bytes] = {}
        self._lock = threading.Lock()
        self.urls = Map([
            Rule("/", endpoint="home"), Rule("/sparql", endpoint="sparql"),
            Rule("/id/<path:rest>", endpoint="resource"), Rule("/download/<name>", endpoint="download"),
            Rule("/dataset", endpoint="dataset"), Rule("/ontology", endpoint="ontology"),
            Rule("/viz/<name>", endpoint="viz"),
        ], merge_slashes=False, strict_slashes=False)

    def close(self) -> None:
        self.pool.close()

    # -- WSGI ------------------------------------------------------------------------------------------
    def __call__(self, environ, start_response):
        request = Request(environ)
        try:
            response = self.dispatch(request)
        except Failure as f:
            response = self.error(request, f.status, f.title, f.message)
        except HTTPException as exc:
            response = self.error(request, exc.code or 500, exc.name, exc.description or exc.name)
        except Exception:  # a bug of ours: 500, never a 4xx
            traceback.print_exc(file=sys.stderr)
            response = self.error(request, 500, "Server error", "the server failed to answer; this is a bug in "
                                  "funding-kg, not in your request")
        response.headers.update(CORS)
        return response(environ, start_response)

    def dispatch(self, request: Request) -> Response:
        if request.method == "OPTIONS":
            return Response(status=204, headers={"Allow": "GET, HEAD, POST, OPTIONS"})
        endpoint, args = self.urls.bind_to_environ(request.environ).match()
        if endpoint != "sparql" and request.method not in ("GET", "HEAD"):
            raise Failure(405, "Method not allowed", f"{request.method} is not allowed here; use GET")
        return getattr(self, "on_" + endpoint)(request, **args)

    def wants_html(self, request: Request) -> bool:
        best = request.accept_mimetypes.best_match(["application/json", "text/html"])
        return best == "text/html" and request.accept_mimetypes["text/html"] > request.accept_mimetypes[
            "application/json"]

    def error(self, request: Request, status: int, title: str, message: str) -> Response:
        """The one error shape: {"error": {status, title, message}} as JSON, or an HTML page for browsers."""
        extra = {"Retry-After": "5"} if status == 503 else {}
        if self.wants_html(request):
            return self.html(pages.error_page(status, title, message, self.site), status, extra)
        body = json.dumps({"error": {"status": status, "title": title, "message": message}}, ensure_ascii=False)
        return Response(body + "\n", status=status, mimetype="application/json", headers=extra)

    @staticmethod
    def html(text: str, status: int = 200, headers: dict | None = None) -> Response:
        return Response(text, status=status, mimetype="text/html", headers={**HTML_HEADERS, **(headers or {})})

    def root(self, request: Request) -> str:
        return request.host_url  # http://host:port/

    # -- pages -----------------------------------------------------------------------------------------
    def on_home(self, request: Request) -> Response:
        fmt = negotiate("DESCRIBE", request.accept_mimetypes, request.args.get("format"), page=True)
        if fmt != "html":
            return self.rdf(self.description(request), fmt)
        example = request.args.get("example")
        return self.html(pages.home_page(self.site, self.description(request), self.viz_files(), example))

    def on_dataset(self, request: Request) -> Response:
        fmt = negotiate("DESCRIBE", request.accept_mimetypes, request.args.get("format"))
        if fmt == "html":
            return Response(status=303, headers={"Location": "/"})
        return self.rdf(self.description(request), fmt)

    def description(self, request: Request) -> Graph:
        return export.dataset_description(self.graph, self.base, site=self.root(request))

    def rdf(self, graph: Graph, fmt: str) -> Response:
        if fmt == "jsonld":
            body = export.to_jsonld(graph, self.base)
        else:
            body = ox.serialize(export.sorted_triples(graph), format=GRAPH_FORMATS[fmt], prefixes=self.prefixes)
        return Response(body, mimetype=MEDIA_TYPES[fmt], headers={"Vary": "Accept"})

    def on_resource(self, request: Request, rest: str) -> Response:
        fmt = request.args.get("format")
        for suffix, key in SUFFIXES.items():
            if rest.endswith(suffix) and self.site.exists(self.base + rest[: -len(suffix)]):
                rest, fmt = rest[: -len(suffix)], key
                break
        iri = self.base + rest
        if not self.site.exists(iri):
            raise Failure(404, "Not found", f"no resource <{iri}> in this graph")
        fmt = negotiate("DESCRIBE", request.accept_mimetypes, fmt, page=True)
        if fmt == "html":
            return self.html(pages.resource_page(self.site, iri))
        graph = self.site.describe(iri)
        if iri == self.base + "dataset":  # its hash IRIs (#distribution-nt, #sparql…) are in the description
            graph += self.description(request)
        return self.rdf(graph, fmt)

    def on_ontology(self, request: Request) -> Response:
        from .ontodoc import ontology_html
        from .paths import ontology_file

        fmt = negotiate("DESCRIBE", request.accept_mimetypes, request.args.get("format"), page=True)
        if fmt == "html":
            return self.html(ontology_html())
        if fmt == "turtle":
            return Response(ontology_file("funding-kg.ttl").read_bytes(), mimetype="text/turtle")
        return self.rdf(Graph().parse(ontology_file("funding-kg.ttl")), fmt)

    def on_download(self, request: Request, name: str) -> Response:
        if name in DOWNLOADS:
            key, media_type = DOWNLOADS[name]
            with self._lock:  # each export is written once, on first request
                if name not in self._downloads:
                    self._downloads[name] = export.serialize(self.graph, key, self.base)
            return Response(self._downloads[name], mimetype=media_type)
        if name == export.DATASET_FILE:
            return self.rdf(self.description(request), "turtle")
        if name == export.CONTEXT_FILE:
            from .paths import ontology_file

            return Response(ontology_file(name).read_bytes(), mimetype=EXTRA_DOWNLOADS[name])
        if name == export.ONTOLOGY_HTML:
            return self.on_ontology(request)
        raise Failure(404, "Not found", f"no download named {name!r}")

    def viz_files(self) -> list[str]:
        if not self.viz_dir or not self.viz_dir.is_dir():
            return []
        return sorted(p.name for p in self.viz_dir.iterdir() if p.is_file() and not p.name.startswith("."))

    def on_viz(self, request: Request, name: str) -> Response:
        if name not in self.viz_files():  # only the folder's own files, by exact name
            raise Failure(404, "Not found", f"no visualization file named {name!r}")
        import mimetypes

        media_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
        return Response((self.viz_dir / name).read_bytes(), mimetype=media_type)

    # -- the SPARQL 1.1 Protocol -----------------------------------------------------------------------
    def on_sparql(self, request: Request) -> Response:
        if request.method not in ("GET", "HEAD", "POST"):
            raise Failure(405, "Method not allowed", "use GET or POST for SPARQL queries")
        params = self.protocol_params(request)
        if "update" in params:
            raise Failure(403, "Update refused", "this endpoint is read-only: SPARQL updates are not accepted")
        if params.get("default-graph-uri") or params.get("named-graph-uri"):
            raise Failure(403, "Dataset refused", "default-graph-uri and named-graph-uri are not allowed: every "
                          "query runs on the served graph")
        queries = params.get("query", [])
        if not queries:
            return self.service_description(request)
        if len(queries) > 1:
            raise Failure(400, "Malformed request", "give exactly one query parameter")
        text = queries[0]
        if len(text.encode("utf-8")) > self.max_query_bytes:
            raise Failure(413, "Query too large", f"the query is longer than {self.max_query_bytes} bytes")
        form = query_form(text)
        fmt = negotiate(form, request.accept_mimetypes, (params.get("format") or [None])[0])
        html = fmt == "html"
        want = "json" if html else fmt
        try:
            answer = self.pool.run(text, result_format=want if want in MEDIA_TYPES else "json",
                                   graph_format="turtle" if html else fmt)
        except QueryTimeout as exc:
            raise Failure(504, "Query timed out", str(exc)) from None
        except Busy as exc:
            raise Failure(503, "Server busy", str(exc)) from None
        if html:
            return self.html(pages.results_page(self.site, text, answer))
        media = MEDIA_TYPES[fmt]
        if answer.kind == "graph" and fmt in ("json", "xml", "csv", "tsv"):
            media = MEDIA_TYPES["turtle"]
        return Response(answer.body, mimetype=media, headers={"Vary": "Accept"})

    def protocol_params(self, request: Request) -> dict[str, list[str]]:
        """Parameters from the query string and, for POST, the body (form-encoded or a direct query)."""
        if request.content_length and request.content_length > self.max_query_bytes:
            raise Failure(413, "Query too large", f"the request body is longer than {self.max_query_bytes} bytes")
        params = {k: request.args.getlist(k) for k in request.args}
        if request.method != "POST":
            return params
        body = request.stream.read(self.max_query_bytes + 1)
        if len(body) > self.max_query_bytes:
            raise Failure(413, "Query too large", f"the request body is longer than {self.max_query_bytes} bytes")
        ctype = request.mimetype
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise Failure(400, "Malformed request", "the request body is not UTF-8") from None
        if ctype == "application/x-www-form-urlencoded":
            for k, v in urllib.parse.parse_qs(text, keep_blank_values=True).items():
                params.setdefault(k, []).extend(v)
        elif ctype == "application/sparql-query":
            params.setdefault("query", []).append(text)
        elif ctype == "application/sparql-update":
            params["update"] = [text]
        else:
            raise Failure(415, "Unsupported media type", "POST a query as application/sparql-query or as "
                          "application/x-www-form-urlencoded with a query parameter")
        return params

    def service_description(self, request: Request) -> Response:
        fmt = negotiate("DESCRIBE", request.accept_mimetypes, request.args.get("format"))
        if fmt == "html":
            return self.html(pages.query_page(self.site, None))
        from rdflib import Literal, URIRef
        from rdflib.namespace import RDF, VOID, Namespace

        sd, formats = Namespace(SD), Namespace(FORMATS_NS)
        url = URIRef(self.root(request) + "sparql")
        g = Graph()
        g.bind("sd", SD)
        g.add((url, RDF.type, sd.Service))
        g.add((url, sd.endpoint, url))
        g.add((url, sd.supportedLanguage, sd.SPARQL11Query))
        for name in ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
                     "Turtle", "N-Triples", "JSON-LD", "RDF_XML"):
            g.add((url, sd.resultFormat, formats[name]))
        ds, dg = URIRef(f"{url}#dataset"), URIRef(f"{url}#default-graph")
        g.add((url, sd.defaultDataset, ds))
        g.add((ds, RDF.type, sd.Dataset))
        g.add((ds, sd.defaultGraph, dg))
        g.add((dg, RDF.type, sd.Graph))
        g.add((dg, VOID.triples, Literal(len(self.graph))))
        g.add((ds, URIRef("http://purl.org/dc/terms/source"), URIRef(self.base + "dataset")))
        return self.rdf(g, fmt)


def run(app: App, host: str = "127.0.0.1", port: int = 8000, *, threads: int = 8, echo=print) -> None:
    """Serve `app` with waitress until interrupted."""
    from waitress import create_server

    server = create_server(app, host=host, port=port, threads=threads, ident="funding-kg",
                           max_request_body_size=app.max_query_bytes * 4)
    echo(f"serving on http://{host}:{server.effective_port}/ (SPARQL endpoint /sparql); Ctrl-C stops")
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
        app.close()



def serve_in_thread(app: App, host: str = "127.0.0.1", port: int = 0, *, threads: int = 4):
    """Start waitress in a background thread (port 0: a free one); returns (base URL, stop function)."""
    from waitress import create_server

    server = create_server(app, host=host, port=port, threads=threads, ident="funding-kg")
    thread = threading.Thread(target=server.run, daemon=True, name="fundkg-serve")
    thread.start()

    def stop() -> None:
        server.close()
        for channel in list(server._map.values()):  # keep-alive connections would keep the loop running
            channel.close()
        server.task_dispatcher.shutdown()
        thread.join(5)

    return f"http://{host}:{server.effective_port}", stop
