"""Run SPARQL queries against the built graph: the shipped questions in queries/*.rq, or your own.

A query file starts with a header of comment lines:

    # title: Amount of every program and component, largest first
    # title@ja: 事業・構成要素ごとの予算額（大きい順）
    # description: What it answers, in a sentence or two.
    # param: year integer 2022 -- fiscal year (Gregorian year in which it starts)
    # param: kind string request -- budget kind: request, initial or supplementary

A parameter line is `# param: NAME TYPE [DEFAULT] -- description`, TYPE one of integer, decimal, string,
iri, date, boolean, optionally followed by the allowed values (`string{request,initial}`); DEFAULT `-` (or
none) leaves the parameter unbound, which a query reads as "any". A value is bound as an RDF term in a
VALUES block at the top of the query's WHERE clause, never pasted into the query as syntax; Oxigraph's own
substitution cannot bind variables that the SELECT does not project, which aggregates need. An `iri` value without a scheme is taken relative to the graph's base
(`program/regenerative-medicine`).

Label search: Oxigraph has no Unicode normalisation function, so queries get one from Python,
`fkgfn:searchKey(?text)` (PREFIX fkgfn: <https://w3id.org/funding-kg/function#>): NFKC, case-folded, without
white space. Applied to both the label and the search text it makes ｉＰＳ, iPS and "iPS " match alike.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from . import paths
from .errors import QueryError
from .ns import DEFAULT_BASE
from .store import GraphStore, to_python

XSD = "http://www.w3.org/2001/XMLSchema#"
PARAM_TYPES = ("integer", "decimal", "string", "iri", "date", "boolean")
_PARAM_RE = re.compile(r"^(?P<name>[A-Za-z_]\w*)\s+(?P<type>\w+)(?:\{(?P<choices>[^{}\s]*)\})?"
                       r"(?:\s+(?P<default>\S+))?\s*(?:--\s*(?P<doc>.*))?$")
UPDATE_KEYWORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}
FUNCTIONS_NS = "https://w3id.org/funding-kg/function#"


def search_key(text: str) -> str:
    """The form labels are compared in: NFKC, case-folded, white space removed.

    >>> search_key("ｉＰＳ 細胞") == search_key("iPS細胞")
    True
    """
    return "".join(unicodedata.normalize("NFKC", text).casefold().split())


def _search_key_term(term):
    if not isinstance(term, ox.Literal):
        return None
    return ox.Literal(search_key(term.value))


# Functions a query may call; passed to Oxigraph with every query (and registered with rdflib's engine by the
# benchmark).
CUSTOM_FUNCTIONS = {ox.NamedNode(FUNCTIONS_NS + "searchKey"): _search_key_term}


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    default: str | None = None
    description: str = ""
    choices: tuple[str, ...] = ()  # allowed values, from `TYPE{a,b,c}`; empty: any value of the type


@dataclass
class QueryInfo:
    name: str
    text: str
    path: Path | None = None
    title: str = ""
    title_ja: str = ""
    description: str = ""
    params: list[Param] = field(default_factory=list)


@dataclass
class QueryResult:
    columns: list[str]
    rows: list[list]  # plain Python values (see store.to_python)

    def records(self) -> list[dict]:
        return [dict(zip(self.columns, r)) for r in self.rows]


def parse_header(text: str, *, name: str = "query", path: Path | None = None) -> QueryInfo:
    info = QueryInfo(name=name, text=text, path=path)
    for n, line in enumerate(text.splitlines(), start=1):
        s = line.strip()
        if not s.startswith("#"):
            if s:
                break
            continue
        m = re.match(r"#\s*(title@ja|title|description|param)\s*:\s*(.*)$", s)
        if not m:
            continue
        key, value = m.group(1), m.group(2).strip()
        if key == "title":
            info.title = value
        elif key == "title@ja":
            info.title_ja = value
        elif key == "description":
            info.description = (info.description + " " + value).strip()
        else:
            pm = _PARAM_RE.match(value)
            if not pm or pm["type"] not in PARAM_TYPES:
                raise QueryError(f"malformed parameter line {s!r}: expected '# param: NAME TYPE[{{VALUES}}] [DEFAULT] "
                                 f"-- description' with TYPE one of {', '.join(PARAM_TYPES)}", path=path, line=n)
            default = pm["default"]
            choices = tuple(c for c in (pm["choices"] or "").split(",") if c)
            if choices and default not in (None, "-") and default not in choices:
                raise QueryError(f"parameter {pm['name']}: default {default!r} is not one of its values "
                                 f"{', '.join(choices)}", path=path, line=n)
            info.params.append(Param(pm["name"], pm["type"], None if default in (None, "-") else default,
                                     (pm["doc"] or "").strip(), choices))
    return info


def queries_dir() -> Path:
    return paths.data_dir("queries")


def list_queries() -> list[QueryInfo]:
    """The shipped queries, by name."""
    return [load_query(p) for p in sorted(queries_dir().glob("*.rq"))]


def load_query(name_or_path: str | Path) -> QueryInfo:
    """A shipped query by name (e.g. "allocations"), or a query file by path.

    A bare name is a shipped query even when a file or folder of that name sits in the working directory.
    """
    p = Path(name_or_path)
    shipped = queries_dir() / f"{name_or_path}.rq"
    if isinstance(name_or_path, Path) or p.suffix == ".rq" or len(p.parts) > 1:
        path = p
    elif shipped.is_file():
        path = shipped
    elif p.is_file():
        path = p
    else:
        known = ", ".join(q.stem for q in sorted(queries_dir().glob("*.rq")))
        raise QueryError(f"no shipped query named {name_or_path!r} (known: {known or 'none'})")
    if not path.is_file():
        raise QueryError("no such query file", path=path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise QueryError("query file is not UTF-8 text", path=path) from None
    return parse_header(text, name=path.stem, path=path)


# SPARQL's tokens, enough to tell keywords from comments, strings, IRIs, variables and prefixed names
# (so that ?insert, ex:service or a label "FROM" are not mistaken for keywords).
_TOKEN = re.compile(r'''
    (?P<ws>\s+) | (?P<comment>\#[^\n]*)
  | (?P<iri><[^<>"{}|^`\\\s]*>)
  | (?P<string>"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^'\\]|\\.|'(?!''))*\'\'\'|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
  | (?P<var>[?$]\w+)
  | (?P<pname>[\w.-]*:[\w.:%-]*)
  | (?P<word>[A-Za-z_]\w*)
  | (?P<other>.)''', re.X | re.S)


def keywords(text: str) -> list[str]:
    """The bare keywords of a query, upper-cased, in order.

    >>> keywords("PREFIX insert: <x:> # DELETE\\nSELECT ?delete WHERE { ?delete insert:from 'FROM' }")
    ['PREFIX', 'SELECT', 'WHERE']
    """
    return [m.group("word").upper() for m in _TOKEN.finditer(text) if m.lastgroup == "word"]


def strip_comments_and_strings(text: str) -> str:
    """The query's syntax alone (comments, strings and IRIs blanked, offsets kept), for keyword checks."""
    return "".join(" " * len(m.group(0)) if m.lastgroup in ("comment", "string", "iri") else m.group(0)
                   for m in _TOKEN.finditer(text))


