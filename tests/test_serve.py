"""The server: SPARQL 1.1 Protocol (in-process and over a socket with SPARQLWrapper), content negotiation,
linked-data pages, hostile inputs, and headless Chromium on the home page, a resource page and the query form."""
from __future__ import annotations

import csv
import io
import json

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS
from werkzeug.test import Client

from kg import export
from kg.ns import DEFAULT_BASE, FKG

FKG_NS = "https://w3id.org/funding-kg/ontology#"
REGEN_Q = f"""PREFIX fkg: <{FKG_NS}>
SELECT ?yen WHERE {{ ?a fkg:allocatedTo <{DEFAULT_BASE}program/regenerative-medicine> ;
  fkg:fiscalYear/fkg:year 2022 ; fkg:budgetKind fkg:Request ; fkg:amountYen ?yen }}"""
ASK_Q = f"PREFIX fkg: <{FKG_NS}> ASK {{ <{DEFAULT_BASE}organisation/mext> a fkg:Ministry }}"
CONSTRUCT_Q = f"CONSTRUCT {{ ?s a <{FKG_NS}Ministry> }} WHERE {{ ?s a <{FKG_NS}Ministry> }}"
DESCRIBE_Q = f"DESCRIBE <{DEFAULT_BASE}organisation/mext>"
SLOW_Q = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
HTML = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
EXAMPLE = """# title: Ministries and their labels
# title@ja: 省庁とそのラベル
# description: Every ministry in the graph.
# param: lang string en -- language of the label
PREFIX fkg: <https://w3id.org/funding-kg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?ministry ?label WHERE { ?ministry a fkg:Ministry ; rdfs:label ?label FILTER(LANG(?label) = ?lang) }
ORDER BY ?label
"""


def make_app(graph, **kw):
    from kg.serve import App

    kw.setdefault("timeout", 3.0)
    kw.setdefault("max_rows", 2000)
    kw.setdefault("max_query_bytes", 4096)
    return App(graph, **kw)


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    from kg.query import load_query

    path = tmp_path_factory.mktemp("queries") / "ministries.rq"
    path.write_text(EXAMPLE, encoding="utf-8")
    return load_query(path)


