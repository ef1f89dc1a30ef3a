"""Check the facts against their documents and turn them into an RDF graph.

Every quote must stand verbatim at its line; every amount must equal what the extractor read inside its
quote; every reference must name a known identifier of the right kind; every amount mention of a document
must be represented or deliberately left out. Any failure raises FactError (or CoverageError) naming the
fact file, its line and the problem. Nothing is written here: `write_graph` writes the result atomically.
"""
from __future__ import annotations

import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, ORG, PROV, QB, RDF, RDFS, SKOS, XSD

from . import eras, paths
from .amounts import AmountRules, Coverage, fmt_number, one_line
from .errors import CoverageError, FactError, KGError
from .facts import Record, Span
from .sources import Document, LocatedSpan, squash, find_documents, load_document, locate
from .ns import (DEFAULT_BASE, FKG, HUB_TYPE_TERMS, INSTRUMENT_TERMS, OA,
                 PER_TERMS, bind_prefixes)

GRAPH_FILE = "funding-kg.ttl"
# The data is MEXT's, reused with attribution; only the code that builds it is MIT-licensed.
LICENCE_LABELS = {
    "en": "Data: facts derived from MEXT's publication, reused with attribution (see dct:rights). "
          "Code that builds it: MIT.",
    "ja": "データ：文部科学省の公表資料を出典を明記して加工・利用（dct:rights を参照）。生成するコード：MIT ライセンス。",
}

ORG_CLASSES = {
    "State": FKG.State, "Ministry": FKG.Ministry, "FundingAgency": FKG.FundingAgency,
    "University": FKG.University, "Hospital": FKG.Hospital, "NationalResearchCenter": FKG.NationalResearchCenter,
    "ResearchInstitute": FKG.ResearchInstitute, "InstitutionGroup": FKG.InstitutionGroup,
}
PROGRAM_CLASSES = {"Section": FKG.Section, "Program": FKG.Program, "Component": FKG.Component, "Part": FKG.Part}
# Which sections' identifiers a reference may name, and the IRI path of each.
PATHS = {"organisations": "organisation", "programs": "program", "hubs": "hub", "policies": "policy",
         "calls": "call", "flows": "flow"}


@dataclass
class BuildResult:
    graph: Graph
    coverage: Coverage
    documents: list[Document]
    base: str


