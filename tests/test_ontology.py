"""The ontology: every term the code uses is defined, labelled in both languages and aligned."""
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

import pytest

from kg.ns import FKG, FKG_TERMS
from kg.paths import ontology_file

ONTOLOGY = Graph().parse(ontology_file("funding-kg.ttl"))
PREFIX = str(FKG)


def defined_terms():
    return {s for s in ONTOLOGY.subjects() if isinstance(s, URIRef) and str(s).startswith(PREFIX)}


def test_code_and_ontology_agree_on_the_terms():
    assert set(FKG_TERMS) == {str(t)[len(PREFIX):] for t in defined_terms()}
    with pytest.raises(AttributeError):
        FKG.Programme  # a misspelt term fails at first use


def test_ontology_header():
    onto = URIRef("https://w3id.org/funding-kg/ontology")
    assert (onto, RDF.type, OWL.Ontology) in ONTOLOGY
    assert ONTOLOGY.value(onto, OWL.versionInfo) is not None
    langs = {l.language for l in ONTOLOGY.objects(onto, URIRef("http://purl.org/dc/terms/title"))}
    assert langs == {"ja", "en"}


def test_every_class_and_property_has_japanese_and_english_labels():
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
    terms = {s for k in kinds for s in ONTOLOGY.subjects(RDF.type, k) if str(s).startswith(PREFIX)}
    assert len(terms) > 60
    for t in terms:
        langs = {l.language for l in ONTOLOGY.objects(t, RDFS.label)}
        assert {"ja", "en"} <= langs, t


def test_code_list_concepts_have_both_labels():
    for scheme in (FKG.BudgetKinds, FKG.Instruments, FKG.HubTypes, FKG.PerUnits):
        concepts = set(ONTOLOGY.subjects(SKOS.inScheme, scheme))
        assert concepts
        for c in concepts:
            assert {l.language for l in ONTOLOGY.objects(c, SKOS.prefLabel)} == {"ja", "en"}
            assert ONTOLOGY.value(c, SKOS.notation) is not None


def test_alignments_to_standard_vocabularies():
    supers = {str(o) for s in defined_terms() for p in (RDFS.subClassOf, RDFS.subPropertyOf)
              for o in ONTOLOGY.objects(s, p)}
    for ns in ("http://www.w3.org/ns/org#", "http://xmlns.com/foaf/0.1/", "http://purl.org/cerif/frapo/",
               "https://schema.org/", "http://www.w3.org/ns/prov#", "http://www.w3.org/2004/02/skos/core#",
               "http://purl.org/linked-data/cube#", "http://data.openbudgets.eu/ontology/",
               "http://www.w3.org/ns/oa#"):
        assert any(s.startswith(ns) for s in supers), ns
    assert (FKG.FundingAgency, RDFS.subClassOf, URIRef("http://purl.org/cerif/frapo/FundingAgency")) in ONTOLOGY
    assert (FKG.Allocation, RDFS.subClassOf, URIRef("http://purl.org/linked-data/cube#Observation")) in ONTOLOGY


def test_shapes_parse_and_target_the_model():
    shapes = Graph().parse(ontology_file("shapes.ttl"))
    targets = set(shapes.objects(None, URIRef("http://www.w3.org/ns/shacl#targetClass")))
    assert {FKG.Allocation, FKG.Program, FKG.FundingFlow, FKG.Hub, FKG.Span, FKG.Policy} <= targets
    assert targets <= defined_terms()


def test_the_graph_uses_only_defined_terms(graph):
    used = {t for triple in graph for t in triple if isinstance(t, URIRef) and str(t).startswith(PREFIX)}
    assert used <= defined_terms(), used - defined_terms()
