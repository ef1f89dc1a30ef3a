"""The build: triples that must be there (and must not), checks against the document, no partial output."""
import os
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import ORG, RDF, RDFS, XSD

from kg.build import build_graph, serialize_turtle
from kg.errors import CoverageError, FactError
from kg.ns import FKG, OA

ID = "https://w3id.org/funding-kg/id/"
ROOT = Path(__file__).resolve().parent.parent


def iri(path):
    return URIRef(ID + path)


def amount(graph, path):
    return graph.value(iri(path), FKG.amountYen).toPython()


# --- what the graph says ----------------------------------------------------------------------------------

def test_section_and_amed_totals(graph):
    assert amount(graph, "allocation/section-6/2022-request") == Decimal(86_300_000_000)
    assert amount(graph, "allocation/section-6/2021-initial") == Decimal(87_600_000_000)
    assert amount(graph, "allocation/amed/2022-request") == Decimal(58_600_000_000)
    assert amount(graph, "allocation/amed/2021-initial") == Decimal(59_500_000_000)
    assert amount(graph, "allocation/amed/2021-supplementary") == Decimal(51_500_000_000)


def test_eleven_programs_with_both_years(graph):
    programs = [p for p in graph.subjects(FKG.partOf, iri("program/section-6"))
                if (None, FKG.allocatedTo, p) in graph]
    with_both = [p for p in programs
                 if (URIRef(f"{ID}allocation/{str(p).rsplit('/', 1)[1]}/2022-request"), RDF.type, FKG.Allocation) in graph
                 and (URIRef(f"{ID}allocation/{str(p).rsplit('/', 1)[1]}/2021-initial"), RDF.type, FKG.Allocation) in graph]
    assert len(with_both) == 11
    assert amount(graph, "allocation/medical-devices/2021-initial") == Decimal(862_000_000)
    assert str(graph.value(iri("allocation/medical-devices/2021-initial"), FKG.originalText)) == "0,862百万円"


def test_regenerative_medicine_components_and_remainder(graph):
    comps = set(graph.subjects(FKG.partOf, iri("program/regenerative-medicine")))
    assert len(comps) == 7
    numbers = sorted(graph.value(c, FKG.componentNumber).toPython() for c in comps)
    assert numbers == [1, 2, 3, 4, 5, 6, 7]
    assert amount(graph, "remainder/regenerative-medicine/2022-request") == Decimal(336_000_000)
    assert amount(graph, "remainder/regenerative-medicine/2021-initial") == Decimal(347_000_000)
    assert (iri("allocation/regen-cell-gene-therapy/2021-initial"), None, None) not in graph


def test_b_cure_components_and_remainder(graph):
    comps = {c for c in graph.subjects(FKG.partOf, iri("program/b-cure")) if (c, RDF.type, FKG.Component) in graph}
    assert len(comps) == 4
    assert amount(graph, "remainder/b-cure/2022-request") == Decimal(360_000_000)
    assert amount(graph, "remainder/b-cure/2021-initial") == Decimal(0)


def test_amed_total_beside_the_programs_it_manages(graph):
    # 586億円 against its eleven programs' 49,992百万円 in FY2022; the document does not itemise the rest.
    assert amount(graph, "remainder/amed/2022-request") == Decimal(8_608_000_000)
    assert amount(graph, "remainder/amed/2021-initial") == Decimal(10_119_000_000)
    assert amount(graph, "remainder/amed/2021-supplementary") == Decimal(0)
    assert graph.value(iri("remainder/amed/2022-request"), FKG.remainderOf) == iri("organisation/amed")


def test_vaccine_fund(graph):
    a = iri("allocation/vaccine-hubs/2021-supplementary")
    assert graph.value(a, FKG.amountYen).toPython() == Decimal(51_500_000_000)
    assert graph.value(a, FKG.isFund).toPython() is True
    assert graph.value(a, FKG.budgetKind) == FKG.SupplementaryBudget
    assert len(set(graph.objects(a, FKG.evidence))) == 4  # lines 43, 59, 86 and 127
    program = iri("program/vaccine-hubs")
    assert graph.value(program, FKG.fundYears).toPython() == 5
    assert graph.value(program, FKG.maxSupportYears).toPython() == 10
    assert graph.value(iri("hub/vaccine-flagship-hub"), FKG.exactCount).toPython() == 1
    assert graph.value(iri("hub/vaccine-synergy-hubs"), FKG.maxCount).toPython() == 3