class _Builder(AmountRules):
    def __init__(self, documents: list[Document], base: str):
        self.docs = documents
        self.base = base
        self.g = Graph()
        bind_prefixes(self.g, base)
        self.ids: dict[str, tuple[str, Record]] = {}
        self.claimed: dict[tuple[str, int, int], str] = {}  # mention -> where it is represented
        self.coverage = Coverage()
        self.years: set[int] = set()
        self.totals: dict[tuple[str, int, str], tuple[URIRef, Decimal]] = {}  # (item, year, kind) -> allocation

    # -- identifiers and references -------------------------------------------------------------------
    def iri(self, path: str) -> URIRef:
        return URIRef(self.base + path)

    def ref_iri(self, ident: str) -> URIRef:
        section, _ = self.ids[ident]
        return self.iri(f"{PATHS[section]}/{ident}")

    def register(self) -> None:
        for doc in self.docs:
            for section in PATHS:
                for rec in doc.facts.records(section):
                    ident = rec["id"]
                    if ident in self.ids:
                        first = self.ids[ident][1]
                        raise FactError(f"duplicate identifier {ident!r} (first defined at {first.where})",
                                        path=rec.file, line=rec.line)
                    self.ids[ident] = (section, rec)

    def resolve(self, rec: Record, key: str, ident: str, *sections: str) -> URIRef:
        found = self.ids.get(ident)
        if found is None:
            raise FactError(f"{key}: unknown identifier {ident!r}", path=rec.file, line=rec.line)
        if sections and found[0] not in sections:
            raise FactError(f"{key}: {ident!r} is one of the {found[0]}, expected one of the {' or '.join(sections)}",
                            path=rec.file, line=rec.line)
        return self.ref_iri(ident)

    # -- spans ------------------------------------------------------------------------------------------
    def emit_span(self, ls: LocatedSpan) -> URIRef:
        s = self.iri(f"span/{ls.doc.id}/{ls.slug}")
        if (s, RDF.type, FKG.Span) in self.g:
            return s
        g = self.g
        doc_iri = self.iri(f"document/{ls.doc.id}")
        g.add((s, RDF.type, FKG.Span))
        g.add((s, OA.hasSource, doc_iri))
        g.add((s, FKG.line, Literal(ls.line)))
        if ls.end_line != ls.line:
            g.add((s, FKG.endLine, Literal(ls.end_line)))
        q, p = URIRef(f"{s}/quote"), URIRef(f"{s}/position")
        g.add((s, OA.hasSelector, q))
        g.add((q, RDF.type, OA.TextQuoteSelector))
        g.add((q, OA.exact, Literal(ls.span.quote)))
        g.add((s, OA.hasSelector, p))
        g.add((p, RDF.type, OA.TextPositionSelector))
        g.add((p, OA.start, Literal(ls.start)))
        g.add((p, OA.end, Literal(ls.end)))
        label = f"{ls.doc.path.name}, line {ls.line}" + (f"–{ls.end_line}" if ls.end_line != ls.line else "")
        g.add((s, RDFS.label, Literal(label)))
        return s

    def evidence(self, doc: Document, subject: URIRef, spans: list[Span]) -> list[LocatedSpan]:
        located = [locate(doc, sp) for sp in spans]
        for ls in located:
            self.g.add((subject, FKG.evidence, self.emit_span(ls)))
        return located

    # -- checks on quotes -------------------------------------------------------------------------------
    @staticmethod
    def check_number(rec: Record, span: Span, value: int, what: str, *, needs: str | None = None) -> None:
        quote = unicodedata.normalize("NFKC", span.quote)
        if str(value) not in re.findall(r"\d+", quote):
            raise FactError(f"{what} is {value}, but the quote {span.quote!r} does not say {value}",
                            path=span.file, line=span.at)
        if needs and needs not in squash(quote):
            raise FactError(f"{what}: the quote {span.quote!r} lacks {needs!r}", path=span.file, line=span.at)

    def check_label(self, rec: Record, located: list[LocatedSpan]) -> None:
        if rec.get("interpretation"):
            return
        ja = squash(rec["label"]["ja"])
        if not any(ja in squash(ls.span.quote) for ls in located):
            raise FactError(f"label {rec['label']['ja']!r} appears in none of the record's quotes; quote it, "
                            "or mark the record with 'interpretation'", path=rec.file, line=rec.line)

    # -- common entity triples --------------------------------------------------------------------------
    def entity(self, doc: Document, rec: Record, subject: URIRef, cls: URIRef) -> list[LocatedSpan]:
        g = self.g
        g.add((subject, RDF.type, cls))
        g.add((subject, DCTERMS.identifier, Literal(rec["id"])))
        for lang in ("ja", "en"):
            g.add((subject, RDFS.label, Literal(rec["label"][lang], lang=lang)))
            g.add((subject, SKOS.prefLabel, Literal(rec["label"][lang], lang=lang)))
        if rec.get("abbreviation"):
            g.add((subject, SKOS.notation, Literal(rec["abbreviation"])))
        located = self.evidence(doc, subject, rec["source"])
        self.check_label(rec, located)
        for alt in rec.get("alt_labels", []):
            ls = locate(doc, alt["source"])
            for lang in ("ja", "en"):
                if alt.get(lang):
                    g.add((subject, SKOS.altLabel, Literal(alt[lang], lang=lang)))
            if alt.get("ja") and squash(alt["ja"]) not in squash(alt["source"].quote):
                raise FactError(f"alternative label {alt['ja']!r} is not in its quote", path=rec.file,
                                line=alt["__line__"])
            g.add((subject, FKG.evidence, self.emit_span(ls)))
        if rec.get("interpretation"):
            g.add((subject, FKG.interpretation, Literal(one_line(rec["interpretation"]), lang="en")))
        self.note(doc, rec, subject)
        return located

    def note(self, doc: Document, rec: Record, subject: URIRef) -> None:
        note = rec.get("note")
        if not note:
            return
        for lang in ("ja", "en"):
            if note.get(lang):
                self.g.add((subject, FKG.note, Literal(one_line(note[lang]), lang=lang)))
        if note.get("source"):
            self.g.add((subject, FKG.evidence, self.emit_span(locate(doc, note["source"]))))

    def fiscal_year(self, year: int) -> URIRef:
        self.years.add(year)
        return self.iri(f"fiscal-year/{year}")

    # -- sections ---------------------------------------------------------------------------------------
    def build(self) -> BuildResult:
        self.register()
        for doc in self.docs:
            self.document(doc)
            for rec in doc.facts.records("organisations"):
                self.organisation(doc, rec)
            for rec in doc.facts.records("policies"):
                self.policy(doc, rec)
            for rec in doc.facts.records("programs"):
                self.program(doc, rec)
            for rec in doc.facts.records("hubs"):
                self.hub(doc, rec)
            for rec in doc.facts.records("flows"):
                self.flow(doc, rec)
            allocations = [self.allocation(doc, rec) for rec in doc.facts.records("allocations")]
            self.check_unique_allocations(allocations)
            for rec in doc.facts.records("calls"):
                self.call(doc, rec)
            self.left_out(doc)
        self.remainders()
        for year in sorted(self.years):
            self.emit_fiscal_year(year)
        self.dataset()
        return BuildResult(self.g, self.coverage, self.docs, self.base)

    def document(self, doc: Document) -> None:
        rec = doc.facts.document
        if rec["file"] != doc.path.name:
            raise FactError(f"document.file is {rec['file']!r}, but the facts sit beside {doc.path.name!r}",
                            path=rec.file, line=rec.line)
        s = self.iri(f"document/{doc.id}")
        g = self.g
        g.add((s, RDF.type, FKG.SourceDocument))
        g.add((s, DCTERMS.identifier, Literal(doc.path.name)))
        for lang in ("ja", "en"):
            g.add((s, DCTERMS.title, Literal(rec["title"][lang], lang=lang)))
            g.add((s, RDFS.label, Literal(rec["title"][lang], lang=lang)))
            g.add((s, DCTERMS.rights, Literal(rec["attribution"][lang], lang=lang)))
        g.add((s, DCTERMS.publisher, self.resolve(rec, "publisher", rec["publisher"], "organisations")))
        g.add((s, FKG.sha256, Literal(doc.sha256)))
        g.add((s, FKG.documentFiscalYear, self.fiscal_year(doc.year)))
        g.add((s, DCTERMS.language, Literal("ja")))
        g.add((s, DCTERMS.format, Literal("text/plain")))
        if rec.get("source"):
            self.evidence(doc, s, rec["source"])

    def organisation(self, doc: Document, rec: Record) -> None:
        s = self.ref_iri(rec["id"])
        self.entity(doc, rec, s, ORG_CLASSES[rec["type"]])
        if rec.get("part_of"):
            self.g.add((s, ORG.subOrganizationOf, self.resolve(rec, "part_of", rec["part_of"], "organisations")))

    def policy(self, doc: Document, rec: Record) -> None:
        s = self.ref_iri(rec["id"])
        located = self.entity(doc, rec, s, FKG.Policy)
        dates = []
        for ls in located:
            try:
                dates.append((eras.parse_date(ls.span.quote), ls.span))
            except KGError:
                continue
        if not dates:
            raise FactError("no quote of this policy gives its Cabinet-decision date (e.g. 令和２年３月27日)",
                            path=rec.file, line=rec.line)
        for date, span in dates:
            if date != rec["decided"]:
                raise FactError(f"decided is {rec['decided']}, but the quote {span.quote!r} says {date}",
                                path=span.file, line=span.at)
        self.g.add((s, FKG.decisionDate, Literal(rec["decided"], datatype=XSD.date)))

    def program(self, doc: Document, rec: Record) -> None:
        g = self.g
        s = self.ref_iri(rec["id"])
        located = self.entity(doc, rec, s, PROGRAM_CLASSES[rec["type"]])
        if rec["type"] == "Component" and not rec.get("part_of"):
            raise FactError("a Component needs part_of (its program)", path=rec.file, line=rec.line)
        if rec.get("number") is not None:
            g.add((s, FKG.componentNumber, Literal(rec["number"])))
            circled = chr(0x2460 + rec["number"] - 1) if 1 <= rec["number"] <= 20 else str(rec["number"])
            if not any(circled in ls.span.quote for ls in located):
                raise FactError(f"number is {rec['number']}, but no quote carries {circled}", path=rec.file,
                                line=rec.line)
        if rec.get("part_of"):
            g.add((s, FKG.partOf, self.resolve(rec, "part_of", rec["part_of"], "programs")))
        if rec.get("managed_by"):
            g.add((s, FKG.managedBy, self.resolve(rec, "managed_by", rec["managed_by"], "organisations")))
        if rec.get("reorganised_from"):
            g.add((s, FKG.reorganisedFrom, self.resolve(rec, "reorganised_from", rec["reorganised_from"], "programs")))
        if rec.get("new_in"):
            if not any("新規" in squash(ls.span.quote) for ls in located):
                raise FactError("new_in is set, but no quote says 新規 (new)", path=rec.file, line=rec.line)
            g.add((s, FKG.newInFiscalYear, self.fiscal_year(rec["new_in"])))
        if period := rec.get("period"):
            span = period["source"]
            try:
                start, end = eras.parse_period(span.quote)
            except KGError as exc:
                raise FactError(f"period: {exc.message}", path=span.file, line=span.at) from None
            if (start, end) != (period["start"], period.get("end")):
                raise FactError(f"period is {period['start']}–{period.get('end') or 'open'}, but the quote "
                                f"{span.quote!r} says {start}–{end or 'open'}", path=span.file, line=span.at)
            g.add((s, FKG.periodStart, self.fiscal_year(start)))
            if end is not None:
                g.add((s, FKG.periodEnd, self.fiscal_year(end)))
            self.evidence(doc, s, [span])
        for item in rec.get("based_on", []):
            g.add((s, FKG.basedOn, self.resolve(rec, "based_on", item["policy"], "policies")))
            policy_label = self.ids[item["policy"]][1]["label"]["ja"]
            if squash(policy_label) not in squash(item["source"].quote):
                raise FactError(f"based_on {item['policy']!r}: the quote does not name {policy_label}",
                                path=item["source"].file, line=item["source"].at)
            self.evidence(doc, s, [item["source"]])
        for item in rec.get("cooperates_with", []):
            org = self.resolve(rec, "cooperates_with", item["organisation"], "organisations")
            g.add((s, FKG.cooperatesWith, org))
            self.evidence(doc, s, [item["source"]])
        for key, prop in (("fund_years", FKG.fundYears), ("max_support_years", FKG.maxSupportYears)):
            if item := rec.get(key):
                self.check_number(rec, item["source"], item["value"], key)
                g.add((s, prop, Literal(item["value"])))
                self.evidence(doc, s, [item["source"]])

    def hub(self, doc: Document, rec: Record) -> None:
        g = self.g
        s = self.ref_iri(rec["id"])
        self.entity(doc, rec, s, FKG.Hub)
        g.add((s, FKG.hubType, HUB_TYPE_TERMS[rec["hub_type"]]))
        for key, prop, sections in (("hosted_by", FKG.hostedBy, ("organisations",)),
                                    ("funded_under", FKG.fundedUnder, ("programs",)),
                                    ("part_of", FKG.partOf, ("hubs",)),
                                    ("certified_by", FKG.certifiedBy, ("organisations",))):
            if rec.get(key):
                g.add((s, prop, self.resolve(rec, key, rec[key], *sections)))
        for key, prop in (("purpose", FKG.purpose), ("disease", FKG.disease), ("location", FKG.location)):
            if rec.get(key):
                for lang in ("ja", "en"):
                    g.add((s, prop, Literal(one_line(rec[key][lang]), lang=lang)))
        if count := rec.get("count"):
            for key, prop, needs in (("exactly", FKG.exactCount, None), ("at_most", FKG.maxCount, "最大"),
                                     ("about", FKG.approximateCount, "程度")):
                if key in count:
                    self.check_number(rec, count["source"], count[key], f"count.{key}", needs=needs)
                    g.add((s, prop, Literal(count[key])))
            self.evidence(doc, s, [count["source"]])
        if done := rec.get("completed_in"):
            span = done["source"]
            try:
                year = eras.parse_fiscal_year(span.quote)
            except KGError as exc:
                raise FactError(f"completed_in: {exc.message}", path=span.file, line=span.at) from None
            if year != done["fiscal_year"]:
                raise FactError(f"completed_in is FY{done['fiscal_year']}, but the quote says FY{year}",
                                path=span.file, line=span.at)
            g.add((s, FKG.completedInFiscalYear, self.fiscal_year(year)))
            self.evidence(doc, s, [span])

    def flow(self, doc: Document, rec: Record) -> None:
        g = self.g
        s = self.ref_iri(rec["id"])
        g.add((s, RDF.type, FKG.FundingFlow))
        g.add((s, DCTERMS.identifier, Literal(rec["id"])))
        funder = self.resolve(rec, "funder", rec["funder"], "organisations")
        recipient = self.resolve(rec, "recipient", rec["recipient"], "organisations", "hubs")
        program = self.resolve(rec, "program", rec["program"], "programs")
        g.add((s, FKG.funder, funder))
        g.add((s, FKG.recipient, recipient))
        g.add((s, FKG.viaProgram, program))
        g.add((s, FKG.instrument, INSTRUMENT_TERMS[rec["instrument"]]))
        g.add((funder, FKG.funds, recipient))
        for comp in rec.get("components", []):
            c = self.resolve(rec, "components", comp, "programs")
            parent = self.ids[comp][1].get("part_of")
            if parent != rec["program"]:
                raise FactError(f"component {comp!r} is not part of program {rec['program']!r}", path=rec.file,
                                line=rec.line)
            g.add((s, FKG.forComponent, c))
        names = {k: self.ids[rec[k]][1]["label"] for k in ("funder", "recipient", "program")}
        instrument_ja = {"subsidy": "補助金", "commission": "委託", "assistance": "補助"}[rec["instrument"]]
        g.add((s, RDFS.label, Literal(f"{names['funder']['ja']} → {names['recipient']['ja']}（{instrument_ja}）："
                                      f"{names['program']['ja']}", lang="ja")))
        g.add((s, RDFS.label, Literal(f"{names['funder']['en']} → {names['recipient']['en']} ({rec['instrument']}): "
                                      f"{names['program']['en']}", lang="en")))
        located = self.evidence(doc, s, rec["source"])
        word = instrument_ja if rec["instrument"] != "commission" else "委託"
        if not any(word in ls.span.quote for ls in located):
            raise FactError(f"instrument is {rec['instrument']} ({word}), but no quote says {word}",
                            path=rec.file, line=rec.line)
        if rec.get("interpretation"):
            g.add((s, FKG.interpretation, Literal(one_line(rec["interpretation"]), lang="en")))

    def call(self, doc: Document, rec: Record) -> None:
        g = self.g
        s = self.ref_iri(rec["id"])
        self.entity(doc, rec, s, FKG.Call)
        g.add((s, FKG.ofProgram, self.resolve(rec, "program", rec["program"], "programs")))
        if rec.get("purpose"):
            for lang in ("ja", "en"):
                g.add((s, FKG.purpose, Literal(one_line(rec["purpose"][lang]), lang=lang)))
        if exp := rec.get("expected"):
            span = exp["source"]
            self.check_number(rec, span, exp["count"], "expected.count",
                              needs="程度" if exp.get("approximate") else None)
            if exp.get("new") and "新規" not in squash(span.quote):
                raise FactError("expected.new is true, but the quote does not say 新規", path=span.file,
                                line=span.at)
            unit_word = "課題" if exp["unit"] == "project" else "機関"
            if unit_word not in span.quote:
                raise FactError(f"expected.unit is {exp['unit']}, but the quote does not count {unit_word}",
                                path=span.file, line=span.at)
            g.add((s, FKG.expectedCount, Literal(exp["count"])))
            g.add((s, FKG.countUnit, PER_TERMS[exp["unit"]]))
            g.add((s, FKG.countApproximate, Literal(bool(exp.get("approximate")))))
            g.add((s, FKG.newProjects, Literal(bool(exp.get("new")))))
            self.evidence(doc, s, [span])
        if per := rec.get("amount_per"):
            span = per["source"]
            where = f"call {rec['id']} amount_per"
            m = self.claim(doc, rec, span, per["amount"], per["fiscal_year"], per["kind"], where)
            self.check_qualifiers(per, m, span, where)
            u = self.iri(f"call/{rec['id']}/amount-per-{per['per']}")
            g.add((u, RDF.type, FKG.UnitAmount))
            g.add((s, FKG.amountPer, u))
            g.add((u, FKG.perUnit, PER_TERMS[per["per"]]))
            self.amount_triples(u, m, per["fiscal_year"], per["kind"])
            per_ja = "１課題" if per["per"] == "project" else "１機関"
            g.add((u, RDFS.label, Literal(f"{rec['label']['ja']} {per_ja}あたり {m.text}", lang="ja")))
            g.add((u, RDFS.label, Literal(f"{rec['label']['en']}: ¥{fmt_number(m.yen / 1_000_000)} million per "
                                          f"{per['per']}", lang="en")))
            self.evidence(doc, u, [span])

    def emit_fiscal_year(self, year: int) -> None:
        g = self.g
        s = self.iri(f"fiscal-year/{year}")
        start, end = eras.fiscal_year_interval(year)
        g.add((s, RDF.type, FKG.FiscalYear))
        g.add((s, FKG.year, Literal(year)))
        g.add((s, FKG.startDate, Literal(start, datatype=XSD.date)))
        g.add((s, FKG.endDate, Literal(end, datatype=XSD.date)))
        g.add((s, RDFS.label, Literal(f"FY{year}", lang="en")))
        g.add((s, RDFS.label, Literal(eras.era_label(year), lang="ja")))

    def dataset(self) -> None:
        from rdflib.namespace import DCAT, VOID

        g = self.g
        s = self.iri("dataset")
        g.add((s, RDF.type, QB.DataSet))
        g.add((s, RDF.type, VOID.Dataset))
        g.add((s, RDF.type, DCAT.Dataset))
        g.add((s, DCTERMS.title, Literal("Japan's public funding for health and medical research", lang="en")))
        g.add((s, DCTERMS.title, Literal("健康・医療分野の研究開発に対する公的資金", lang="ja")))
        licence = self.iri("dataset/licence")
        g.add((s, DCTERMS.license, licence))
        g.add((licence, RDF.type, DCTERMS.LicenseDocument))
        for lang, text in LICENCE_LABELS.items():
            g.add((licence, RDFS.label, Literal(text, lang=lang)))
        g.add((licence, RDFS.seeAlso, URIRef("https://opensource.org/licenses/MIT")))
        for doc in self.docs:
            d = self.iri(f"document/{doc.id}")
            g.add((s, DCTERMS.source, d))
            g.add((s, PROV.wasDerivedFrom, d))
            for lang in ("ja", "en"):
                g.add((s, DCTERMS.rights, Literal(doc.facts.document["attribution"][lang], lang=lang)))


