"""The one seam through which the project reads a built graph: an embedded Oxigraph store.

rdflib builds the graph; queries go to pyoxigraph, whose SPARQL engine is far faster than rdflib's on
GROUP BY and joins. Anything that asks questions of the graph goes through GraphStore.
"""
from __future__ import annotations

import datetime as _dt
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

from .errors import KGError, QueryError

XSD = "http://www.w3.org/2001/XMLSchema#"


def to_python(term):
    """A plain Python value for an Oxigraph term: str for IRIs and text, Decimal/int/bool/date for typed literals."""
    if term is None:
        return None
    if isinstance(term, ox.Literal):
        dt = term.datatype.value if term.datatype else None
        v = term.value
        try:
            if dt == XSD + "decimal":
                d = Decimal(v)
                # "9066000000.0" reads as 9066000000: whole amounts print without a trailing ".0".
                return d.quantize(Decimal(1)) if d == d.to_integral_value() else d.normalize()
            if dt in (XSD + "integer", XSD + "int", XSD + "long"):
                return int(v)
            if dt == XSD + "boolean":
                return v in ("true", "1")
            if dt == XSD + "date":
                return _dt.date.fromisoformat(v)
            if dt == XSD + "double":
                return float(v)
        except ValueError:
            return v
        return v
    if isinstance(term, (ox.NamedNode, ox.BlankNode)):
        return term.value
    return str(term)


class GraphStore:
    """A read-only, in-memory SPARQL store over one built graph.

    >>> from kg.build import build_graph
    >>> store = GraphStore.from_graph(build_graph().graph)
    >>> rows = store.select("SELECT (COUNT(*) AS ?n) WHERE { ?s a <https://w3id.org/funding-kg/ontology#FundingFlow> }")
    >>> rows[0]["n"]
    16
    """

    def __init__(self, store: ox.Store):
        self._store = store

    @classmethod
    def from_graph(cls, graph: Graph) -> "GraphStore":
        store = ox.Store()
        data = graph.serialize(format="nt", encoding="utf-8")
        store.bulk_load(data, format=ox.RdfFormat.N_TRIPLES)
        return cls(store)

    @classmethod
    def from_file(cls, path: str | Path) -> "GraphStore":
        path = Path(path)
        if not path.is_file():
            raise KGError("no graph file here; run `fundkg build` first", path=path)
        store = ox.Store()
        fmt = ox.RdfFormat.from_extension(path.suffix.lstrip(".")) or ox.RdfFormat.TURTLE
        try:
            store.bulk_load(path=str(path), format=fmt)
        except (SyntaxError, ValueError, OSError) as exc:
            raise KGError(f"cannot read graph: {exc}", path=path) from None
        return cls(store)

    def __len__(self) -> int:
        return len(self._store)

    @property
    def oxigraph(self) -> ox.Store:
        return self._store

    def _run(self, query: str, substitutions: dict | None):
        try:
            return self._store.query(query, substitutions=substitutions or None)
        except SyntaxError as exc:
            raise QueryError(f"SPARQL syntax error: {exc}") from None
        except (ValueError, OSError, RuntimeError) as exc:
            raise QueryError(f"query failed: {exc}") from None

    def select_terms(self, query: str, substitutions: dict | None = None) -> tuple[list[str], list[list]]:
        """Variable names and rows of Oxigraph terms (None where unbound)."""
        result = self._run(query, substitutions)
        if not isinstance(result, ox.QuerySolutions):
            raise QueryError("expected a SELECT query")
        names = [v.value for v in result.variables]
        return names, [[sol[n] for n in names] for sol in result]

    def select(self, query: str, substitutions: dict | None = None) -> list[dict]:
        """Rows of a SELECT query as dicts of plain Python values."""
        names, rows = self.select_terms(query, substitutions)
        return [{n: to_python(t) for n, t in zip(names, row)} for row in rows]

    def ask(self, query: str, substitutions: dict | None = None) -> bool:
        result = self._run(query, substitutions)
        if not isinstance(result, ox.QueryBoolean):
            raise QueryError("expected an ASK query")
        return bool(result)


def load_rdflib(path: str | Path) -> Graph:
    """The built graph as an rdflib Graph (for validation and exports)."""
    path = Path(path)
    if not path.is_file():
        raise KGError("no graph file here; run `fundkg build` first", path=path)
    try:
        return Graph().parse(path)
    except Exception as exc:  # rdflib raises many parser-specific types
        raise KGError(f"cannot parse graph: {exc}", path=path) from None