@pytest.fixture(scope="module")
def viz(tmp_path_factory):
    folder = tmp_path_factory.mktemp("viz")
    (folder / "flows.html").write_text("<!DOCTYPE html><title>flows</title><p>money flows</p>", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def app(graph, example, viz):
    app = make_app(graph, queries=[example], viz_dir=viz)
    yield app
    app.close()


@pytest.fixture(scope="module")
def client(app):
    return Client(app)


@pytest.fixture(scope="module")
def server(app):
    """The app over a real socket on 127.0.0.1 (a free port), served by waitress in a thread."""
    from kg.serve import serve_in_thread

    url, stop = serve_in_thread(app)
    yield url
    stop()


def error_of(response) -> dict:
    body = json.loads(response.data)
    assert set(body) == {"error"} and set(body["error"]) == {"status", "title", "message"}
    assert body["error"]["status"] == response.status_code
    return body["error"]


# -- SPARQLWrapper, a real client, over the socket --------------------------------------------------------

def wrapper(server, query, fmt, method="GET", request_method=None):
    from SPARQLWrapper import SPARQLWrapper

    sw = SPARQLWrapper(server + "/sparql")
    sw.setQuery(query)
    sw.setReturnFormat(fmt)
    sw.setMethod(method)
    if request_method:
        sw.setRequestMethod(request_method)
    return sw.query()


@pytest.mark.parametrize("method,request_method", [("GET", None), ("POST", "urlencoded"), ("POST", "postdirectly")])
def test_sparqlwrapper_select_json(server, method, request_method):
    res = wrapper(server, REGEN_Q, "json", method, request_method).convert()
    assert [b["yen"]["value"] for b in res["results"]["bindings"]] == ["9066000000"]


def test_sparqlwrapper_select_xml_csv_tsv(server):
    xml = wrapper(server, REGEN_Q, "xml").convert()
    assert xml.getElementsByTagName("literal")[0].firstChild.data == "9066000000"
    rows = list(csv.reader(io.StringIO(wrapper(server, REGEN_Q, "csv").convert().decode("utf-8"))))
    assert rows == [["yen"], ["9066000000"]]
    tsv = wrapper(server, REGEN_Q, "tsv").convert().decode("utf-8").splitlines()
    assert tsv[0] == "?yen" and tsv[1].startswith('"9066000000"^^')


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_sparqlwrapper_ask(server, fmt):
    res = wrapper(server, ASK_Q, fmt).convert()
    if fmt == "json":
        assert res["boolean"] is True
    else:
        assert res.getElementsByTagName("boolean")[0].firstChild.data == "true"


@pytest.mark.parametrize("query", [CONSTRUCT_Q, DESCRIBE_Q])
@pytest.mark.parametrize("fmt", ["turtle", "n3", "json-ld", "xml"])
def test_sparqlwrapper_construct_describe(server, query, fmt):
    from SPARQLWrapper import SPARQLWrapper

    sw = SPARQLWrapper(server + "/sparql")
    sw.setQuery(query)
    sw.setReturnFormat(fmt)
    result = sw.query()
    g = result.convert()
    if not isinstance(g, Graph):
        g = Graph().parse(data=g, format={"turtle": "turtle", "n3": "turtle", "json-ld": "json-ld"}[fmt])
    mext = URIRef(DEFAULT_BASE + "organisation/mext")
    assert (mext, URIRef(FKG_NS + "Ministry"), None) in g or (mext, None, URIRef(FKG_NS + "Ministry")) in g
    if query == DESCRIBE_Q:
        assert (mext, RDFS.label, Literal("文部科学省", lang="ja")) in g


def test_ntriples_over_the_socket(server):
    import urllib.parse
    import urllib.request

    url = server + "/sparql?" + urllib.parse.urlencode({"query": CONSTRUCT_Q})
    with urllib.request.urlopen(urllib.request.Request(url, headers={"Accept": "application/n-triples"})) as r:
        assert r.headers["Content-Type"].startswith("application/n-triples")
        assert r.headers["Access-Control-Allow-Origin"] == "*"
        lines = r.read().decode("utf-8").splitlines()
    assert f"<{DEFAULT_BASE}organisation/mext> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{FKG_NS}Ministry> ." in lines


# -- content negotiation ------------------------------------------------------------------------------------

@pytest.mark.parametrize("query,accept,fmt,media", [
    (REGEN_Q, "application/sparql-results+json", None, "application/sparql-results+json"),
    (REGEN_Q, "application/json", None, "application/sparql-results+json"),
    (REGEN_Q, "application/sparql-results+xml", None, "application/sparql-results+xml"),
    (REGEN_Q, "application/xml", None, "application/sparql-results+xml"),
    (REGEN_Q, "text/csv", None, "text/csv"),
    (REGEN_Q, "text/tab-separated-values", None, "text/tab-separated-values"),
    (REGEN_Q, "*/*", None, "application/sparql-results+json"),
    (REGEN_Q, None, None, "application/sparql-results+json"),
    (REGEN_Q, "text/csv;q=0.5, application/sparql-results+xml", None, "application/sparql-results+xml"),
    (REGEN_Q, HTML["Accept"], None, "text/html"),
    (REGEN_Q, "text/csv", "json", "application/sparql-results+json"),
    (REGEN_Q, "application/json", "tsv", "text/tab-separated-values"),
    (ASK_Q, "application/sparql-results+xml", None, "application/sparql-results+xml"),
    (ASK_Q, "*/*", None, "application/sparql-results+json"),
    (CONSTRUCT_Q, "text/turtle", None, "text/turtle"),
    (CONSTRUCT_Q, "application/n-triples", None, "application/n-triples"),
    (CONSTRUCT_Q, "application/ld+json", None, "application/ld+json"),
    (CONSTRUCT_Q, "application/rdf+xml", None, "application/rdf+xml"),
    (CONSTRUCT_Q, "*/*", None, "text/turtle"),
    (CONSTRUCT_Q, "application/sparql-results+json, application/json;q=0.9", None, "application/ld+json"),
    (CONSTRUCT_Q, "text/turtle", "xml", "application/rdf+xml"),
    (DESCRIBE_Q, "text/turtle", "json-ld", "application/ld+json"),
    (DESCRIBE_Q, "text/plain", None, "application/n-triples"),
])
def test_accept_table(client, query, accept, fmt, media):
    params = {"query": query, **({"format": fmt} if fmt else {})}
    r = client.get("/sparql", query_string=params, headers={"Accept": accept} if accept else {})
    assert r.status_code == 200, r.data
    assert r.mimetype == media


def test_not_acceptable(client):
    r = client.get("/sparql", query_string={"query": REGEN_Q}, headers={"Accept": "image/png"})
    assert r.status_code == 406 and "text/csv" in error_of(r)["message"]
    r = client.get("/sparql", query_string={"query": REGEN_Q, "format": "pdf"})
    assert r.status_code == 406


@pytest.mark.parametrize("accept,media", [(HTML["Accept"], "text/html"), ("text/turtle", "text/turtle"),
                                          ("application/ld+json", "application/ld+json"), ("*/*", "text/html")])
def test_resource_negotiation(client, accept, media):
    r = client.get("/id/organisation/mext", headers={"Accept": accept})
    assert r.status_code == 200 and r.mimetype == media


@pytest.mark.parametrize("suffix,fmt", [(".ttl", "turtle"), (".jsonld", "json-ld")])
def test_resource_suffixes(client, suffix, fmt):
    r = client.get("/id/program/regenerative-medicine" + suffix, headers=HTML)
    g = Graph().parse(data=r.data, format=fmt)
    regen = URIRef(DEFAULT_BASE + "program/regenerative-medicine")
    assert (regen, RDFS.label, Literal("再生医療実現拠点ネットワークプログラム", lang="ja")) in g
    alloc = URIRef(DEFAULT_BASE + "allocation/regenerative-medicine/2022-request")
    assert (alloc, FKG.allocatedTo, regen) in g, "incoming links too"


def test_post_forms(client):
    r = client.post("/sparql", data={"query": ASK_Q})
    assert r.status_code == 200 and json.loads(r.data) == {"head": {}, "boolean": True}
    r = client.post("/sparql", data=ASK_Q, content_type="application/sparql-query")
    assert r.status_code == 200 and json.loads(r.data)["boolean"] is True
    r = client.post("/sparql", data=ASK_Q, content_type="text/plain")
    assert r.status_code == 415


def test_service_description_and_cors(client):
    r = client.get("/sparql", headers={"Accept": "text/turtle"})
    assert r.status_code == 200 and r.mimetype == "text/turtle"
    g = Graph().parse(data=r.data, format="turtle")
    sd = "http://www.w3.org/ns/sparql-service-description#"
    endpoint = URIRef("http://localhost/sparql")
    assert (endpoint, URIRef(sd + "endpoint"), endpoint) in g
    assert (endpoint, URIRef(sd + "supportedLanguage"), URIRef(sd + "SPARQL11Query")) in g
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    pre = client.options("/sparql", headers={"Origin": "http://example.org", "Access-Control-Request-Method": "POST"})
    assert pre.status_code == 204
    assert "POST" in pre.headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in pre.headers["Access-Control-Allow-Headers"]


# -- linked data and pages ----------------------------------------------------------------------------------

def test_every_resource_iri_resolves(client, graph):
    iris = sorted({str(t) for t in graph.all_nodes() if isinstance(t, URIRef) and str(t).startswith(DEFAULT_BASE)})
    assert len(iris) > 700
    for iri in iris:
        r = client.get("/id/" + iri[len(DEFAULT_BASE):], headers=HTML)
        assert r.status_code == 200, iri


def test_resource_page(client):
    page = client.get("/id/program/regenerative-medicine", headers=HTML).get_data(as_text=True)
    assert "再生医療実現拠点ネットワークプログラム" in page
    assert "Research Center Network for Realization of Regenerative Medicine" in page
    assert "Amounts by fiscal year (百万円" in page and ">9,066</a>" in page and "FY2021" in page
    assert 'href="/id/program/regen-ips-core"' in page, "its components link here (incoming partOf)"
    assert 'href="/id/organisation/amed"' in page, "managed by AMED (outgoing)"
    assert "line 201" in page and "再生医療実現拠点ネットワークプログラム 令和4年度予算額(案)" in page, "quotes, lines"
    assert ">line 27</a>" in page, "each amount links to the line it was read from"
    assert "出典：文部科学省" in page and "MIT" in page, "source and licence on every page"


def test_home_page(client, example, graph):
    page = client.get("/", headers=HTML).get_data(as_text=True)
    assert "健康・医療分野の研究開発に対する公的資金" in page and f"{len(graph):,} triples" in page
    for f in export.FORMATS.values():
        assert f'href="/download/{f.filename}"' in page
    assert 'href="/viz/flows.html"' in page
    assert "Ministries and their labels" in page and "省庁とそのラベル" in page
    assert "出典：文部科学省" in page
    filled = client.get("/", query_string={"example": example.name}, headers=HTML).get_data(as_text=True)
    assert "VALUES (?lang) { (&quot;en&quot;) }" in filled


def test_home_page_without_queries_or_viz(graph):
    app = make_app(graph, queries=[], workers=1)
    try:
        page = Client(app).get("/", headers=HTML).get_data(as_text=True)
        assert "No example queries" in page and "/viz/" not in page
    finally:
        app.close()


def test_downloads_are_the_exports(client, graph, viz):
    r = client.get("/download/funding-kg.nt")
    assert r.status_code == 200 and r.mimetype == "application/n-triples"
    assert r.data == export.serialize(graph, "nt")
    d = Graph().parse(data=client.get("/download/dataset.ttl").data, format="turtle")
    from rdflib.namespace import VOID

    assert d.value(URIRef(DEFAULT_BASE + "dataset"), VOID.sparqlEndpoint) == URIRef("http://localhost/sparql")
    assert client.get("/viz/flows.html").data == (viz / "flows.html").read_bytes()
    ds = Graph().parse(data=client.get("/id/dataset.ttl").data, format="turtle")
    dist = URIRef(DEFAULT_BASE + "dataset#distribution-nt")
    from rdflib.namespace import DCAT

    assert ds.value(dist, DCAT.downloadURL) == URIRef("http://localhost/download/funding-kg.nt")
    assert client.get("/ontology", headers=HTML).status_code == 200


# -- hostile input ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind,request_kw", [
    ("update via GET", {"method": "GET", "query_string": {"query": "DELETE WHERE { ?s ?p ?o }"}}),
    ("update via form", {"method": "POST", "data": {"query": "INSERT DATA { <a:b> <a:c> <a:d> }"}}),
    ("update parameter", {"method": "POST", "data": {"update": "CLEAR ALL"}}),
    ("sparql-update body", {"method": "POST", "data": "DROP ALL", "content_type": "application/sparql-update"}),
    ("LOAD", {"method": "POST", "data": "LOAD <file:///etc/passwd>", "content_type": "application/sparql-query"}),
    ("prefix then update", {"method": "GET", "query_string": {
        "query": "PREFIX x: <http://x/> # SELECT\nINSERT DATA { x:a x:b x:c }"}}),
    ("SERVICE", {"method": "GET", "query_string": {
        "query": "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"}}),
    ("FROM file", {"method": "GET", "query_string": {"query": "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }"}}),
    ("FROM NAMED", {"method": "GET", "query_string": {
        "query": "SELECT * FROM NAMED <http://example.org/g> WHERE { GRAPH ?g { ?s ?p ?o } }"}}),
    ("default-graph-uri", {"method": "GET", "query_string": {"query": ASK_Q, "default-graph-uri": "file:///etc/passwd"}}),
])
def test_refused_with_403(client, kind, request_kw):
    r = client.open("/sparql", **request_kw)
    assert r.status_code == 403, (kind, r.data)
    assert error_of(r)["title"].endswith("refused")


