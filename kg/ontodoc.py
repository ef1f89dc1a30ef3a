"""HTML documentation of the ontology, generated from ontology/funding-kg.ttl with rdflib.

pyLODE 3.4.1 (the usual tool) fails at import time when installed from PyPI (it reads a pyproject.toml
that its wheel does not ship), so this small generator lists the classes, properties and code lists with
their labels in both languages, comments and alignments. The page is self-contained: inline CSS, no script,
nothing fetched. `page()` is the shell shared with the server's pages.
"""
from __future__ import annotations

from html import escape

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from . import paths
from .export import curie
from .ns import ONTOLOGY_IRI, PREFIXES

CSS = """
body{font-family:system-ui,"Hiragino Sans","Noto Sans CJK JP",sans-serif;margin:0 auto;max-width:72rem;
padding:1rem 1.5rem;line-height:1.5;color:#1d1d1f}
header,footer{border-bottom:1px solid #ccc;padding-bottom:.5rem;margin-bottom:1rem}
footer{border-top:1px solid #ccc;border-bottom:0;margin-top:2rem;padding-top:.5rem;font-size:.9rem;color:#444}
table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #ddd;padding:.2rem .5rem;text-align:left;
vertical-align:top}th{background:#f3f3f3}td.num{text-align:right;font-variant-numeric:tabular-nums}
code,pre,textarea{font-family:ui-monospace,monospace}pre{background:#f6f6f6;padding:.5rem;overflow:auto}
textarea{width:100%;min-height:12rem}.term{border-top:1px solid #eee;padding-top:.5rem}.muted{color:#666}
a{color:#0645ad}nav a{margin-right:1rem}.quote{background:#fffbe6}
"""

ALIGNMENTS = [(RDFS.subClassOf, "subclass of"), (RDFS.subPropertyOf, "subproperty of"),
              (OWL.equivalentClass, "equivalent class"), (OWL.equivalentProperty, "equivalent property"),
              (SKOS.exactMatch, "exact match"), (SKOS.closeMatch, "close match"), (SKOS.broadMatch, "broad match"),
              (RDFS.domain, "domain"), (RDFS.range, "range"), (SKOS.inScheme, "in scheme"),
              (SKOS.notation, "notation")]


def page(title: str, body: str, *, footer: str = "", nav: str = "") -> str:
    """A complete HTML page; `title` is text (escaped here), `body`, `footer` and `nav` are HTML."""
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(title)}</title><style>{CSS}</style></head><body>\n"
            f"<header>{nav}<h1>{escape(title)}</h1></header>\n<main>{body}</main>\n"
            f"<footer>{footer}</footer>\n</body></html>\n")


def _labels(g: Graph, s, p=RDFS.label) -> str:
    out = []
    for lang in ("ja", "en", ""):
        for o in sorted(g.objects(s, p)):
            if isinstance(o, Literal) and (o.language or "") == lang:
                out.append(escape(str(o)) + (f' <span class="muted">@{lang}</span>' if lang else ""))
    return " / ".join(out)


def _ref(term) -> str:
    if isinstance(term, URIRef):
        s = str(term)
        if s.startswith(PREFIXES["fkg"]):
            local = s[len(str(PREFIXES["fkg"])):]
            return f'<a href="#{escape(local)}"><code>{escape(curie(term))}</code></a>'
        return f'<a href="{escape(s)}"><code>{escape(curie(term))}</code></a>'
    return escape(str(term))


def _term(g: Graph, s: URIRef) -> str:
    local = str(s)[len(str(PREFIXES["fkg"])):]
    rows = [f'<div class="term" id="{escape(local)}"><h3><code>{escape(curie(s))}</code> {_labels(g, s)}</h3>']
    for p in (RDFS.comment, SKOS.definition):
        for o in sorted(g.objects(s, p)):
            rows.append(f"<p>{escape(str(o))}</p>")
    items = []
    for p, name in ALIGNMENTS:
        vals = sorted(g.objects(s, p), key=str)
        if vals:
            items.append(f"<li>{name}: {', '.join(_ref(v) for v in vals)}</li>")
    if items:
        rows.append("<ul>" + "".join(items) + "</ul>")
    rows.append("</div>")
    return "\n".join(rows)


def ontology_html(graph: Graph | None = None) -> str:
    """The documentation page of the ontology (shipped ontology/funding-kg.ttl by default)."""
    g = graph or Graph().parse(paths.ontology_file("funding-kg.ttl"))
    onto = URIRef(ONTOLOGY_IRI)
    fkg = str(PREFIXES["fkg"])

    def own(cls) -> list[URIRef]:
        return sorted(s for s in g.subjects(RDF.type, cls) if isinstance(s, URIRef) and str(s).startswith(fkg))

    sections = [("Classes", own(OWL.Class)), ("Object properties", own(OWL.ObjectProperty)),
                ("Datatype properties", own(OWL.DatatypeProperty)),
                ("Code lists", own(SKOS.ConceptScheme)), ("Concepts", own(SKOS.Concept))]
    seen = {s for _, terms in sections for s in terms}
    other = sorted(s for s in set(g.subjects()) if isinstance(s, URIRef) and str(s).startswith(fkg) and s not in seen)
    if other:
        sections.append(("Other terms", other))
    body = [f"<p>{_labels(g, onto, DCTERMS.title)}</p>"]
    for o in sorted(g.objects(onto, DCTERMS.description)):
        body.append(f"<p>{escape(str(o))}</p>")
    body.append(f"<p>IRI <code>{escape(ONTOLOGY_IRI)}</code>, namespace <code>{escape(fkg)}</code> (prefix "
                f"<code>fkg:</code>), version {escape(str(g.value(onto, OWL.versionInfo) or ''))}.</p>")
    body.append("<h2>Contents</h2><ul>" + "".join(
        f'<li><a href="#{escape(name.lower().replace(" ", "-"))}">{name}</a> ({len(terms)})</li>'
        for name, terms in sections) + "</ul>")
    body.append("<h2>Prefixes</h2><table>" + "".join(
        f"<tr><td><code>{escape(k)}:</code></td><td><code>{escape(str(v))}</code></td></tr>"
        for k, v in sorted(PREFIXES.items())) + "</table>")
    for name, terms in sections:
        body.append(f'<h2 id="{escape(name.lower().replace(" ", "-"))}">{name}</h2>')
        body.extend(_term(g, s) for s in terms)
    footer = ("The ontology and the code are MIT-licensed (funding-kg). Generated from "
              "<code>ontology/funding-kg.ttl</code> by <code>fundkg export</code>.")
    return page("funding-kg ontology", "\n".join(body), footer=footer)