def _code_lists() -> Graph:
    """The SKOS code lists of the ontology, which the built graph carries so that queries can label them."""
    onto = Graph().parse(paths.ontology_file("funding-kg.ttl"))
    out = Graph()
    for cls in (FKG.BudgetKind, FKG.Instrument, FKG.HubType, SKOS.ConceptScheme, FKG.PerUnit):
        for s in onto.subjects(RDF.type, cls):
            for p, o in onto.predicate_objects(s):
                out.add((s, p, o))
    return out


def build_graph(sources: str | Path | None = None, *, base: str = DEFAULT_BASE,
                require_full_coverage: bool = True) -> BuildResult:
    """Check every fact against its document and return the graph (nothing is written).

    >>> result = build_graph()
    >>> result.coverage.percent
    100.0
    """
    if not base.endswith(("/", "#")):
        raise KGError(f"base IRI {base!r} must end with '/' or '#'")
    sources = Path(sources) if sources else paths.sources_dir()
    docs = [load_document(txt, folder) for txt, folder in find_documents(sources)]
    seen: dict[str, Path] = {}
    for d in docs:
        if d.id in seen:
            raise FactError(f"document id {d.id!r} is also used for {seen[d.id].name}", path=d.path)
        seen[d.id] = d.path
    result = _Builder(docs, base).build()
    result.graph += _code_lists()
    if require_full_coverage and result.coverage.missing:
        listed = "; ".join(f"{d.path.name}:{m.line}: {m.text}" for d in docs for m in result.coverage.missing
                           if m in d.mentions)
        raise CoverageError(f"coverage {result.coverage.percent:.1f}%: {len(result.coverage.missing)} amount "
                            f"mention(s) neither represented nor listed in left_out: {listed}")
    return result


def serialize_turtle(graph: Graph) -> bytes:
    """Deterministic Turtle: the same graph always gives the same bytes."""
    return graph.serialize(format="longturtle", canon=True, encoding="utf-8")


def write_atomic(path: str | Path, data: bytes) -> None:
    """Write a file so that readers see the old or the new content, never a half-written one."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        # mkstemp creates 0600; outputs are for everyone (web servers, other users), as umask allows.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def write_graph(result: BuildResult, out: str | Path) -> Path:
    target = Path(out) / GRAPH_FILE
    write_atomic(target, serialize_turtle(result.graph))
    return target
