"""Amounts: each allocation or amount per project must stand for an amount mention inside its quote.

The value must equal what the extractor read; the fiscal year and budget kind must agree with what the line
says where it says anything; a mention stands for one fact only; every mention of a document is represented or
left out on purpose (coverage). Remainders are derived here: the part of a total that its parts leave unexplained.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

from rdflib import Literal, URIRef
from rdflib.namespace import PROV, QB, RDF, RDFS, XSD

from . import eras
from .errors import FactError
from .extract import Mention, parse_amount
from .facts import Record, Span
from .ns import CUR, FKG, KIND_LABELS, KIND_TERMS, SCHEMA
from .sources import Document, locate


@dataclass
class Coverage:
    total: int = 0
    represented: int = 0
    left_out: int = 0
    missing: list[Mention] = field(default_factory=list)

    @property
    def percent(self) -> float:
        return 100.0 if self.total == 0 else 100.0 * (self.represented + self.left_out) / self.total


class AmountRules:
    """The amount-related part of the graph builder (mixed into it; uses its graph, ids and evidence)."""

    # -- amounts ----------------------------------------------------------------------------------------
    def claim(self, doc: Document, rec: Record, span: Span, amount_text: str, year: int, kind: str,
              where: str) -> Mention:
        """The mention inside `span` that an amount stands for; checks value, year and kind."""
        yen, _ = parse_amount(amount_text)
        ls = locate(doc, span)
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
        g.add((s, FKG.amountYen, decimal_literal(m.yen)))
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
        self.totals[(of, year, kind)] = (s, mentions[0].yen)
        g = self.g
        g.add((s, RDF.type, FKG.Allocation))
        g.add((s, FKG.allocatedTo, target))
        g.add((s, QB.dataSet, self.iri("dataset")))
        self.amount_triples(s, mentions[0], year, kind)
        g.add((s, FKG.isFund, Literal(bool(rec.get("fund")))))
        label = self.ids[of][1]["label"]
        yen_m = mentions[0].yen / 1_000_000
        ja_kind, en_kind = KIND_LABELS[kind]
        g.add((s, RDFS.label, Literal(f"{label['ja']} {eras.era_label(year)}{ja_kind} {fmt_number(yen_m)}百万円", lang="ja")))
        g.add((s, RDFS.label, Literal(f"{label['en']}: FY{year} {en_kind}, ¥{fmt_number(yen_m)} million", lang="en")))
        self.evidence(doc, s, rec["source"])
        if rec.get("interpretation"):
            g.add((s, FKG.interpretation, Literal(one_line(rec["interpretation"]), lang="en")))
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
        """For every budget item whose parts have amounts, and every agency whose programs have amounts: its
        total minus what those parts (or programs) explain."""
        g = self.g
        children: dict[str, list[str]] = {}
        for ident, (section, rec) in sorted(self.ids.items()):
            if section == "programs":
                for parent in (rec.get("part_of"), rec.get("managed_by")):
                    if parent:
                        children.setdefault(parent, []).append(ident)
        funded = {item for item, _, _ in self.totals}
        for (item, year, kind), (alloc, total) in sorted(self.totals.items()):
            kids = [c for c in children.get(item, []) if c in funded]
            if not kids:
                continue
            parts = [self.totals[(c, year, kind)] for c in kids if (c, year, kind) in self.totals]
            rest = total - sum((amount for _, amount in parts), Decimal(0))
            r = self.iri(f"remainder/{item}/{year}-{kind}")
            g.add((r, RDF.type, FKG.UnexplainedRemainder))
            g.add((r, FKG.remainderOf, self.ref_iri(item)))
            g.add((r, FKG.fiscalYear, self.fiscal_year(year)))
            g.add((r, FKG.budgetKind, KIND_TERMS[kind]))
            g.add((r, FKG.amountYen, decimal_literal(rest)))
            g.add((r, FKG.currency, CUR.JPY))
            for source, _ in [(alloc, total)] + parts:
                g.add((r, PROV.wasDerivedFrom, source))
            label, (ja_kind, en_kind) = self.ids[item][1]["label"], KIND_LABELS[kind]
            millions = fmt_number(rest / 1_000_000)
            g.add((r, RDFS.label, Literal(f"{label['ja']} {eras.era_label(year)}{ja_kind}の内訳で説明されない額 "
                                          f"{millions}百万円", lang="ja")))
            g.add((r, RDFS.label, Literal(f"{label['en']}: FY{year} {en_kind} not explained by its parts, "
                                          f"¥{millions} million", lang="en")))


def decimal_literal(value: Decimal) -> Literal:
    """An xsd:decimal in canonical form ("9066000000.0"), as Turtle writes it, so the graph in memory and the
    graph read back from its file are the same terms."""
    text = format(value, "f")
    return Literal(text if "." in text else text + ".0", datatype=XSD.decimal)


def one_line(text: str) -> str:
    return " ".join(text.split())


def fmt_number(value) -> str:
    value = Decimal(value)
    return f"{value:,.0f}" if value == value.to_integral_value() else f"{value:,.2f}"