def test_emerging_infections_flows(graph):
    f = iri("flow/eid-amed-nagasaki")
    assert graph.value(f, FKG.recipient) == iri("organisation/nagasaki-university")
    assert graph.value(f, FKG.instrument) == FKG.Assistance
    assert set(graph.objects(f, FKG.forComponent)) == {iri("program/eid-bsl4")}
    assert graph.value(f, FKG.interpretation) is not None
    f = iri("flow/eid-amed-universities")
    assert graph.value(f, FKG.instrument) == FKG.Commission
    assert {graph.value(c, FKG.componentNumber).toPython() for c in graph.objects(f, FKG.forComponent)} == {1, 3, 4}
    bsl4 = iri("hub/nagasaki-bsl4")
    assert graph.value(bsl4, FKG.hubType) == FKG.ResearchFacility
    assert graph.value(bsl4, FKG.completedInFiscalYear) == iri("fiscal-year/2021")
    assert graph.value(iri("hub/overseas-site-drc"), FKG.hubType) == FKG.OverseasSite


def test_hubs_and_hosts(graph):
    assert graph.value(iri("hub/ips-core-hub"), FKG.hostedBy) == iri("organisation/cira")
    assert graph.value(iri("organisation/cira"), ORG.subOrganizationOf) == iri("organisation/kyoto-university")
    disease = {str(graph.value(h, FKG.disease, any=True)) for h in graph.subjects(FKG.hubType, FKG.DiseaseTissueHub)}
    assert len(disease) == 4
    hosts = {graph.value(h, FKG.hostedBy) for h in graph.subjects(FKG.hubType, FKG.DiseaseTissueHub)}
    assert hosts == {iri(f"organisation/{o}") for o in
                                     ("osaka-university", "kobe-eye-center-hospital", "keio-university", "kyoto-university")}
    for h in graph.subjects(FKG.hubType, FKG.DiseaseTissueHub):
        assert graph.value(h, FKG.interpretation) is not None
        assert graph.value(h, FKG.fundedUnder) == iri("program/regen-disease-hubs")
    assert graph.value(iri("hub/ncbn"), FKG.hostedBy) == iri("organisation/mhlw")
    biobanks = set(graph.subjects(FKG.hubType, FKG.Biobank))
    assert biobanks == {iri("hub/tmm"), iri("hub/bbj"), iri("hub/ncbn")}
    assert (iri("hub/cannds"), FKG.hubType, FKG.DataPlatform) in graph
    assert (iri("program/grifin"), FKG.partOf, iri("program/bcure-platform")) in graph


def test_translational_calls(graph):
    expected = {"seeds-a": (11, 75), "pre-f": (30, 10), "seeds-b": (6, 50), "seeds-c": (8, 80),
                "seeds-f": (6, 70), "cross-disciplinary": (5, 50)}
    for call, (count, per) in expected.items():
        c = iri(f"call/{call}")
        assert graph.value(c, FKG.expectedCount).toPython() == count
        assert graph.value(graph.value(c, FKG.amountPer), FKG.amountYen).toPython() == Decimal(per * 1_000_000)
    assert graph.value(graph.value(iri("call/seeds-c"), FKG.amountPer), FKG.upperBound).toPython() is True
    assert graph.value(iri("hub/translational-support-institutions"), FKG.approximateCount).toPython() == 11


def test_binds_new_and_reorganised(graph):
    binds = iri("program/binds")
    assert graph.value(binds, FKG.newInFiscalYear) == iri("fiscal-year/2022")
    assert graph.value(binds, FKG.reorganisedFrom) == iri("program/drug-discovery-support-platform")
    alt = {str(l) for l in graph.objects(binds, URIRef("http://www.w3.org/2004/02/skos/core#altLabel"))}
    assert "生命科学・創薬等研究支援基盤事業" in alt