def _where_brace(text: str) -> int:
    syntax = strip_comments_and_strings(text)
    m = re.search(r"\bWHERE\b", syntax, re.I)
    start = m.end() if m else 0
    if not m and re.match(r"\s*(PREFIX\s+\S+\s*\S+\s*|BASE\s+\S+\s*)*CONSTRUCT\b", syntax, re.I):
        raise QueryError("a CONSTRUCT query with parameters needs an explicit WHERE")
    j = syntax.find("{", start)
    if j < 0:
        raise QueryError("the query has no WHERE clause to bind parameters in")
    return j


def to_term(param: Param, value: str, base: str = DEFAULT_BASE):
    """An RDF term for a parameter value given as text."""
    t = param.type
    if param.choices and value not in param.choices:
        raise QueryError(f"parameter {param.name}: {value!r} is not one of {', '.join(param.choices)}")
    try:
        if t == "iri":
            iri = value if re.match(r"^[a-zA-Z][\w+.-]*:", value) else base + value.lstrip("/")
            return ox.NamedNode(iri)
        if t == "string":
            return ox.Literal(value)
        if t == "integer":
            return ox.Literal(str(int(value)), datatype=ox.NamedNode(XSD + "integer"))
        if t == "decimal":
            from decimal import Decimal

            return ox.Literal(str(Decimal(value)), datatype=ox.NamedNode(XSD + "decimal"))
        if t == "date":
            import datetime as dt

            return ox.Literal(dt.date.fromisoformat(value).isoformat(), datatype=ox.NamedNode(XSD + "date"))
        if t == "boolean":
            if value.lower() not in ("true", "false", "1", "0"):
                raise ValueError(value)
            return ox.Literal(str(value.lower() in ("true", "1")).lower(), datatype=ox.NamedNode(XSD + "boolean"))
    except ValueError:
        raise QueryError(f"parameter {param.name}: {value!r} is not a valid {t}") from None
    raise QueryError(f"parameter {param.name}: unknown type {t}")