def test_keywords_inside_names_and_strings_are_not_refused(client):
    q = ('PREFIX insert: <http://example.org/> SELECT ?delete ?service WHERE { BIND("FROM SERVICE DROP" AS ?delete) '
         "BIND(insert:load AS ?service) }")
    r = client.get("/sparql", query_string={"query": q})
    assert r.status_code == 200, r.data


def test_malformed_query_is_400_with_the_parser_message(client):
    r = client.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p }"})
    assert r.status_code == 400
    assert error_of(r)["message"].startswith("error at 1:")


def test_oversized_query_is_413(client):
    big = "SELECT * WHERE { ?s ?p ?o } #" + "x" * 5000
    assert client.get("/sparql", query_string={"query": big}).status_code == 413
    r = client.post("/sparql", data=big, content_type="application/sparql-query")
    assert r.status_code == 413 and "4096 bytes" in error_of(r)["message"]


def test_row_limit(client):
    r = client.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p ?o }"})
    assert r.status_code == 422 and "more than 2000 solutions" in error_of(r)["message"]
    r = client.get("/sparql", query_string={"query": "CONSTRUCT WHERE { ?s ?p ?o }"})
    assert r.status_code == 422 and "triples" in error_of(r)["message"]


def test_slow_query_is_stopped_and_the_endpoint_recovers(graph):
    app = make_app(graph, queries=[], timeout=1.0, workers=1)
    try:
        c = Client(app)
        r = c.get("/sparql", query_string={"query": SLOW_Q})
        assert r.status_code == 504 and "time limit of 1 s" in error_of(r)["message"]
        r = c.get("/sparql", query_string={"query": ASK_Q})
        assert r.status_code == 200 and json.loads(r.data)["boolean"] is True
    finally:
        app.close()


