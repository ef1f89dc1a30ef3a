"""SHACL shapes and the budget's arithmetic, on the shipped graph and on graphs broken on purpose."""
from decimal import Decimal

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS, XSD

from kg.ns import FKG, OA
from kg.validate import validate_graph

ID = "https://w3id.org/funding-kg/id/"


def iri(path):
    return URIRef(ID + path)


@pytest.fixture(scope="module")
def report(graph):
    return validate_graph(graph)


def test_shipped_graph_conforms(report):
    assert report.conforms, report.violations
    rules = {c["rule"] for c in report.checks}
    assert rules == {"parts-within-total", "programs-within-agency"}
    amed = [c for c in report.checks if c["rule"] == "programs-within-agency" and c["kind"] == "request"]
    assert amed[0]["total"] == Decimal(58_600_000_000) and amed[0]["sum"] == Decimal(49_992_000_000)
    assert amed[0]["count"] == 11


def test_year_over_year(report):
    programs = [y for y in report.year_over_year if "/program/" in y["iri"] and not y["iri"].endswith("section-6")]
    worst = programs[0]
    assert worst["item"] == "Japan Program for Infectious Diseases Research and Infrastructure"
    assert worst["change"] == Decimal(-867_000_000) and worst["percent"] == Decimal("-23.2")
    by_item = {y["iri"]: y for y in report.year_over_year}
    assert by_item[ID + "program/advanced-research"]["change"] == Decimal(820_000_000)


def test_remainders(report):
    rest = {(r["iri"].rsplit("/", 1)[1], r["fiscal_year"]): r["amount"] for r in report.remainders}
    assert rest[("regenerative-medicine", 2022)] == Decimal(336_000_000)
    assert rest[("regenerative-medicine", 2021)] == Decimal(347_000_000)
    assert rest[("b-cure", 2022)] == Decimal(360_000_000)


def broken(graph, remove=(), add=()):
    g = Graph()
    g += graph
    for t in remove:
        g.remove(t)
    for t in add:
        g.add(t)
    return g


def messages(report):
    return [str(v) for v in report.violations]


def test_allocation_without_fiscal_year(graph):
    a = iri("allocation/binds/2022-request")
    rep = validate_graph(broken(graph, remove=[(a, FKG.fiscalYear, None)]))
    assert not rep.conforms
    assert any(str(a) == v.focus and "exactly one fiscal year" in v.message for v in rep.violations)


def test_amount_must_be_a_decimal(graph):
    a = iri("allocation/binds/2022-request")
    rep = validate_graph(broken(graph, remove=[(a, FKG.amountYen, None)], add=[(a, FKG.amountYen, Literal("3702"))]))
    assert any(str(a) == v.focus and "xsd:decimal" in v.message for v in rep.violations)


def test_program_needs_one_japanese_label(graph):
    p = iri("program/binds")
    g = broken(graph, remove=[(p, RDFS.label, None)], add=[(p, RDFS.label, Literal("BINDS", lang="en"))])
    rep = validate_graph(g)
    assert any(str(p) == v.focus and "Japanese label" in v.message for v in rep.violations)
    g = broken(graph, add=[(p, RDFS.label, Literal("別名", lang="ja"))])
    assert any(str(p) == v.focus and "Japanese label" in v.message for v in validate_graph(g).violations)


def test_span_needs_its_quote(graph):
    span = next(graph.subjects(FKG.line, None))
    sels = list(graph.objects(span, OA.hasSelector))
    g = broken(graph, remove=[(s, OA.exact, None) for s in sels])
    assert any(str(span) == v.focus and "verbatim quote" in v.message for v in validate_graph(g).violations)


def test_hub_needs_a_hub_type(graph):
    h = iri("hub/tmm")
    rep = validate_graph(broken(graph, remove=[(h, FKG.hubType, None)]))
    assert any(str(h) == v.focus and "hub type" in v.message for v in rep.violations)


def test_flow_needs_an_instrument(graph):
    f = iri("flow/binds-amed-universities")
    rep = validate_graph(broken(graph, remove=[(f, FKG.instrument, None)]))
    assert any(str(f) == v.focus for v in rep.violations)


def test_components_over_their_total(graph):
    a = iri("allocation/regen-ips-core/2022-request")
    g = broken(graph, remove=[(a, FKG.amountYen, None)],
               add=[(a, FKG.amountYen, Literal(Decimal(3_100_000_000), datatype=XSD.decimal))])
    rep = validate_graph(g)
    bad = [v for v in rep.violations if v.rule == "parts-within-total"]
    assert len(bad) == 1 and bad[0].focus == ID + "program/regenerative-medicine"
    assert "¥9,130,000,000" in bad[0].message and "¥9,066,000,000" in bad[0].message


def test_programs_over_the_agency_total(graph):
    a = iri("allocation/amed/2022-request")
    g = broken(graph, remove=[(a, FKG.amountYen, None)],
               add=[(a, FKG.amountYen, Literal(Decimal(40_000_000_000), datatype=XSD.decimal))])
    bad = [v for v in validate_graph(g).violations if v.rule == "programs-within-agency"]
    assert len(bad) == 1 and "11 programs it manages" in bad[0].message


def test_validation_does_not_mutate_the_graph(graph):
    before = len(graph)
    validate_graph(graph)
    assert len(graph) == before
