"""Check the facts against their documents and turn them into an RDF graph.

Every quote must stand verbatim at its line; every amount must equal what the extractor read inside its
quote; every reference must name a known identifier of the right kind; every amount mention of a document
must be represented or deliberately left out. Any failure raises FactError (or CoverageError) naming the
fact file, its line and the problem. Nothing is written here: `write_graph` writes the result atomically.
"""
from __future__ import annotations

import hashlib
import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, ORG, PROV, QB, RDF, RDFS, SKOS, XSD

from . import eras, paths
from .errors import CoverageError, FactError, KGError
from .extract import Mention, extract_lines, parse_amount, read_lines
from .facts import FactSet, Record, Span, load_facts
from .ns import (CUR, DEFAULT_BASE, FKG, HUB_TYPE_TERMS, INSTRUMENT_TERMS, KIND_LABELS, KIND_TERMS, OA,
                 PER_TERMS, SCHEMA, bind_prefixes)

GRAPH_FILE = "funding-kg.ttl"

ORG_CLASSES = {
    "State": FKG.State, "Ministry": FKG.Ministry, "FundingAgency": FKG.FundingAgency,
    "University": FKG.University, "Hospital": FKG.Hospital, "NationalResearchCenter": FKG.NationalResearchCenter,
    "ResearchInstitute": FKG.ResearchInstitute, "InstitutionGroup": FKG.InstitutionGroup,
}
PROGRAM_CLASSES = {"Section": FKG.Section, "Program": FKG.Program, "Component": FKG.Component, "Part": FKG.Part}
# Which sections' identifiers a reference may name, and the IRI path of each.
PATHS = {"organisations": "organisation", "programs": "program", "hubs": "hub", "policies": "policy",
         "calls": "call", "flows": "flow"}


