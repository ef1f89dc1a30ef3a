"""Exports: every format parses back to the built graph (rdflib and pyoxigraph), deterministic bytes, the
dataset description, the JSON-LD context and the ontology documentation."""
from __future__ import annotations

import hashlib
from decimal import Decimal
import json
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, DCTERMS, RDF, VOID

from kg import export
from kg.ns import DEFAULT_BASE, FKG

ROOT = Path(__file__).resolve().parent.parent
RDFLIB_FORMATS = {"ttl": "turtle", "nt": "nt", "nq": "nquads", "trig": "trig", "jsonld": "json-ld", "xml": "xml"}
OX_FORMATS = {"ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "nq": ox.RdfFormat.N_QUADS,
              "trig": ox.RdfFormat.TRIG, "jsonld": ox.RdfFormat.JSON_LD, "xml": ox.RdfFormat.RDF_XML}
REGEN = URIRef(DEFAULT_BASE + "program/regenerative-medicine")


@pytest.fixture(scope="module")
def exported(graph):
    return {key: export.serialize(graph, key) for key in export.FORMATS}


def canonical(g: Graph) -> Graph:
    """The graph with xsd:decimal literals in one lexical form: Turtle writes 6094000000 as 6094000000.0."""
    from decimal import Decimal

    from rdflib.namespace import XSD

    out = Graph()
    for s, p, o in g:
        if isinstance(o, Literal) and o.datatype == XSD.decimal:
            o = Literal(format(Decimal(str(o)).normalize(), "f"), datatype=XSD.decimal)
        out.add((s, p, o))
    return out


def parse_back(key: str, data: bytes) -> Graph:
    if key in ("nq", "trig"):
        ds = Dataset()
        ds.parse(data=data, format=RDFLIB_FORMATS[key])
        named = ds.graph(URIRef(export.graph_name()))
        assert len(named) > 0, "the data is in the named graph <BASE>graph/main"
        assert len(ds.default_graph) == 0
        return Graph() + named
    return Graph().parse(data=data, format=RDFLIB_FORMATS[key])


@pytest.mark.parametrize("key", list(export.FORMATS))
def test_export_parses_back_isomorphic_and_independent_parser_agrees(key, graph, exported):
    back = parse_back(key, exported[key])
    assert isomorphic(canonical(back), canonical(graph))
    quads = list(ox.parse(exported[key], format=OX_FORMATS[key]))
    assert len(quads) == len(graph)
    oxi = {str(q.triple) for q in quads}
    assert len(oxi) == len(graph)
    assert (f"<{DEFAULT_BASE}allocation/regenerative-medicine/2022-request> "
            f"<https://w3id.org/funding-kg/ontology#allocatedTo> <{REGEN}>") in oxi
    if key in ("nq", "trig"):
        assert {q.graph_name.value for q in quads} == {DEFAULT_BASE + "graph/main"}


@pytest.mark.parametrize("key", list(export.FORMATS))
def test_export_is_deterministic_in_process(key, graph, exported):
    assert export.serialize(graph, key) == exported[key]


def test_exports_are_byte_identical_across_processes(tmp_path):
    """rdflib's writers follow hash order; PYTHONHASHSEED changes it between processes."""
    code = ("import sys; from kg.build import build_graph; from kg.export import write_exports; "
            "write_exports(build_graph().graph, sys.argv[1])")
    digests = []
    for seed in ("1", "4242"):
        out = tmp_path / seed
        subprocess.run([sys.executable, "-c", code, str(out)], check=True, cwd=ROOT,
                       env={"PYTHONHASHSEED": seed, "PATH": "/usr/bin:/bin"})
        digests.append({p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(out.iterdir())})
    assert digests[0] == digests[1]
    assert set(digests[0]) == {f.filename for f in export.FORMATS.values()} | {
        "dataset.ttl", "context.jsonld", "ontology.html"}


def test_ntriples_are_sorted_lines(exported, graph):
    lines = exported["nt"].decode("utf-8").splitlines()
    assert lines == sorted(lines) and len(lines) == len(graph)


def test_jsonld_is_compacted_with_the_shipped_context_inline(exported):
    doc = json.loads(exported["jsonld"])
    shipped = json.loads((ROOT / "ontology" / "context.jsonld").read_text(encoding="utf-8"))["@context"]
    assert isinstance(doc["@context"], dict), "the context is embedded, never a URL to fetch"
    assert doc["@context"] == {**shipped, "id": DEFAULT_BASE}
    nodes = {n["@id"]: n for n in doc["@graph"]}
    assert [n["@id"] for n in doc["@graph"]] == sorted(nodes)
    mext = nodes["id:organisation/mext"]
    assert mext["label"] == {"ja": "文部科学省", "en": "Ministry of Education, Culture, Sports, Science and Technology"}
    alloc = nodes["id:allocation/regenerative-medicine/2022-request"]
    assert sorted(alloc["evidence"]) == alloc["evidence"] and alloc["evidence"][0].startswith("id:span/")
    assert Decimal(alloc["amountYen"]) == Decimal("9066000000") and alloc["originalText"] == "9,066百万円"
    assert alloc["allocatedTo"] == "id:program/regenerative-medicine"
    assert alloc["budgetKind"] == "fkg:Request"
    assert nodes["id:policy/healthcare-policy"]["decisionDate"] == "2020-03-27"


