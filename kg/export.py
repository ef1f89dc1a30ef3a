"""Exports of the built graph in every common RDF format, and the dataset's VoID/DCAT description.

Every format is written from the same sorted list of triples through pyoxigraph's serializers, which keep
the input order: rdflib's N-Triples, RDF/XML and JSON-LD writers follow hash order and change from one
process to the next (see ../shared/pitfalls.md). Turtle stays rdflib's canonical longturtle
(kg.build.serialize_turtle). N-Quads and TriG put the triples in one named graph, <BASE>graph/main.
JSON-LD is compacted with the context shipped in ontology/context.jsonld, embedded in the file so that no
parser ever fetches it.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, RDF, RDFS, VOID

from . import __version__, paths
from .build import LICENCE_LABELS, serialize_turtle, write_atomic
from .errors import KGError
from .ns import DEFAULT_BASE, PREFIXES, bind_prefixes


@dataclass(frozen=True)
class Format:
    key: str
    filename: str
    media_type: str
    title: str


FORMATS = {f.key: f for f in (
    Format("ttl", "funding-kg.ttl", "text/turtle", "Turtle"),
    Format("nt", "funding-kg.nt", "application/n-triples", "N-Triples (sorted)"),
    Format("nq", "funding-kg.nq", "application/n-quads", "N-Quads (named graph <BASE>graph/main)"),
    Format("trig", "funding-kg.trig", "application/trig", "TriG (named graph <BASE>graph/main)"),
    Format("jsonld", "funding-kg.jsonld", "application/ld+json", "JSON-LD (compacted, context embedded)"),
    Format("xml", "funding-kg.rdf", "application/rdf+xml", "RDF/XML"),
)}
DATASET_FILE = "dataset.ttl"
CONTEXT_FILE = "context.jsonld"
ONTOLOGY_HTML = "ontology.html"


def graph_name(base: str = DEFAULT_BASE) -> str:
    """The named graph that holds the data in the N-Quads and TriG exports."""
    return base + "graph/main"


def site_root(base: str = DEFAULT_BASE) -> str:
    """Where the dataset is published: the base IRI without its final `id/` (downloads, /sparql)."""
    return base[: -len("id/")] if base.endswith("/id/") else base


def prefixes(base: str = DEFAULT_BASE) -> dict[str, str]:
    return {**{k: str(v) for k, v in PREFIXES.items()}, "id": base}


def curie(term) -> str:
    """`fkg:Program` for a term in one of the project's namespaces, else the IRI (whatever a graph binds)."""
    s = str(term)
    for prefix, ns in sorted(PREFIXES.items(), key=lambda kv: -len(str(kv[1]))):
        if s.startswith(str(ns)) and len(s) > len(str(ns)):
            return f"{prefix}:{s[len(str(ns)):]}"
    return s


def sorted_triples(graph: Graph) -> list[ox.Triple]:
    """The graph's triples as Oxigraph terms, in N-Triples order (the built graph has no blank nodes)."""
    data = graph.serialize(format="nt", encoding="utf-8")
    return sorted(set(ox.parse(data, format=ox.RdfFormat.N_TRIPLES)), key=str)


def load_context() -> dict:
    """The shipped JSON-LD context (the value of its "@context")."""
    path = paths.ontology_file(CONTEXT_FILE)
    try:
        return json.loads(path.read_text(encoding="utf-8"))["@context"]
    except (OSError, ValueError, KeyError) as exc:
        raise KGError(f"cannot read the JSON-LD context: {exc}", path=path) from None