def bind(info: QueryInfo, values: dict[str, str] | None = None, *, base: str = DEFAULT_BASE) -> str:
    """The query text with its parameters bound (given values, else defaults) in a VALUES block."""
    values = dict(values or {})
    declared = {p.name: p for p in info.params}
    unknown = sorted(set(values) - set(declared))
    if unknown:
        allowed = ", ".join(declared) or "none"
        raise QueryError(f"unknown parameter {', '.join(unknown)} for query {info.name} (it takes: {allowed})")
    bound = []
    for p in info.params:
        raw = values.get(p.name, p.default)
        if raw is None:
            continue
        if not re.search(r"[?$]" + re.escape(p.name) + r"\b", strip_comments_and_strings(info.text)):
            raise QueryError(f"query {info.name} declares parameter {p.name} but never uses ?{p.name}")
        bound.append((p.name, to_term(p, str(raw), base)))
    if not bound:
        return info.text
    j = _where_brace(info.text)
    names = " ".join(f"?{n}" for n, _ in bound)
    terms = " ".join(str(t) for _, t in bound)
    block = f" VALUES ({names}) {{ ({terms}) }} "
    return info.text[: j + 1] + block + info.text[j + 1:]


def query_form(text: str) -> str:
    """The first keyword after the prologue (PREFIX and BASE declarations): SELECT, ASK, INSERT…"""
    return next((kw for kw in keywords(text) if kw not in ("BASE", "PREFIX")), "")


def check_read_only(text: str, name: str = "query") -> None:
    """Refuse updates and federated queries: this interface only reads the local graph."""
    kws = keywords(text)
    if update := next((kw for kw in kws if kw in UPDATE_KEYWORDS), None):
        raise QueryError(f"{name} is an update ({update}); only read-only queries (SELECT, ASK) are allowed")
    if "SERVICE" in kws:
        raise QueryError(f"{name} uses SERVICE (federated query), which is not allowed: queries run on the "
                         "local graph only")


def run_query(query: str | Path | QueryInfo, params: dict[str, str] | None = None, *,
              store: GraphStore | None = None, base: str = DEFAULT_BASE) -> QueryResult | bool:
    """Run a shipped query (by name), a query file (Path) or query text; SELECT gives a QueryResult, ASK a bool.

    Without a store, the query runs on the graph built in memory from the shipped sources.

    >>> from kg.build import build_graph
    >>> store = GraphStore.from_graph(build_graph().graph)
    >>> q = parse_header('''# param: year integer 2022
    ... PREFIX fkg: <https://w3id.org/funding-kg/ontology#>
    ... SELECT (COUNT(?a) AS ?n) WHERE { ?a a fkg:Allocation ; fkg:fiscalYear/fkg:year ?year }''')
    >>> run_query(q, {"year": "2021"}, store=store).rows
    [[25]]
    >>> run_query("year-over-year", store=store).records()[0]["change_yen"]
    Decimal('-867000000')
    """
    if isinstance(query, QueryInfo):
        info = query
    elif isinstance(query, Path) or not re.search(r"[\s{}]", query):  # query text has spaces or braces
        info = load_query(query)
    else:
        info = parse_header(query)
    check_read_only(info.text, info.name)
    text = bind(info, params, base=base)
    if store is None:
        from .build import build_graph

        store = GraphStore.from_graph(build_graph(base=base).graph)
    try:
        result = store.oxigraph.query(text, custom_functions=CUSTOM_FUNCTIONS)
    except SyntaxError as exc:
        raise QueryError(f"SPARQL syntax error in {info.name}: {_position(exc, info, text)}",
                         path=info.path) from None
    except (ValueError, RuntimeError, OSError) as exc:
        raise QueryError(f"query {info.name} failed: {exc}", path=info.path) from None
    if isinstance(result, ox.QueryBoolean):
        return bool(result)
    if not isinstance(result, ox.QuerySolutions):
        raise QueryError(f"{info.name} is a {query_form(info.text) or 'CONSTRUCT or DESCRIBE'} query, which "
                         "gives triples, not rows; use SELECT or ASK here", path=info.path)
    columns = [v.value for v in result.variables]
    rows = [[to_python(sol[c]) for c in columns] for sol in result]
    return QueryResult(columns, rows)


