"""The server's HTML pages: home, resource, query form, results and errors.

Every value that comes from the data or the request is escaped (`esc`); pages load nothing from elsewhere
and run no script. The graph is read by triple pattern from the Oxigraph store.
"""
from __future__ import annotations

import json
import urllib.parse
from decimal import Decimal, InvalidOperation
from html import escape

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, DCTERMS, OWL, RDF, RDFS, VOID

from . import export, paths
from .ns import DEFAULT_BASE, FKG, OA, PREFIXES
from .export import curie
from .ontodoc import page

RDF_TYPE = ox.NamedNode(str(RDF.type))
LABEL = ox.NamedNode(str(RDFS.label))


def esc(value) -> str:
    return escape(str(value), quote=True)


def _n(term) -> ox.NamedNode:
    return ox.NamedNode(str(term))


class Site:
    """What the pages need to know about the graph: resources, labels, links, the source and licence."""

    def __init__(self, store: ox.Store, base: str = DEFAULT_BASE, queries=()):
        self.store = store
        self.base = base
        self.queries = list(queries)
        self.ontology = Graph().parse(paths.ontology_file("funding-kg.ttl"))
        docs = self.subjects(FKG.SourceDocument)
        self.document = docs[0] if docs else None

    # -- reading the graph -----------------------------------------------------------------------------
    def node(self, iri: str) -> ox.NamedNode | None:
        try:
            return ox.NamedNode(iri)
        except ValueError:
            return None

    def exists(self, iri: str) -> bool:
        n = self.node(iri)
        return n is not None and (next(self.store.quads_for_pattern(n, None, None), None) is not None
                                  or next(self.store.quads_for_pattern(None, None, n), None) is not None)

    def subjects(self, cls) -> list[ox.NamedNode]:
        return sorted({q.subject for q in self.store.quads_for_pattern(None, RDF_TYPE, _n(cls))}, key=str)

    def objects(self, s, p) -> list:
        return sorted((q.object for q in self.store.quads_for_pattern(s, _n(p), None)), key=str)

    def value(self, s, p):
        objs = self.objects(s, p)
        return objs[0] if objs else None

    def labels(self, term, p=RDFS.label) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        if isinstance(term, ox.NamedNode):
            for o in self.objects(term, p):
                if isinstance(o, ox.Literal):
                    out.setdefault(o.language or "", []).append(o.value)
        return out

    def label(self, term, lang: str = "en") -> str:
        if isinstance(term, ox.Literal):
            return term.value
        labels = self.labels(term)
        for key in (lang, "en", "ja", ""):
            if labels.get(key):
                return labels[key][0]
        if isinstance(term, ox.NamedNode):
            onto = {o.language: str(o) for o in self.ontology.objects(URIRef(term.value), RDFS.label)}
            if onto:
                return onto.get(lang) or onto.get("en") or next(iter(onto.values()))
        return curie(term.value) if isinstance(term, ox.NamedNode) else str(term)

    def describe(self, iri: str) -> Graph:
        """The triples about a resource, both directions, as an rdflib graph."""
        n = _n(iri)
        triples = [q.triple for q in self.store.quads_for_pattern(n, None, None)]
        triples += [q.triple for q in self.store.quads_for_pattern(None, None, n)]
        g = Graph()
        from .ns import bind_prefixes

        bind_prefixes(g, self.base)
        g.parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")
        return g

    # -- HTML pieces -----------------------------------------------------------------------------------
    def href(self, iri: str) -> str:
        if iri.startswith(self.base):
            return "/id/" + urllib.parse.quote(iri[len(self.base):], safe="/-._~:")
        if iri.startswith(str(PREFIXES["fkg"])):
            return "/ontology#" + urllib.parse.quote(iri[len(str(PREFIXES["fkg"])):])
        return iri

    def link(self, term, text: str | None = None) -> str:
        if isinstance(term, ox.Literal):
            lang = f' <span class="muted">@{esc(term.language)}</span>' if term.language else ""
            return esc(term.value) + lang
        if isinstance(term, ox.NamedNode):
            return f'<a href="{esc(self.href(term.value))}">{esc(text or self.label(term))}</a>'
        return esc(str(term))

    def nav(self) -> str:
        return ('<nav><a href="/">Home</a><a href="/sparql">SPARQL</a><a href="/ontology">Ontology</a>'
                '<a href="/download/dataset.ttl">Dataset description (Turtle)</a></nav>')

    def footer(self) -> str:
        """The data's source and licence, on every page."""
        parts = []
        if self.document is not None:
            title = " / ".join(esc(t) for lang in ("ja", "en") for t in self.labels(self.document, DCTERMS.title)
                               .get(lang, []))
            rights = "<br>".join(esc(t) for lang in ("ja", "en") for t in self.labels(self.document, DCTERMS.rights)
                                 .get(lang, []))
            parts.append(f'Source: <a href="{esc(self.href(self.document.value))}">{title}</a>, published by '
                         f"Japan's Ministry of Education, Culture, Sports, Science and Technology (MEXT, 文部科学省)."
                         f"<br>{rights}")
        parts.append("The data derived from MEXT's publication is reused with attribution; the funding-kg code "
                     "is MIT-licensed.")
        return "<p>" + "</p><p>".join(parts) + "</p>"

    def page(self, title: str, body: str) -> str:
        return page(title, body, footer=self.footer(), nav=self.nav())