def test_server_bug_is_500_not_400(app, client, monkeypatch):
    def broken(*a, **k):
        raise RuntimeError("simulated bug")

    monkeypatch.setattr(app.pool, "run", broken)
    r = client.get("/sparql", query_string={"query": ASK_Q})
    assert r.status_code == 500 and error_of(r)["title"] == "Server error"
    r = client.get("/sparql", query_string={"query": ASK_Q}, headers=HTML)
    assert r.status_code == 500 and r.mimetype == "text/html" and "Server error" in r.get_data(as_text=True)


def test_errors_are_html_for_browsers(client):
    r = client.get("/id/nothing/here", headers=HTML)
    assert r.status_code == 404 and r.mimetype == "text/html"
    assert "no resource" in r.get_data(as_text=True) and "出典：文部科学省" in r.get_data(as_text=True)
    assert error_of(client.get("/id/nothing/here"))["title"] == "Not found"


@pytest.mark.parametrize("path", ["/../../etc/passwd", "/id/../../etc/passwd", "/id/%2e%2e/%2e%2e/etc/passwd",
                                  "/download/..%2f..%2fetc%2fpasswd", "/download/../../etc/passwd",
                                  "/viz/..%2fflows.html", "/viz/%2e%2e", "/etc/passwd", "/id/", "/download/"])