def _squash(text: str) -> str:
    """NFKC without any white space: how labels are compared with quotes."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


@dataclass
class LocatedSpan:
    span: Span
    doc: "Document"
    line: int
    end_line: int
    col: int  # start column in `line`
    end_col: int  # end column in `end_line`
    start: int  # offsets in the whole document text (code points)
    end: int

    def covers(self, m: Mention) -> bool:
        if not (self.line <= m.line <= self.end_line):
            return False
        if m.line == self.line and m.start < self.col:
            return False
        if m.line == self.end_line and m.end > self.end_col:
            return False
        return True

    @property
    def slug(self) -> str:
        if self.line == self.end_line:
            return f"L{self.line}-c{self.col}-{self.end_col}"
        return f"L{self.line}-c{self.col}-L{self.end_line}-c{self.end_col}"


@dataclass
class Document:
    path: Path
    facts: FactSet
    lines: list[str]
    mentions: list[Mention]
    line_offsets: list[int]
    id: str = ""
    year: int = 0
    sha256: str = ""


@dataclass
class Coverage:
    total: int = 0
    represented: int = 0
    left_out: int = 0
    missing: list[Mention] = field(default_factory=list)

    @property
    def percent(self) -> float:
        return 100.0 if self.total == 0 else 100.0 * (self.represented + self.left_out) / self.total


@dataclass
class BuildResult:
    graph: Graph
    coverage: Coverage
    documents: list[Document]
    base: str


class _Builder:
    def __init__(self, documents: list[Document], base: str):
        self.docs = documents
        self.base = base
        self.g = Graph()
        bind_prefixes(self.g, base)
        self.ids: dict[str, tuple[str, Record]] = {}
        self.claimed: dict[tuple[str, int, int], str] = {}  # mention -> where it is represented
        self.coverage = Coverage()
        self.years: set[int] = set()

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
    def locate(self, doc: Document, span: Span) -> LocatedSpan:
        if span.line > len(doc.lines):
            raise FactError(f"line {span.line} is past the end of {doc.path.name} ({len(doc.lines)} lines)",
                            path=span.file, line=span.at)
        n_lines = span.quote.count("\n") + 1
        end_line = min(span.line + n_lines - 1, len(doc.lines))
        text = "\n".join(doc.lines[span.line - 1:end_line])
        first = len(doc.lines[span.line - 1])
        pos, count = -1, 0
        while True:
            pos = text.find(span.quote, pos + 1)
            if pos < 0 or pos > first:
                break
            count += 1
            if count == span.occurrence:
                break
        if pos < 0 or pos > first:
            hint = ""
            if _squash(span.quote) in _squash(text):
                hint = " (it matches only after NFKC normalisation or white-space changes: copy it verbatim)"
            elif _squash(span.quote) in _squash("\n".join(doc.lines)):
                where = next(i + 1 for i, l in enumerate(doc.lines) if _squash(span.quote)[:8] in _squash(l))
                hint = f" (similar text is near line {where})"
            raise FactError(f"quote {span.quote!r} is not at line {span.line} of {doc.path.name}; "
                            f"that line reads {doc.lines[span.line - 1]!r}{hint}", path=span.file, line=span.at)
        start = doc.line_offsets[span.line - 1] + pos
        end = start + len(span.quote)
        last_nl = span.quote.rfind("\n")
        end_col = pos + len(span.quote) if last_nl < 0 else len(span.quote) - last_nl - 1
        return LocatedSpan(span, doc, span.line, end_line, pos, end_col, start, end)

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
        located = [self.locate(doc, sp) for sp in spans]
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
        if needs and needs not in _squash(quote):
            raise FactError(f"{what}: the quote {span.quote!r} lacks {needs!r}", path=span.file, line=span.at)

    def check_label(self, rec: Record, located: list[LocatedSpan]) -> None:
        if rec.get("interpretation"):
            return
        ja = _squash(rec["label"]["ja"])
        if not any(ja in _squash(ls.span.quote) for ls in located):
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
            ls = self.locate(doc, alt["source"])
            for lang in ("ja", "en"):
                if alt.get(lang):
                    g.add((subject, SKOS.altLabel, Literal(alt[lang], lang=lang)))
            if alt.get("ja") and _squash(alt["ja"]) not in _squash(alt["source"].quote):
                raise FactError(f"alternative label {alt['ja']!r} is not in its quote", path=rec.file,
                                line=alt["__line__"])
            g.add((subject, FKG.evidence, self.emit_span(ls)))
        if rec.get("interpretation"):
            g.add((subject, FKG.interpretation, Literal(_one_line(rec["interpretation"]), lang="en")))
        self.note(doc, rec, subject)
        return located

    def note(self, doc: Document, rec: Record, subject: URIRef) -> None:
        note = rec.get("note")
        if not note:
            return
        for lang in ("ja", "en"):
            if note.get(lang):
                self.g.add((subject, FKG.note, Literal(_one_line(note[lang]), lang=lang)))
        if note.get("source"):
            self.g.add((subject, FKG.evidence, self.emit_span(self.locate(doc, note["source"]))))

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
            if not any("新規" in _squash(ls.span.quote) for ls in located):
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
            if _squash(policy_label) not in _squash(item["source"].quote):
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
                    g.add((s, prop, Literal(_one_line(rec[key][lang]), lang=lang)))
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
            g.add((s, FKG.interpretation, Literal(_one_line(rec["interpretation"]), lang="en")))

    # -- amounts ----------------------------------------------------------------------------------------
    def claim(self, doc: Document, rec: Record, span: Span, amount_text: str, year: int, kind: str,
              where: str) -> Mention:
        """The mention inside `span` that an amount stands for; checks value, year and kind."""
        yen, _ = parse_amount(amount_text)
        ls = self.locate(doc, span)
        inside = [m for m in doc.mentions if ls.covers(m)]
        if not inside:
            raise FactError(f"{where}: the quote {span.quote!r} contains no amount", path=span.file, line=span.at)
        same = [m for m in inside if m.yen == yen]
        if not same:
            read = ", ".join(f"{m.text} ({m.yen} yen)" for m in inside)
            raise FactError(f"{where}: amount {amount_text} ({yen} yen) disagrees with the text at line "
                            f"{span.line}, which reads {read}", path=span.file, line=span.at)

        def agrees(m: Mention) -> bool:
            return (m.kind is None or m.kind == kind) and (m.fiscal_year is None or m.fiscal_year == year)

        fitting = [m for m in same if agrees(m)]
        if not fitting:
            m = same[0]
            raise FactError(f"{where}: the text at line {m.line} reads {m.text} as FY{m.fiscal_year} {m.kind}, "
                            f"not FY{year} {kind}", path=span.file, line=span.at)
        unclaimed = [m for m in fitting if (doc.id, m.line, m.start) not in self.claimed]
        if not unclaimed:
            m = fitting[0]
            raise FactError(f"{where}: {m.text} at line {m.line} already stands for "
                            f"{self.claimed[(doc.id, m.line, m.start)]}", path=span.file, line=span.at)
        m = unclaimed[0]
        self.claimed[(doc.id, m.line, m.start)] = f"{where} ({span.file}:{span.at})"
        self.coverage.represented += 1
        return m

    def check_qualifiers(self, rec_like: dict, m: Mention, span: Span, where: str) -> None:
        for key, attr in (("approximate", "approximate"), ("upper_bound", "upper_bound")):
            if key in rec_like and rec_like[key] != getattr(m, attr):
                raise FactError(f"{where}: {key} is {rec_like[key]}, but the text at line {m.line} reads "
                                f"{getattr(m, attr)}", path=span.file, line=span.at)
        if "per" in rec_like and m.per is not None and rec_like["per"] != m.per:
            raise FactError(f"{where}: per {rec_like['per']}, but the text at line {m.line} reads per {m.per}",
                            path=span.file, line=span.at)

    def amount_triples(self, s: URIRef, m: Mention, year: int, kind: str) -> None:
        g = self.g
        g.add((s, FKG.amountYen, Literal(m.yen, datatype=XSD.decimal)))
        g.add((s, FKG.originalText, Literal(m.text)))
        g.add((s, FKG.fiscalYear, self.fiscal_year(year)))
        g.add((s, FKG.budgetKind, KIND_TERMS[kind]))
        g.add((s, FKG.currency, CUR.JPY))
        g.add((s, SCHEMA.currency, Literal("JPY")))
        g.add((s, FKG.approximate, Literal(m.approximate)))
        g.add((s, FKG.upperBound, Literal(m.upper_bound)))

    def allocation(self, doc: Document, rec: Record) -> tuple:
        of, year, kind = rec["of"], rec["fiscal_year"], rec["kind"]
        target = self.resolve(rec, "of", of, "programs", "organisations", "hubs")
        where = f"allocation of {of} FY{year} {kind}"
        mentions = []
        for span in rec["source"]:
            m = self.claim(doc, rec, span, rec["amount"], year, kind, where)
            self.check_qualifiers(rec.data, m, span, where)
            mentions.append(m)
        if rec.get("fund") and not any(m.fund for m in mentions):
            raise FactError(f"{where}: fund is true, but no quote marks it 基金 or 当面…年間", path=rec.file,
                            line=rec.line)
        s = self.iri(f"allocation/{of}/{year}-{kind}")
        g = self.g
        g.add((s, RDF.type, FKG.Allocation))
        g.add((s, FKG.allocatedTo, target))
        g.add((s, QB.dataSet, self.iri("dataset")))
        self.amount_triples(s, mentions[0], year, kind)
        g.add((s, FKG.isFund, Literal(bool(rec.get("fund")))))
        label = self.ids[of][1]["label"]
        yen_m = mentions[0].yen / 1_000_000
        ja_kind, en_kind = KIND_LABELS[kind]
        g.add((s, RDFS.label, Literal(f"{label['ja']} {eras.era_label(year)}{ja_kind} {_fmt(yen_m)}百万円", lang="ja")))
        g.add((s, RDFS.label, Literal(f"{label['en']}: FY{year} {en_kind}, ¥{_fmt(yen_m)} million", lang="en")))
        self.evidence(doc, s, rec["source"])
        if rec.get("interpretation"):
            g.add((s, FKG.interpretation, Literal(_one_line(rec["interpretation"]), lang="en")))
        self.note(doc, rec, s)
        return (of, year, kind, rec)

    @staticmethod
    def check_unique_allocations(allocations: list[tuple]) -> None:
        seen: dict = {}
        for of, year, kind, rec in allocations:
            if (of, year, kind) in seen:
                raise FactError(f"a second allocation of {of} for FY{year} {kind} (the first is at "
                                f"{seen[(of, year, kind)].where})", path=rec.file, line=rec.line)
            seen[(of, year, kind)] = rec

    def call(self, doc: Document, rec: Record) -> None:
        g = self.g
        s = self.ref_iri(rec["id"])
        self.entity(doc, rec, s, FKG.Call)
        g.add((s, FKG.ofProgram, self.resolve(rec, "program", rec["program"], "programs")))
        if rec.get("purpose"):
            for lang in ("ja", "en"):
                g.add((s, FKG.purpose, Literal(_one_line(rec["purpose"][lang]), lang=lang)))
        if exp := rec.get("expected"):
            span = exp["source"]
            self.check_number(rec, span, exp["count"], "expected.count",
                              needs="程度" if exp.get("approximate") else None)
            if exp.get("new") and "新規" not in _squash(span.quote):
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
            g.add((u, RDFS.label, Literal(f"{rec['label']['en']}: ¥{_fmt(m.yen / 1_000_000)} million per "
                                          f"{per['per']}", lang="en")))
            self.evidence(doc, u, [span])

    def left_out(self, doc: Document) -> None:
        by_place = {(m.line, unicodedata.normalize("NFKC", m.text)): m for m in doc.mentions}
        for rec in doc.facts.records("left_out"):
            key = (rec["line"], unicodedata.normalize("NFKC", rec["text"]))
            m = by_place.get(key)
            if m is None:
                raise FactError(f"left_out: no amount {rec['text']!r} at line {rec['line']} of {doc.path.name}",
                                path=rec.file, line=rec.line)
            mk = (doc.id, m.line, m.start)
            if mk in self.claimed:
                raise FactError(f"left_out: {rec['text']} at line {rec['line']} is represented by "
                                f"{self.claimed[mk]}", path=rec.file, line=rec.line)
            self.claimed[mk] = f"left out ({rec.file}:{rec.line})"
            self.coverage.left_out += 1
        self.coverage.total += len(doc.mentions)
        self.coverage.missing.extend(m for m in doc.mentions if (doc.id, m.line, m.start) not in self.claimed)

    def remainders(self) -> None:
        """For every budget item with parts that have amounts: the total minus what its parts explain."""
        g = self.g
        totals: dict[tuple, tuple[URIRef, Decimal]] = {}
        children: dict[URIRef, set[URIRef]] = {}
        for s in g.subjects(RDF.type, FKG.Allocation):
            item = g.value(s, FKG.allocatedTo)
            key = (item, g.value(s, FKG.fiscalYear), g.value(s, FKG.budgetKind))
            totals[key] = (s, g.value(s, FKG.amountYen).toPython())
        for child, parent in g.subject_objects(FKG.partOf):
            if (child, RDF.type, FKG.Hub) not in g:
                children.setdefault(parent, set()).add(child)
        for (item, year, kind), (alloc, total) in sorted(totals.items()):
            parts = [totals[(c, year, kind)] for c in sorted(children.get(item, ())) if (c, year, kind) in totals]
            if not parts and not any((c, y, k) in totals for c in children.get(item, ()) for (_, y, k) in totals):
                continue
            year_n = int(str(year).rsplit("/", 1)[-1])
            kind_key = next(k for k, v in KIND_TERMS.items() if v == kind)
            item_id = str(item).rsplit("/", 1)[-1]
            r = self.iri(f"remainder/{item_id}/{year_n}-{kind_key}")
            rest = total - sum((amount for _, amount in parts), Decimal(0))
            g.add((r, RDF.type, FKG.UnexplainedRemainder))
            g.add((r, FKG.remainderOf, item))
            g.add((r, FKG.fiscalYear, year))
            g.add((r, FKG.budgetKind, kind))
            g.add((r, FKG.amountYen, Literal(rest, datatype=XSD.decimal)))
            g.add((r, FKG.currency, CUR.JPY))
            g.add((r, PROV.wasDerivedFrom, alloc))
            for part_alloc, _ in parts:
                g.add((r, PROV.wasDerivedFrom, part_alloc))
            label = self.ids[item_id][1]["label"] if item_id in self.ids else {"ja": item_id, "en": item_id}
            g.add((r, RDFS.label, Literal(f"{label['ja']} {eras.era_label(year_n)}{KIND_LABELS[kind_key][0]}の"
                                          f"内訳で説明されない額 {_fmt(rest / 1_000_000)}百万円", lang="ja")))
            g.add((r, RDFS.label, Literal(f"{label['en']}: FY{year_n} {KIND_LABELS[kind_key][1]} not explained by "
                                          f"its parts, ¥{_fmt(rest / 1_000_000)} million", lang="en")))

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
        g.add((s, DCTERMS.license, URIRef("https://opensource.org/licenses/MIT")))
        for doc in self.docs:
            d = self.iri(f"document/{doc.id}")
            g.add((s, DCTERMS.source, d))
            g.add((s, PROV.wasDerivedFrom, d))
            for lang in ("ja", "en"):
                g.add((s, DCTERMS.rights, Literal(doc.facts.document["attribution"][lang], lang=lang)))


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _fmt(value) -> str:
    value = Decimal(value)
    return f"{value:,.0f}" if value == value.to_integral_value() else f"{value:,.2f}"


def _code_lists() -> Graph:
    """The SKOS code lists of the ontology, which the built graph carries so that queries can label them."""
    onto = Graph().parse(paths.ontology_file("funding-kg.ttl"))
    out = Graph()
    for cls in (FKG.BudgetKind, FKG.Instrument, FKG.HubType, SKOS.ConceptScheme, FKG.PerUnit):
        for s in onto.subjects(RDF.type, cls):
            for p, o in onto.predicate_objects(s):
                out.add((s, p, o))
    return out


def find_documents(sources: str | Path) -> list[tuple[Path, Path]]:
    """(document, fact folder) pairs in a sources folder: every <stem>.txt with a folder <stem>/ beside it."""
    sources = Path(sources)
    if not sources.is_dir():
        raise KGError("sources folder not found", path=sources)
    pairs = []
    for txt in sorted(sources.glob("*.txt")):
        folder = txt.with_suffix("")
        if folder.is_dir():
            pairs.append((txt, folder))
    for folder in sorted(p for p in sources.iterdir() if p.is_dir()):
        if not folder.with_suffix(".txt").exists() and any(folder.glob("*.yaml")):
            raise FactError(f"fact folder without its document {folder.name}.txt", path=folder)
    if not pairs:
        raise KGError("no document with facts here (expected NAME.txt beside a folder NAME/ of fact files)",
                      path=sources)
    return pairs


def load_document(txt: Path, folder: Path) -> Document:
    facts = load_facts(folder)
    lines = read_lines(txt)
    year = facts.document["fiscal_year"]
    mentions = extract_lines(lines, year, path=txt)
    offsets, pos = [], 0
    for line in lines:
        offsets.append(pos)
        pos += len(line) + 1
    doc = Document(txt, facts, lines, mentions, offsets, id=facts.document["id"], year=year,
                   sha256=hashlib.sha256(txt.read_bytes()).hexdigest())
    return doc


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
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def write_graph(result: BuildResult, out: str | Path) -> Path:
    target = Path(out) / GRAPH_FILE
    write_atomic(target, serialize_turtle(result.graph))
    return target