def _million(value: str) -> str:
    try:
        m = Decimal(value) / 1_000_000
    except InvalidOperation:
        return esc(value)
    return f"{m:,.0f}" if m == m.to_integral_value() else f"{m:,.2f}"


def amounts_table(site: Site, node: ox.NamedNode) -> str:
    """Allocations (and unexplained remainders) of a budget item by fiscal year and kind, in 百万円."""
    rows: dict[int, dict[str, str]] = {}
    kinds: list[str] = []
    for p, label in ((FKG.allocatedTo, ""), (FKG.remainderOf, " (unexplained remainder)")):
        for q in site.store.quads_for_pattern(None, _n(p), node):
            a = q.subject
            year_node, kind_node, amount = (site.value(a, FKG.fiscalYear), site.value(a, FKG.budgetKind),
                                            site.value(a, FKG.amountYen))
            year = site.value(year_node, FKG.year) if year_node else None
            if year is None or amount is None or kind_node is None:
                continue
            kind = site.label(kind_node) + label
            if kind not in kinds:
                kinds.append(kind)
            original = site.value(a, FKG.originalText)
            cell = f'<a href="{esc(site.href(a.value))}">{_million(amount.value)}</a>'
            if original is not None:
                cell += f' <span class="muted">({esc(original.value)})</span>'
            lines = [(site.value(sp, FKG.line), sp) for sp in site.objects(a, FKG.evidence)]
            lines = sorted(((int(ln.value), sp) for ln, sp in lines if ln is not None), key=lambda x: x[0])
            if lines:
                cell += " " + ", ".join(site.link(sp, f"line {ln}") for ln, sp in lines)
            rows.setdefault(int(year.value), {})[kind] = cell
    if not rows:
        return ""
    head = "".join(f"<th>{esc(k)}</th>" for k in kinds)
    body = "".join(f"<tr><td>FY{y}</td>" + "".join(f'<td class="num">{rows[y].get(k, "")}</td>' for k in kinds)
                   + "</tr>" for y in sorted(rows, reverse=True))
    return (f"<h2>Amounts by fiscal year (百万円, millions of yen)</h2><table><tr><th>fiscal year</th>{head}</tr>"
            f"{body}</table>")


def evidence_list(site: Site, node: ox.NamedNode) -> str:
    items = []
    spans = site.objects(node, FKG.evidence) or ([node] if site.value(node, OA.hasSelector) else [])
    for span in spans:
        line, end = site.value(span, FKG.line), site.value(span, FKG.endLine)
        where = f"line {line.value}" + (f"–{end.value}" if end is not None else "") if line is not None else ""
        quotes = [site.value(sel, OA.exact) for sel in site.objects(span, OA.hasSelector)]
        quote = "".join(f'<q class="quote">{esc(q.value)}</q>' for q in quotes if q is not None)
        items.append(f"<li>{site.link(span, where or None)}: {quote}</li>")
    return "<h2>Supporting quotes from the document</h2><ul>" + "".join(items) + "</ul>" if items else ""