def attribution(store: GraphStore, lang: str = "en") -> str:
    """The source and licence statement (dct:rights) of the documents the graph's facts come from."""
    _, rows = store.select_terms(
        "PREFIX dct: <http://purl.org/dc/terms/> PREFIX fkg: <https://w3id.org/funding-kg/ontology#> "
        "SELECT DISTINCT ?r WHERE { ?d a fkg:SourceDocument ; dct:rights ?r } ORDER BY ?r")
    return " / ".join(r.value for r, in rows if isinstance(r, ox.Literal) and r.language == lang)


def _position(exc: SyntaxError, info: QueryInfo, bound_text: str) -> str:
    """The parser's message with line and column of the original query text."""
    msg = str(exc)
    m = re.match(r"error at (\d+):(\d+)[:\s]*(.*)", msg, re.S)
    if not m:
        return msg
    line, col = int(m.group(1)), int(m.group(2))
    added = len(bound_text) - len(info.text)
    if added:
        j = _where_brace(info.text)
        offset = sum(len(l) + 1 for l in bound_text.splitlines()[: line - 1]) + col - 1
        if offset > j + added:
            offset -= added
            before = info.text[:offset]
            line, col = before.count("\n") + 1, offset - (before.rfind("\n") + 1) + 1
    return f"line {line}, column {col}: {m.group(3).strip()}"


def _is_amount_column(name: str) -> bool:
    n = name.lower()
    return "yen" in n or n.startswith("amount") or n.endswith("amount")


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def format_result(result: QueryResult | bool, fmt: str = "table") -> str:
    """A result as text: table (amounts in 百万円 with separators), csv, tsv or json (exact values)."""
    import csv
    import io
    import json
    from decimal import Decimal

    if isinstance(result, bool):
        return json.dumps({"boolean": result}) if fmt == "json" else ("true" if result else "false")
    if fmt == "json":
        def plain(v):
            if isinstance(v, Decimal):
                return int(v) if v == v.to_integral_value() else float(v)
            if v is None or isinstance(v, (bool, int, float, str)):
                return v
            return str(v)

        return json.dumps([{c: plain(v) for c, v in zip(result.columns, r)} for r in result.rows],
                          ensure_ascii=False, indent=1)
    if fmt in ("csv", "tsv"):
        buf = io.StringIO()
        writer = csv.writer(buf, delimiter="," if fmt == "csv" else "\t", lineterminator="\n")
        writer.writerow(result.columns)
        for r in result.rows:
            writer.writerow([_text(v) for v in r])
        return buf.getvalue().rstrip("\n")
    if fmt != "table":
        raise QueryError(f"unknown format {fmt!r} (table, csv, tsv or json)")
    from unicodedata import east_asian_width

    def cell(col, v):
        if isinstance(v, Decimal) and _is_amount_column(col):
            m = v / 1_000_000
            return f"{m:,.0f}百万円" if m == m.to_integral_value() else f"{m:,.2f}百万円"
        if isinstance(v, str) and "/" in v and v.startswith("http"):
            return v.replace(DEFAULT_BASE, "id:")
        return _text(v)

    def width(s):
        return sum(2 if east_asian_width(ch) in "WF" else 1 for ch in s)

    cells = [[cell(c, v) for c, v in zip(result.columns, r)] for r in result.rows]
    widths = [max([width(c)] + [width(r[i]) for r in cells]) for i, c in enumerate(result.columns)]
    numeric = [all(isinstance(r[i], (int, Decimal)) or r[i] is None for r in result.rows) and bool(result.rows)
               for i in range(len(result.columns))]

    def line(row):
        out = []
        for i, (c, w) in enumerate(zip(row, widths)):
            pad = " " * (w - width(c))
            out.append(pad + c if numeric[i] else c + pad)
        return "  ".join(out).rstrip()

    lines = [line(result.columns), line(["-" * w for w in widths])] + [line(r) for r in cells]
    lines.append(f"({len(result.rows)} row{'s' if len(result.rows) != 1 else ''})")
    return "\n".join(lines)