def to_jsonld(graph: Graph, base: str = DEFAULT_BASE) -> bytes:
    """Compacted JSON-LD with the shipped context inline; nodes sorted by @id, keys and values sorted."""
    context = {**load_context(), "id": base}
    doc = json.loads(graph.serialize(format="json-ld", context=context, use_native_types=True))
    nodes = doc.get("@graph", [doc] if "@id" in doc else [])
    # rdflib leaves IRIs whose local part has a slash uncompacted; "id:" is a valid JSON-LD 1.1 prefix.
    id_terms = {k for k, v in context.items() if isinstance(v, dict) and v.get("@type") == "@id"}

    def short(v):
        if isinstance(v, str):
            return "id:" + v[len(base):] if v.startswith(base) else v
        if isinstance(v, dict) and "@id" in v:
            return {**v, "@id": short(v["@id"])}
        return v

    for node in nodes:
        for key, value in node.items():
            if key == "@id" or key in id_terms:
                value = [short(v) for v in value] if isinstance(value, list) else short(value)
            elif isinstance(value, (list, dict)):
                value = [short(v) if isinstance(v, dict) else v for v in value] if isinstance(value, list) \
                    else short(value)
            if isinstance(value, list):
                value = sorted(value, key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
            node[key] = value
    nodes = [{k: v for k, v in n.items() if k != "@context"} for n in nodes]
    nodes.sort(key=lambda n: n.get("@id", ""))
    text = json.dumps({"@context": context, "@graph": nodes}, ensure_ascii=False, indent=1, sort_keys=True)
    return (text + "\n").encode("utf-8")


def serialize(graph: Graph, fmt: str, base: str = DEFAULT_BASE) -> bytes:
    """The graph in one export format (a key of FORMATS); the same graph always gives the same bytes."""
    if fmt not in FORMATS:
        raise KGError(f"unknown export format {fmt!r} (one of {', '.join(FORMATS)}, or all)")
    if fmt == "ttl":
        return serialize_turtle(graph)
    if fmt == "jsonld":
        return to_jsonld(graph, base)
    triples = sorted_triples(graph)
    if fmt == "nt":
        return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
    if fmt == "xml":
        return ox.serialize(triples, format=ox.RdfFormat.RDF_XML, prefixes=prefixes(base))
    g = ox.NamedNode(graph_name(base))
    quads = [ox.Quad(t.subject, t.predicate, t.object, g) for t in triples]
    if fmt == "nq":
        return ox.serialize(quads, format=ox.RdfFormat.N_QUADS)
    return ox.serialize(quads, format=ox.RdfFormat.TRIG, prefixes=prefixes(base))


def _literals(graph: Graph, subject, predicate) -> list[Literal]:
    return sorted(graph.objects(subject, predicate), key=lambda o: (o.language or "", str(o)))


def dataset_description(graph: Graph, base: str = DEFAULT_BASE, *, site: str | None = None) -> Graph:
    """VoID and DCAT description of the dataset: titles, source, licence, version, counts, distributions.

    `site` is where the downloads and the SPARQL endpoint are (default: the base IRI without `id/`).

    >>> from kg.build import build_graph
    >>> g = build_graph().graph
    >>> int(dataset_description(g).value(URIRef(DEFAULT_BASE + "dataset"), VOID.triples)) == len(g)
    True
    """
    site = site or site_root(base)
    ds = URIRef(base + "dataset")
    d = Graph()
    bind_prefixes(d, base)
    d.add((ds, RDF.type, VOID.Dataset))
    d.add((ds, RDF.type, DCAT.Dataset))
    d.add((ds, DCTERMS.title, Literal("Japan's public funding for health and medical research", lang="en")))
    d.add((ds, DCTERMS.title, Literal("健康・医療分野の研究開発に対する公的資金", lang="ja")))
    d.add((ds, DCTERMS.description, Literal(
        "Who funds whom, how much, in which fiscal year and through which instrument in Japan's public budget for "
        "health and medical research (MEXT to AMED to programs, hubs and institutions); every fact points to "
        "the line of the budget document it comes from.", lang="en")))
    d.add((ds, DCTERMS.description, Literal(
        "日本の健康・医療分野の研究開発予算について、誰が誰に、いくら、どの年度に、どの手段で資金を出すか"
        "（文部科学省→AMED→事業・拠点・機関）を記述し、各事実が予算資料のどの行に基づくかを示すデータセット。",
        lang="ja")))
    publisher = URIRef(site)
    d.add((ds, DCTERMS.publisher, publisher))
    d.add((publisher, RDF.type, FOAF.Organization))
    d.add((publisher, FOAF.name, Literal("funding-kg contributors")))
    d.add((ds, URIRef(str(DCAT) + "version"), Literal(__version__)))  # DCAT 3; rdflib's DCAT predates it
    d.add((ds, OWL.versionInfo, Literal(__version__)))
    d.add((ds, DCTERMS.language, URIRef("http://id.loc.gov/vocabulary/iso639-1/ja")))
    d.add((ds, DCTERMS.language, URIRef("http://id.loc.gov/vocabulary/iso639-1/en")))
    d.add((ds, VOID.vocabulary, URIRef(PREFIXES["fkg"])))
    d.add((ds, VOID.uriSpace, Literal(base)))
    # The source documents, their attribution and publisher, as the graph states them.
    for doc in sorted(graph.subjects(RDF.type, URIRef(PREFIXES["fkg"] + "SourceDocument"))):
        d.add((ds, DCTERMS.source, doc))
        for p in (DCTERMS.title, DCTERMS.rights):
            for lit in _literals(graph, doc, p):
                d.add((doc, p, lit))
                if p == DCTERMS.rights:
                    d.add((ds, DCTERMS.rights, lit))
        for pub in graph.objects(doc, DCTERMS.publisher):
            d.add((doc, DCTERMS.publisher, pub))
            for lit in _literals(graph, pub, RDFS.label):
                d.add((pub, RDFS.label, lit))
    licence = URIRef(site + "#licence")
    d.add((ds, DCTERMS.license, licence))
    d.add((licence, RDF.type, DCTERMS.LicenseDocument))
    for lang, text in LICENCE_LABELS.items():
        d.add((licence, RDFS.label, Literal(text, lang=lang)))
    d.add((licence, RDFS.seeAlso, URIRef("https://opensource.org/licenses/MIT")))
    # Counts.
    subjects = {s for s in graph.subjects() if isinstance(s, URIRef)}
    d.add((ds, VOID.triples, Literal(len(graph))))
    d.add((ds, VOID.entities, Literal(sum(1 for s in subjects if str(s).startswith(base)))))
    d.add((ds, VOID.distinctSubjects, Literal(len(subjects))))
    d.add((ds, VOID.properties, Literal(len(set(graph.predicates())))))
    classes: dict = {}
    for s, c in graph.subject_objects(RDF.type):
        classes.setdefault(c, set()).add(s)
    d.add((ds, VOID.classes, Literal(len(classes))))
    for c in sorted(classes):
        part = URIRef(f"{base}dataset#class-{curie(c).replace(':', '-')}")
        d.add((ds, VOID.classPartition, part))
        d.add((part, VOID["class"], c))
        d.add((part, VOID.entities, Literal(len(classes[c]))))
    # Distributions and the endpoint.
    for f in FORMATS.values():
        dist = URIRef(f"{base}dataset#distribution-{f.key}")
        url = URIRef(f"{site}download/{f.filename}")
        d.add((ds, DCAT.distribution, dist))
        d.add((ds, VOID.dataDump, url))
        d.add((dist, RDF.type, DCAT.Distribution))
        d.add((dist, DCTERMS.title, Literal(f.title, lang="en")))
        d.add((dist, DCAT.downloadURL, url))
        d.add((dist, DCAT.accessURL, url))
        d.add((dist, DCAT.mediaType, URIRef("https://www.iana.org/assignments/media-types/" + f.media_type)))
        d.add((dist, DCTERMS.format, Literal(f.media_type)))
        d.add((dist, DCTERMS.license, licence))
    endpoint = URIRef(site + "sparql")
    service = URIRef(f"{base}dataset#sparql")
    d.add((ds, VOID.sparqlEndpoint, endpoint))
    d.add((service, RDF.type, DCAT.DataService))
    d.add((service, DCTERMS.title, Literal("Read-only SPARQL 1.1 endpoint", lang="en")))
    d.add((service, DCAT.endpointURL, endpoint))
    d.add((service, DCAT.servesDataset, ds))
    d.add((service, DCTERMS.conformsTo, URIRef("https://www.w3.org/TR/sparql11-protocol/")))
    return d


def write_exports(graph: Graph, out: str | Path, formats: list[str] | None = None, *,
                  base: str = DEFAULT_BASE) -> list[Path]:
    """Write the graph in `formats` (default: all), the dataset description, the JSON-LD context and the
    ontology's HTML documentation into `out`; returns the paths written."""
    from .ontodoc import ontology_html

    out = Path(out)
    written = []
    for key in formats or list(FORMATS):
        data = serialize(graph, key, base)
        target = out / FORMATS[key].filename
        write_atomic(target, data)
        written.append(target)
    extras = {
        DATASET_FILE: serialize_turtle(dataset_description(graph, base)),
        CONTEXT_FILE: paths.ontology_file(CONTEXT_FILE).read_bytes(),
        ONTOLOGY_HTML: ontology_html().encode("utf-8"),
    }
    for name, data in extras.items():
        write_atomic(out / name, data)
        written.append(out / name)
    return written

