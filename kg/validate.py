"""Check a built graph: SHACL shapes (pySHACL) and the budget's own arithmetic.

Consistency rules: the parts of a budget item never add up to more than its total, and the programs an agency
manages never add up to more than the agency's total, for the same fiscal year and budget kind. The report also
gives the year-over-year change of every item and the part of each total its parts leave unexplained.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from pyshacl import validate as shacl_validate
from rdflib import Graph
from rdflib.namespace import RDF, SH

from . import paths
from .store import GraphStore

PREFIXES = """PREFIX fkg: <https://w3id.org/funding-kg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""

PREFIXES = PREFIXES + "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"


def _sum_of_parts(link: str) -> str:
    """Each item's allocation beside the sum of its parts' allocations of the same year and kind; `link`
    says what a part ?part of ?item is."""
    return PREFIXES + f"""
SELECT ?item ?label ?year ?kind ?total (SUM(?amount) AS ?parts) (COUNT(?part) AS ?n) WHERE {{
  ?a fkg:allocatedTo ?item ; fkg:fiscalYear/fkg:year ?year ; fkg:budgetKind/skos:notation ?kind ; fkg:amountYen ?total .
  {link}
  ?pa fkg:allocatedTo ?part ; fkg:fiscalYear/fkg:year ?year ; fkg:budgetKind/skos:notation ?kind ; fkg:amountYen ?amount .
  ?item rdfs:label ?label . FILTER(lang(?label) = "en")
}} GROUP BY ?item ?label ?year ?kind ?total ORDER BY ?label ?year ?kind
"""


PARTS_SUM = _sum_of_parts("?part fkg:partOf ?item .")
AGENCY_SUM = _sum_of_parts("?part fkg:managedBy ?item .")

YEAR_OVER_YEAR = PREFIXES + """
SELECT ?item ?label ?year ?now ?before WHERE {
  ?a fkg:allocatedTo ?item ; fkg:fiscalYear/fkg:year ?year ; fkg:budgetKind fkg:Request ; fkg:amountYen ?now .
  ?b fkg:allocatedTo ?item ; fkg:fiscalYear/fkg:year ?prev ; fkg:budgetKind fkg:InitialBudget ; fkg:amountYen ?before .
  FILTER(?prev = ?year - 1 && isNumeric(?now) && isNumeric(?before))
  ?item rdfs:label ?label . FILTER(lang(?label) = "en")
} ORDER BY ?label
"""

REMAINDERS = PREFIXES + """
SELECT ?item ?label ?year ?kind ?amount WHERE {
  ?r a fkg:UnexplainedRemainder ; fkg:remainderOf ?item ; fkg:fiscalYear/fkg:year ?year ;
     fkg:budgetKind/skos:notation ?kind ; fkg:amountYen ?amount .
  ?item rdfs:label ?label . FILTER(lang(?label) = "en")
} ORDER BY ?label ?year ?kind
"""


@dataclass
class Violation:
    rule: str
    focus: str
    message: str

    def __str__(self) -> str:
        return f"[{self.rule}] {self.focus}: {self.message}"


@dataclass
class Report:
    violations: list[Violation] = field(default_factory=list)
    checks: list[dict] = field(default_factory=list)
    year_over_year: list[dict] = field(default_factory=list)
    remainders: list[dict] = field(default_factory=list)

    @property
    def conforms(self) -> bool:
        return not self.violations

    def as_dict(self) -> dict:
        def clean(rows):
            return [{k: (str(v) if isinstance(v, Decimal) else v) for k, v in r.items()} for r in rows]

        return {"conforms": self.conforms, "violations": [vars(v) for v in self.violations],
                "checks": clean(self.checks), "year_over_year": clean(self.year_over_year),
                "remainders": clean(self.remainders)}


def shacl_violations(graph: Graph) -> list[Violation]:
    """SHACL results of a graph against ontology/shapes.ttl (the ontology supplies the class hierarchy)."""
    shapes = Graph().parse(paths.ontology_file("shapes.ttl"))
    ontology = Graph().parse(paths.ontology_file("funding-kg.ttl"))
    conforms, results, _ = shacl_validate(graph, shacl_graph=shapes, ont_graph=ontology, inference="none",
                                          allow_warnings=True)
    if conforms:
        return []
    out = []
    for r in results.subjects(RDF.type, SH.ValidationResult):
        focus = results.value(r, SH.focusNode)
        path = results.value(r, SH.resultPath)
        msg = results.value(r, SH.resultMessage)
        where = f" ({path.n3(graph.namespace_manager)})" if path is not None and not isinstance(path, type(r)) else ""
        out.append(Violation("shacl", str(focus), f"{msg}{where}"))
    return sorted(out, key=lambda v: (v.focus, v.message))


def consistency(store: GraphStore, report: Report) -> None:
    for rule, query, what in (("parts-within-total", PARTS_SUM, "parts"),
                              ("programs-within-agency", AGENCY_SUM, "programs it manages")):
        for row in store.select(query):
            if not all(isinstance(row[k], Decimal) for k in ("parts", "total")):
                report.violations.append(Violation(rule, row["item"], f"amounts of {row['label']} in FY{row['year']} "
                                                   f"{row['kind']} are not all xsd:decimal numbers"))
                continue
            ok = row["parts"] <= row["total"]
            report.checks.append({"rule": rule, "item": row["label"], "fiscal_year": row["year"],
                                  "kind": row["kind"], "total": row["total"], "sum": row["parts"],
                                  "count": row["n"], "ok": ok})
            if not ok:
                report.violations.append(Violation(
                    rule, row["item"],
                    f"the {row['n']} {what} of {row['label']} sum to ¥{row['parts']:,} in FY{row['year']} "
                    f"{row['kind']}, more than its total ¥{row['total']:,}"))
    for row in store.select(YEAR_OVER_YEAR):
        change = row["now"] - row["before"]
        pct = None if row["before"] == 0 else (Decimal(100) * change / row["before"]).quantize(Decimal("0.1"))
        report.year_over_year.append({"item": row["label"], "iri": row["item"], "fiscal_year": row["year"],
                                      "previous": row["before"], "current": row["now"], "change": change,
                                      "percent": pct})
    report.year_over_year.sort(key=lambda r: (r["change"], r["item"]))
    for row in store.select(REMAINDERS):
        report.remainders.append({"item": row["label"], "iri": row["item"], "fiscal_year": row["year"],
                                  "kind": row["kind"], "amount": row["amount"]})


def validate_graph(graph: Graph) -> Report:
    """SHACL and consistency report for a built graph; the graph is not changed."""
    report = Report()
    report.violations.extend(shacl_violations(graph))
    consistency(GraphStore.from_graph(graph), report)
    return report