def test_paths_outside_the_data_are_404(client, path):
    r = client.get(path)
    assert r.status_code == 404, path
    assert b"root:" not in r.data
    error_of(r)


def test_path_traversal_over_the_socket(server):
    import http.client

    host, port = server.rsplit("//", 1)[1].split(":")
    for path in ("/../../etc/passwd", "/id/../../../etc/passwd", "/id/%2e%2e/%2e%2e/etc/passwd",
                 "/viz/../../../../etc/passwd"):
        conn = http.client.HTTPConnection(host, int(port), timeout=10)
        conn.request("GET", path)
        r = conn.getresponse()
        body = r.read()
        conn.close()
        assert r.status == 404 and b"root:" not in body, path


def test_a_script_tag_in_a_label_is_escaped(graph):
    hostile = Graph()
    hostile += graph
    mext = URIRef(DEFAULT_BASE + "organisation/mext")
    hostile.add((mext, RDFS.label, Literal("<script>alert(1)</script>", lang="en")))
    hostile.remove((mext, RDFS.label, Literal("Ministry of Education, Culture, Sports, Science and Technology",
                                              lang="en")))
    app = make_app(hostile, queries=[], workers=1)
    try:
        c = Client(app)
        q = f"SELECT ?l WHERE {{ <{mext}> <{RDFS.label}> ?l }}"
        for path, params in (("/id/organisation/mext", {}), ("/", {}), ("/id/organisation/amed", {}),
                             ("/sparql", {"query": q, "format": "html"})):
            page = c.get(path, query_string=params, headers=HTML).get_data(as_text=True)
            assert "<script>alert(1)</script>" not in page and "<script" not in page, path
            assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page, path
    finally:
        app.close()


# -- Chromium ------------------------------------------------------------------------------------------------