def test_periods_and_policies(graph):
    def period(p):
        s = iri(f"program/{p}")
        end = graph.value(s, FKG.periodEnd)
        return (graph.value(graph.value(s, FKG.periodStart), FKG.year).toPython(),
                graph.value(end, FKG.year).toPython() if end else None)

    assert period("emerging-infections") == (2020, 2026)
    assert period("regenerative-medicine") == (2013, 2022)
    assert period("b-cure") == (2021, 2025)
    assert period("translational-research") == (2021, None)
    assert period("binds") == (2022, 2026)
    assert graph.value(iri("policy/healthcare-policy"), FKG.decisionDate) == Literal("2020-03-27", datatype=XSD.date)
    assert graph.value(iri("policy/vaccine-strategy"), FKG.decisionDate) == Literal("2021-06-01", datatype=XSD.date)
    assert set(graph.subjects(FKG.basedOn, iri("policy/vaccine-strategy"))) == {
        iri("program/vaccine-hubs"), iri("program/emerging-infections")}


def test_every_scheme_flow_starts_at_mext(graph):
    subsidies = [f for f in graph.subjects(FKG.instrument, FKG.Subsidy)]
    assert len(subsidies) == 6
    for f in subsidies:
        assert graph.value(f, FKG.funder) == iri("organisation/mext")
        assert graph.value(f, FKG.recipient) == iri("organisation/amed")
    assert (iri("organisation/mext"), FKG.funds, iri("organisation/amed")) in graph


def test_fiscal_years(graph):
    fy = iri("fiscal-year/2022")
    assert graph.value(fy, FKG.startDate) == Literal("2022-04-01", datatype=XSD.date)
    assert graph.value(fy, FKG.endDate) == Literal("2023-03-31", datatype=XSD.date)
    assert Literal("令和4年度", lang="ja") in set(graph.objects(fy, RDFS.label))


def test_every_span_quotes_the_document_exactly(graph, built):
    text = "\n".join(built.documents[0].lines)
    spans = list(graph.subjects(RDF.type, FKG.Span))
    assert len(spans) > 100
    for s in spans:
        exact, start, end = None, None, None
        for sel in graph.objects(s, OA.hasSelector):
            if (sel, RDF.type, OA.TextQuoteSelector) in graph:
                exact = str(graph.value(sel, OA.exact))
            else:
                start, end = graph.value(sel, OA.start).toPython(), graph.value(sel, OA.end).toPython()
        assert text[start:end] == exact
        line = graph.value(s, FKG.line).toPython()
        assert text.count("\n", 0, start) + 1 == line


def test_every_fact_resource_has_evidence_and_no_blank_nodes(graph):
    for cls in (FKG.Allocation, FKG.FundingFlow, FKG.Hub, FKG.Policy, FKG.Call, FKG.UnitAmount):
        for s in graph.subjects(RDF.type, cls):
            assert (s, FKG.evidence, None) in graph, s
    assert not any(isinstance(t, BNode) for triple in graph for t in triple)


def test_coverage_is_complete(built):
    assert (built.coverage.total, built.coverage.represented, built.coverage.left_out) == (67, 67, 0)


def test_base_iri_is_configurable():
    g = build_graph(base="https://example.org/kg/").graph
    assert (URIRef("https://example.org/kg/program/binds"), RDF.type, FKG.Program) in g
    assert not any(str(s).startswith(ID) for s in g.subjects())


# --- the build notices changes and bad facts ----------------------------------------------------------

def replace_in(path: Path, old: str, new: str, count=1):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, count), encoding="utf-8")


DOC = "mext_fy2022_health_medical_rd.txt"
FACTS = "mext_fy2022_health_medical_rd"


def test_changed_amount_in_document_fails_at_its_line(sources_copy):
    replace_in(sources_copy / DOC, "東北メディカル・メガバンク 【TMM】 2,459百万円", "東北メディカル・メガバンク 【TMM】 2,495百万円")
    with pytest.raises(FactError) as exc:
        build_graph(sources_copy)
    assert "line 290" in str(exc.value) and "2,495百万円" in str(exc.value)
    assert exc.value.path.endswith("allocations.yaml")


def test_changed_amount_is_carried_when_facts_follow(sources_copy):
    replace_in(sources_copy / DOC, "【TMM】 2,459百万円", "【TMM】 2,495百万円")
    replace_in(sources_copy / FACTS / "allocations.yaml", 'amount: "2,459百万円", source: {line: 290, quote: "2,459百万円',
               'amount: "2,495百万円", source: {line: 290, quote: "2,495百万円')
    replace_in(sources_copy / FACTS / "allocations.yaml", 'source: {line: 290, quote: "2,459百万円(2,200百万円)"}',
               'source: {line: 290, quote: "2,495百万円(2,200百万円)"}')
    g = build_graph(sources_copy).graph
    assert amount(g, "allocation/bcure-tmm/2022-request") == Decimal(2_495_000_000)