def resource_page(site: Site, iri: str) -> str:
    node = _n(iri)
    labels = site.labels(node)
    title = site.label(node)
    out = [f"<p>IRI <code>{esc(iri)}</code> · also as "
           f'<a href="{esc(site.href(iri))}.ttl">Turtle</a>, <a href="{esc(site.href(iri))}.jsonld">JSON-LD</a></p>']
    types = site.objects(node, RDF.type)
    if types:
        out.append("<p>Type: " + ", ".join(site.link(t) for t in types) + "</p>")
    if labels:
        out.append("<table><tr><th>label</th><th>language</th></tr>" + "".join(
            f"<tr><td>{esc(v)}</td><td>{esc(lang or '-')}</td></tr>"
            for lang in sorted(labels) for v in labels[lang]) + "</table>")
    for note in site.objects(node, FKG.interpretation):
        out.append(f"<p><strong>Interpretation:</strong> {esc(note.value)}</p>")
    out.append(amounts_table(site, node))
    out.append(evidence_list(site, node))
    props = [(q.predicate, q.object) for q in site.store.quads_for_pattern(node, None, None)
             if q.predicate not in (RDF_TYPE, LABEL)]
    props.sort(key=lambda po: (str(po[0]), str(po[1])))
    if props:
        out.append("<h2>Properties</h2><table><tr><th>property</th><th>value</th></tr>" + "".join(
            f"<tr><td>{site.link(p, curie(p.value))}</td><td>{site.link(o)}</td></tr>" for p, o in props)
            + "</table>")
    inc = sorted(((q.subject, q.predicate) for q in site.store.quads_for_pattern(None, None, node)
                  if q.predicate != _n(FKG.evidence)), key=lambda sp: (str(sp[1]), str(sp[0])))
    if inc:
        out.append("<h2>Referenced by</h2><table><tr><th>resource</th><th>property</th></tr>" + "".join(
            f"<tr><td>{site.link(s)}</td><td>{site.link(p, curie(p.value))}</td></tr>" for s, p in inc) + "</table>")
    ja = labels.get("ja", [""])[0]
    return site.page(title + (f" / {ja}" if ja and ja != title else ""), "\n".join(x for x in out if x))


def query_form(site: Site, text: str | None) -> str:
    from .query import bind

    default = ("PREFIX fkg: <https://w3id.org/funding-kg/ontology#>\nPREFIX rdfs: "
               "<http://www.w3.org/2000/01/rdf-schema#>\nSELECT ?class (COUNT(?s) AS ?n) WHERE { ?s a ?class }\n"
               "GROUP BY ?class ORDER BY DESC(?n)")
    options = "".join(f'<option value="{k}">{k}</option>' for k in
                      ("html", "json", "xml", "csv", "tsv", "turtle", "ntriples", "jsonld", "rdfxml"))
    form = (f'<form id="query" action="/sparql" method="get"><textarea name="query" aria-label="SPARQL query">'
            f"{esc(text or default)}</textarea><br><label>result format <select name=\"format\">{options}"
            f'</select></label> <button type="submit">Run query</button></form>')
    examples = []
    for q in site.queries:
        runnable = bind(q, base=site.base)
        link = "/?" + urllib.parse.urlencode({"example": q.name}) + "#query"
        run = "/sparql?" + urllib.parse.urlencode({"query": runnable, "format": "html"})
        examples.append(f'<li><a href="{esc(link)}">{esc(q.title or q.name)}</a>'
                        + (f" / {esc(q.title_ja)}" if q.title_ja else "")
                        + f' · <a href="{esc(run)}">run</a>'
                        + (f'<br><span class="muted">{esc(q.description)}</span>' if q.description else "") + "</li>")
    listed = ("<h3>Example queries</h3><ul>" + "".join(examples) + "</ul>") if examples else \
        '<p class="muted">No example queries are shipped with this build.</p>'
    return form + listed


def query_page(site: Site, text: str | None) -> str:
    body = ("<p>A read-only SPARQL 1.1 endpoint: GET or POST a query to <code>/sparql</code>. Results as JSON, XML, "
            "CSV or TSV; graphs as Turtle, N-Triples, JSON-LD or RDF/XML. Updates, SERVICE and FROM are refused."
            "</p>" + query_form(site, text))
    return site.page("SPARQL query", body)