@pytest.mark.slow
def test_browser_home_resource_and_query(browser, server, artifacts):
    from urllib.parse import urlparse

    elsewhere = []

    def guard(route):
        if urlparse(route.request.url).hostname != "127.0.0.1":
            elsewhere.append(route.request.url)
            return route.abort()
        return route.continue_()

    page = browser.new_page()
    page.route("**/*", guard)
    try:
        page.goto(server + "/")
        assert "健康・医療分野の研究開発に対する公的資金" in page.content()
        page.screenshot(path=str(artifacts / "serve-home.png"), full_page=True)
        page.locator("main li a[href='/id/organisation/mext']").first.click()
        page.wait_for_url("**/id/organisation/mext")
        assert page.locator("h1").inner_text().startswith("Ministry of Education")
        assert "文部科学省" in page.content()
        page.screenshot(path=str(artifacts / "serve-resource.png"), full_page=True)
        page.goto(server + "/")
        page.click("text=Ministries and their labels")
        assert "VALUES (?lang)" in page.locator("textarea").input_value()
        page.click("button[type=submit]")
        page.wait_for_url("**/sparql?**")
        cells = page.locator("td").all_inner_texts()
        assert "Ministry of Education, Culture, Sports, Science and Technology" in cells
        page.screenshot(path=str(artifacts / "serve-query.png"), full_page=True)
    finally:
        page.close()
    assert elsewhere == []


def test_cli_serve_answers_on_loopback_and_stops_its_workers(graph_file):
    """`fundkg serve` as a user starts it: a child process on a free port, stopped by SIGTERM."""
    import socket
    import subprocess
    import sys
    import time
    import urllib.parse
    import urllib.request
    from pathlib import Path

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    root = Path(__file__).resolve().parent.parent
    proc = subprocess.Popen([sys.executable, "-m", "kg", "serve", "--graph", str(graph_file), "--port", str(port),
                             "--workers", "1", "--timeout", "5"], cwd=root, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}/sparql?" + urllib.parse.urlencode({"query": ASK_Q})
    try:
        body = None
        for _ in range(100):
            try:
                with urllib.request.urlopen(url, timeout=5) as r:
                    body = json.loads(r.read())
                break
            except OSError:
                time.sleep(0.2)
        assert body == {"head": {}, "boolean": True}
    finally:
        proc.terminate()
        proc.wait(10)
    assert b"serving on http://127.0.0.1:" in proc.stderr.read()


def test_a_dead_worker_is_a_500_and_is_replaced(graph):
    app = make_app(graph, queries=[], workers=1)
    try:
        (proc, _conn), = list(app.pool._all)
        proc.kill()
        proc.wait(5)
        c = Client(app)
        r = c.get("/sparql", query_string={"query": ASK_Q})
        assert r.status_code == 500 and error_of(r)["title"] == "Server error"
        r = c.get("/sparql", query_string={"query": ASK_Q})
        assert r.status_code == 200 and json.loads(r.data)["boolean"] is True
    finally:
        app.close()


def _http(server, method, path, body=None, headers=None):
    import http.client

    host, port = server.rsplit("//", 1)[1].split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        r = conn.getresponse()
        return r.status, r.getheader("Content-Type"), r.read()
    finally:
        conn.close()


@pytest.mark.parametrize("query,status", [
    ("DELETE WHERE { ?s ?p ?o }", 403),
    ("SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }", 403),
    ("SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }", 403),
    ("SELECT * WHERE { ?s ?p }", 400),
    ("SELECT * WHERE { ?s ?p ?o } #" + "x" * 5000, 413),
    ("SELECT * WHERE { ?s ?p ?o }", 422),
    (SLOW_Q, 504),
])
def test_hostile_queries_over_the_socket(server, query, status):
    got, ctype, body = _http(server, "POST", "/sparql", query.encode("utf-8"),
                             {"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"})
    assert got == status and ctype.startswith("application/json")
    assert json.loads(body)["error"]["status"] == status


def test_many_concurrent_clients(server):
    import urllib.parse
    from concurrent.futures import ThreadPoolExecutor

    path = "/sparql?" + urllib.parse.urlencode({"query": REGEN_Q})
    with ThreadPoolExecutor(max_workers=16) as pool:
        answers = list(pool.map(lambda _: _http(server, "GET", path), range(64)))
    assert {a[0] for a in answers} == {200}
    assert {json.loads(a[2])["results"]["bindings"][0]["yen"]["value"] for a in answers} == {"9066000000"}


def test_pages_load_nothing_from_elsewhere(client):
    for path in ("/", "/id/program/regenerative-medicine", "/sparql", "/ontology", "/id/nothing"):
        r = client.get(path, headers=HTML)
        page = r.get_data(as_text=True)
        assert "<script" not in page and "<link" not in page and 'src="http' not in page, path
        assert "default-src 'none'" in r.headers["Content-Security-Policy"], path