def test_dataset_description(graph):
    d = export.dataset_description(graph)
    ds = URIRef(DEFAULT_BASE + "dataset")
    titles = {t.language: str(t) for t in d.objects(ds, DCTERMS.title)}
    assert titles == {"en": "Japan's public funding for health and medical research",
                      "ja": "健康・医療分野の研究開発に対する公的資金"}
    assert {t.language for t in d.objects(ds, DCTERMS.description)} == {"en", "ja"}
    assert int(d.value(ds, VOID.triples)) == len(graph)
    subjects = {s for s in graph.subjects() if str(s).startswith(DEFAULT_BASE)}
    assert int(d.value(ds, VOID.entities)) == len(subjects)
    assert str(d.value(ds, URIRef(str(DCAT) + "version"))) == "0.1.0"
    doc = URIRef(DEFAULT_BASE + "document/mext-fy2022-health-medical-rd")
    assert d.value(ds, DCTERMS.source) == doc
    assert d.value(doc, DCTERMS.publisher) == URIRef(DEFAULT_BASE + "organisation/mext")
    rights = {r.language: str(r) for r in d.objects(ds, DCTERMS.rights)}
    assert rights["ja"].startswith("出典：文部科学省「令和4年度予算額（案） ６．健康・医療分野の研究開発の推進」")
    licence = d.value(ds, DCTERMS.license)
    assert "MIT" in " ".join(str(o) for o in d.objects(licence, None))
    assert d.value(ds, DCTERMS.publisher) is not None
    assert d.value(ds, VOID.sparqlEndpoint) == URIRef("https://w3id.org/funding-kg/sparql")
    dists = list(d.objects(ds, DCAT.distribution))
    assert len(dists) == len(export.FORMATS) == 6
    media = {str(d.value(x, DCTERMS.format)): str(d.value(x, DCAT.downloadURL)) for x in dists}
    assert media["application/n-triples"] == "https://w3id.org/funding-kg/download/funding-kg.nt"
    assert set(media) == {f.media_type for f in export.FORMATS.values()}
    classes = {d.value(p, VOID["class"]): int(d.value(p, VOID.entities)) for p in d.objects(ds, VOID.classPartition)}
    assert classes[FKG.FundingFlow] == 16
    assert export.serialize_turtle(d) == export.serialize_turtle(export.dataset_description(graph))


def test_dataset_description_uses_the_server_address_when_given(graph):
    d = export.dataset_description(graph, site="http://127.0.0.1:8000/")
    ds = URIRef(DEFAULT_BASE + "dataset")
    assert d.value(ds, VOID.sparqlEndpoint) == URIRef("http://127.0.0.1:8000/sparql")
    assert URIRef("http://127.0.0.1:8000/download/funding-kg.ttl") in set(d.objects(ds, VOID.dataDump))


def test_ontology_documentation_is_self_contained():
    from kg.ontodoc import ontology_html

    html = ontology_html()
    assert 'id="FundingFlow"' in html and "資金の流れ" in html and "Funding flow" in html
    assert 'id="amountYen"' in html and "frapo:" in html
    assert "<script" not in html and "<link" not in html
    assert 'src="http' not in html


def test_cli_export_one_format(tmp_path, graph_file, graph):
    from kg.cli import main

    result = CliRunner().invoke(main, ["export", "--format", "nt", "--out", str(tmp_path),
                                       "--graph", str(graph_file)])
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["context.jsonld", "dataset.ttl", "funding-kg.nt", "ontology.html"]
    assert len(Graph().parse(tmp_path / "funding-kg.nt")) == len(graph)


def test_run_all_writes_every_export(tmp_path, graph):
    from kg.pipeline import run_all

    run_all(out=tmp_path)
    for f in export.FORMATS.values():
        assert (tmp_path / f.filename).stat().st_size > 100_000
    d = Graph().parse(tmp_path / "dataset.ttl")
    assert (URIRef(DEFAULT_BASE + "dataset"), VOID.triples, Literal(len(graph))) in d
    assert (tmp_path / "ontology.html").exists() and (tmp_path / "context.jsonld").exists()
    assert (URIRef(DEFAULT_BASE + "dataset"), RDF.type, VOID.Dataset) in d
    from kg.cli import main

    again = tmp_path / "again"
    result = CliRunner().invoke(main, ["export", "--out", str(again), "--graph", str(tmp_path / "funding-kg.ttl")])
    assert result.exit_code == 0, result.output
    for p in sorted(again.iterdir()):
        assert p.read_bytes() == (tmp_path / p.name).read_bytes(), f"fundkg all and fundkg export differ: {p.name}"
