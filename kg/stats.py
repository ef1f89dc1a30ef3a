"""Counts that say what a built graph holds."""
from __future__ import annotations

from .store import GraphStore

FKG = "https://w3id.org/funding-kg/ontology#"

BY_CLASS = f"""SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE {{
  ?s a ?class . FILTER(STRSTARTS(STR(?class), "{FKG}"))
}} GROUP BY ?class ORDER BY ?class"""

BY_YEAR_KIND = f"""SELECT ?year ?kind (COUNT(?a) AS ?n) WHERE {{
  ?a a <{FKG}Allocation> ; <{FKG}fiscalYear>/<{FKG}year> ?year ;
     <{FKG}budgetKind>/<http://www.w3.org/2004/02/skos/core#notation> ?kind .
}} GROUP BY ?year ?kind ORDER BY DESC(?year) ?kind"""


def graph_stats(store: GraphStore) -> dict:
    classes = {row["class"][len(FKG):]: row["n"] for row in store.select(BY_CLASS)}
    allocations = [{"fiscal_year": r["year"], "kind": r["kind"], "count": r["n"]}
                   for r in store.select(BY_YEAR_KIND)]
    return {
        "triples": len(store),
        "classes": classes,
        "allocations": allocations,
        "flows": classes.get("FundingFlow", 0),
    }


def format_stats(stats: dict, coverage=None) -> str:
    lines = [f"triples: {stats['triples']:,}", "resources by class:"]
    width = max((len(c) for c in stats["classes"]), default=0)
    lines += [f"  {c:<{width}}  {n:>5}" for c, n in stats["classes"].items()]
    lines.append("allocations by fiscal year and kind:")
    for a in stats["allocations"]:
        lines.append(f"  FY{a['fiscal_year']} {a['kind']:<13} {a['count']:>4}")
    lines.append(f"funding flows: {stats['flows']}")
    if coverage is not None:
        lines.append(f"coverage: {coverage.represented + coverage.left_out}/{coverage.total} amount mentions "
                     f"({coverage.percent:.1f}%): {coverage.represented} represented, {coverage.left_out} left out")
    return "\n".join(lines)