def home_page(site: Site, description: Graph, viz_files: list[str], example: str | None) -> str:
    ds = next(iter(description.subjects(RDF.type, DCAT.Dataset)), None)
    out = []
    for lang in ("en", "ja"):
        for p in (DCTERMS.description,):
            for o in description.objects(ds, p):
                if o.language == lang:
                    out.append(f'<p lang="{lang}">{esc(o)}</p>')
    counts = [(VOID.triples, "triples"), (VOID.entities, "resources"), (VOID.classes, "classes")]
    out.append("<p>" + ", ".join(f"{int(description.value(ds, p)):,} {name}" for p, name in counts
                                 if description.value(ds, p) is not None) + f". Version {esc(description.value(ds, OWL.versionInfo) or '')}.</p>")
    rows = "".join(f'<tr><td><a href="/download/{esc(f.filename)}">{esc(f.filename)}</a></td><td>{esc(f.title)}</td>'
                   f"<td><code>{esc(f.media_type)}</code></td></tr>" for f in export.FORMATS.values())
    rows += (f'<tr><td><a href="/download/{export.DATASET_FILE}">{export.DATASET_FILE}</a></td><td>VoID/DCAT dataset '
             f'description</td><td><code>text/turtle</code></td></tr><tr><td><a href="/download/{export.CONTEXT_FILE}">'
             f'{export.CONTEXT_FILE}</a></td><td>JSON-LD context</td><td><code>application/ld+json</code></td></tr>'
             f'<tr><td><a href="/ontology">ontology</a></td><td>ontology documentation</td><td><code>text/html'
             "</code></td></tr>")
    turtle = export.serialize_turtle(description).decode("utf-8")
    out.append(f"<details><summary>The dataset description (VoID, DCAT)</summary><pre>{esc(turtle)}</pre></details>")
    out.append(f"<h2>Downloads</h2><table><tr><th>file</th><th>what</th><th>media type</th></tr>{rows}</table>")
    if viz_files:
        out.append("<h2>Visualization</h2><ul>" + "".join(
            f'<li><a href="/viz/{esc(n)}">{esc(n)}</a></li>' for n in viz_files if n.endswith(".html")) + "</ul>")
    browse = []
    for cls, name in ((FKG.State, "State"), (FKG.Ministry, "Ministries"), (FKG.FundingAgency, "Funding agencies"),
                      (FKG.Section, "Sections"), (FKG.Program, "Programs"), (FKG.Hub, "Hubs"),
                      (FKG.FundingFlow, "Funding flows"), (FKG.Policy, "Policies"), (FKG.SourceDocument, "Source")):
        members = site.subjects(cls)
        if members:
            browse.append(f"<li>{esc(name)} ({len(members)}): " + ", ".join(
                site.link(m) for m in members[:40]) + ("…" if len(members) > 40 else "") + "</li>")
    out.append("<h2>Browse</h2><ul>" + "".join(browse) + "</ul>")
    text = None
    if example:
        from .query import bind

        found = [q for q in site.queries if q.name == example]
        text = bind(found[0], base=site.base) if found else None
    out.append('<h2>Query</h2>' + query_form(site, text))
    title = " / ".join(str(o) for lang in ("en", "ja") for o in description.objects(ds, DCTERMS.title)
                       if o.language == lang)
    return site.page(title or "funding-kg", "\n".join(out))


def results_page(site: Site, query: str, answer) -> str:
    if answer.kind == "graph":
        body = f"<pre>{esc(answer.body.decode('utf-8'))}</pre>"
    else:
        data = json.loads(answer.body)
        if "boolean" in data:
            body = f"<p>Answer: <strong>{'true' if data['boolean'] else 'false'}</strong></p>"
        else:
            names = data["head"]["vars"]
            rows = []
            for b in data["results"]["bindings"]:
                cells = []
                for n in names:
                    v = b.get(n)
                    if v is None:
                        cells.append("<td></td>")
                    elif v["type"] == "uri":
                        cells.append(f"<td>{site.link(ox.NamedNode(v['value']))}</td>")
                    else:
                        cls = ' class="num"' if v.get("datatype", "").endswith(("#decimal", "#integer")) else ""
                        cells.append(f"<td{cls}>{esc(v['value'])}</td>")
                rows.append("<tr>" + "".join(cells) + "</tr>")
            body = (f"<p>{len(rows)} row{'s' if len(rows) != 1 else ''}</p><table><tr>"
                    + "".join(f"<th>{esc(n)}</th>" for n in names) + "</tr>" + "".join(rows) + "</table>")
    return site.page("Query results", body + "<h2>Query</h2>" + query_form(site, query))


def error_page(status: int, title: str, message: str, site: Site) -> str:
    return site.page(f"{status} {title}", f'<p class="error">{esc(message)}</p><p><a href="/">Home</a></p>')