def test_amount_that_disagrees_with_the_text(sources_copy):
    replace_in(sources_copy / FACTS / "allocations.yaml", 'amount: "355百万円"', 'amount: "356百万円"')
    with pytest.raises(FactError, match=r"amount 356百万円 .* disagrees with the text at line 335, which reads 355百万円"):
        build_graph(sources_copy)


def test_year_or_kind_that_disagrees_with_the_text(sources_copy):
    replace_in(sources_copy / FACTS / "allocations.yaml",
               '{of: bcure-bbj, fiscal_year: 2021, kind: initial, amount: "762百万円"',
               '{of: bcure-bbj, fiscal_year: 2022, kind: request, amount: "762百万円"')
    with pytest.raises(FactError, match="reads 762百万円 as FY2021 initial, not FY2022 request"):
        build_graph(sources_copy)


def test_quote_not_at_its_line(sources_copy):
    replace_in(sources_copy / FACTS / "organisations.yaml", '{line: 239, quote: "大阪大学"}', '{line: 240, quote: "大阪大学"}')
    with pytest.raises(FactError, match="quote '大阪大学' is not at line 240") as exc:
        build_graph(sources_copy)
    assert exc.value.path.endswith("organisations.yaml")


def test_quote_that_differs_only_in_width_gets_a_hint(sources_copy):
    replace_in(sources_copy / FACTS / "calls.yaml", 'quote: "１課題10百万円程度"', 'quote: "1課題10百万円程度"')
    with pytest.raises(FactError, match="only after NFKC normalisation"):
        build_graph(sources_copy)


def test_unknown_reference(sources_copy):
    replace_in(sources_copy / FACTS / "hubs.yaml", "hosted_by: osaka-university", "hosted_by: osaka-univ")
    with pytest.raises(FactError, match="hosted_by: unknown identifier 'osaka-univ'"):
        build_graph(sources_copy)


def test_reference_of_the_wrong_kind(sources_copy):
    replace_in(sources_copy / FACTS / "hubs.yaml", "hosted_by: osaka-university", "hosted_by: b-cure")
    with pytest.raises(FactError, match="'b-cure' is one of the programs, expected one of the organisations"):
        build_graph(sources_copy)


def test_duplicate_identifier(sources_copy):
    replace_in(sources_copy / FACTS / "hubs.yaml", "- id: bbj", "- id: tmm")
    with pytest.raises(FactError, match="duplicate identifier 'tmm'"):
        build_graph(sources_copy)


def test_duplicate_allocation(sources_copy):
    path = sources_copy / FACTS / "allocations.yaml"
    path.write_text(path.read_text(encoding="utf-8") + '  - {of: bcure-bbj, fiscal_year: 2022, kind: request, '
                    'amount: "355百万円", source: {line: 335, quote: "355百万円"}}\n', encoding="utf-8")
    with pytest.raises(FactError, match="already stands for allocation of bcure-bbj FY2022 request"):
        build_graph(sources_copy)


def test_missing_allocation_fails_coverage(sources_copy):
    replace_in(sources_copy / FACTS / "allocations.yaml",
               '  - {of: bcure-bbj, fiscal_year: 2021, kind: initial, amount: "762百万円", source: {line: 335, quote: "355百万円(762百万円)"}}\n', "")
    with pytest.raises(CoverageError, match=r"coverage 98\.5%.*mext_fy2022_health_medical_rd.txt:335: 762百万円"):
        build_graph(sources_copy)


def test_left_out_mention_counts_for_coverage(sources_copy):
    replace_in(sources_copy / FACTS / "allocations.yaml",
               '  - {of: bcure-bbj, fiscal_year: 2021, kind: initial, amount: "762百万円", source: {line: 335, quote: "355百万円(762百万円)"}}\n', "")
    (sources_copy / FACTS / "coverage.yaml").write_text(
        "left_out:\n  - {line: 335, text: 762百万円, reason: test}\n", encoding="utf-8")
    result = build_graph(sources_copy)
    assert (result.coverage.represented, result.coverage.left_out, result.coverage.percent) == (66, 1, 100.0)
    assert (iri("allocation/bcure-bbj/2021-initial"), None, None) not in result.graph


def test_left_out_that_is_not_in_the_text(sources_copy):
    (sources_copy / FACTS / "coverage.yaml").write_text(
        "left_out:\n  - {line: 336, text: 762百万円, reason: test}\n", encoding="utf-8")
    with pytest.raises(FactError, match="no amount '762百万円' at line 336"):
        build_graph(sources_copy)


def test_left_out_that_is_also_represented(sources_copy):
    (sources_copy / FACTS / "coverage.yaml").write_text(
        "left_out:\n  - {line: 335, text: 762百万円, reason: test}\n", encoding="utf-8")
    with pytest.raises(FactError, match="is represented by allocation of bcure-bbj"):
        build_graph(sources_copy)


@pytest.mark.parametrize("file, old, new, message", [
    ("programs.yaml", "start: 2020\n      end: 2026", "start: 2020\n      end: 2027", "says 2020–2026"),
    ("policies.yaml", "decided: 2021-06-01", "decided: 2021-06-02", "says 2021-06-01"),
    ("hubs.yaml", "count: {at_most: 3,", "count: {at_most: 4,", "does not say 4"),
    ("hubs.yaml", "count: {exactly: 1,", "count: {about: 1,", "lacks '程度'"),
    ("calls.yaml", "expected: {count: 30,", "expected: {count: 3,", "does not say 3"),
    ("programs.yaml", "number: 4\n", "number: 5\n", "no quote carries ⑤"),
    ("flows.yaml", "recipient: nagasaki-university\n    instrument: assistance",
     "recipient: nagasaki-university\n    instrument: commission", "no quote says 委託"),
    ("programs.yaml", "label: {ja: 橋渡し研究プログラム,", "label: {ja: 橋渡し研究事業,", "appears in none of the record's quotes"),
    ("document.yaml", "file: mext_fy2022_health_medical_rd.txt", "file: other.txt", "but the facts sit beside"),
])
def test_facts_checked_against_quotes(sources_copy, file, old, new, message):
    replace_in(sources_copy / FACTS / file, old, new)
    with pytest.raises(FactError, match=message):
        build_graph(sources_copy)


def test_fact_folder_without_document(sources_copy):
    shutil.copytree(sources_copy / FACTS, sources_copy / "orphan")
    with pytest.raises(FactError, match="fact folder without its document orphan.txt"):
        build_graph(sources_copy)


# --- output ----------------------------------------------------------------------------------------------

def run_cli(*args, env=None, cwd=None):
    return subprocess.run([sys.executable, "-m", "kg", *args], capture_output=True, text=True, cwd=cwd or ROOT,
                          env={**os.environ, **(env or {})}, timeout=120)


def test_two_builds_are_byte_identical(built, tmp_path):
    first = serialize_turtle(built.graph)
    assert serialize_turtle(build_graph().graph) == first
    r = run_cli("build", "--out", str(tmp_path), env={"PYTHONHASHSEED": "12345"})
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "funding-kg.ttl").read_bytes() == first


def test_failed_build_leaves_previous_output_untouched(sources_copy, tmp_path):
    out = tmp_path / "out"
    assert run_cli("build", "--sources", str(sources_copy), "--out", str(out)).returncode == 0
    before = (out / "funding-kg.ttl").read_bytes()
    replace_in(sources_copy / DOC, "【BBJ】 355百万円", "【BBJ】 356百万円")
    r = run_cli("build", "--sources", str(sources_copy), "--out", str(out))
    assert r.returncode == 2
    assert "error:" in r.stderr and "allocations.yaml" in r.stderr and "line 335" in r.stderr
    assert (out / "funding-kg.ttl").read_bytes() == before
    assert sorted(p.name for p in out.iterdir()) == ["funding-kg.ttl"]


def test_outputs_are_readable_by_others(tmp_path):
    from kg.build import write_atomic

    old = os.umask(0o022)
    try:
        write_atomic(tmp_path / "f.txt", b"x")
    finally:
        os.umask(old)
    assert (tmp_path / "f.txt").stat().st_mode & 0o777 == 0o644
