"""What the SPARQL endpoint accepts: the query form, what it refuses, and content negotiation as tables.

The check reads SPARQL's tokens (comments, strings, IRIs, variables and prefixed names are skipped), so a
variable called ?insert or a label "FROM" is not mistaken for a keyword. An update is recognised by its
operation keyword and refused with 403 before anything runs; so are SERVICE (outbound requests) and
FROM / FROM NAMED (a dataset other than the served graph).
"""
from __future__ import annotations


from .query import UPDATE_KEYWORDS, keywords
from .workers import Failure

QUERY_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")


def query_form(text: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE; raises Failure 403 for updates, SERVICE and FROM.

    >>> query_form("PREFIX insert: <x:> # DELETE\\nSELECT ?delete WHERE { ?delete insert:from 'FROM' }")
    'SELECT'
    >>> query_form("DELETE WHERE { ?s ?p ?o }")
    Traceback (most recent call last):
    ...
    kg.workers.Failure: (403, 'Update refused', 'DELETE is a SPARQL update; this endpoint is read-only (SELECT, ASK, CONSTRUCT and DESCRIBE only)')
    """
    kws = keywords(text)
    for kw in kws:
        if kw in UPDATE_KEYWORDS:
            raise Failure(403, "Update refused", f"{kw} is a SPARQL update; this endpoint is read-only (SELECT, "
                          "ASK, CONSTRUCT and DESCRIBE only)")
    if "SERVICE" in kws:
        raise Failure(403, "SERVICE refused", "SERVICE (federated query) is not allowed: queries run on the "
                      "served graph only, and this endpoint makes no outbound requests")
    if "FROM" in kws:
        raise Failure(403, "FROM refused", "FROM and FROM NAMED are not allowed: this endpoint loads no other "
                      "graph; every query runs on the served graph (its default graph)")
    for kw in kws:
        if kw in QUERY_FORMS:
            return kw
        if kw not in ("BASE", "PREFIX"):
            break
    raise Failure(400, "Malformed query", "expected SELECT, ASK, CONSTRUCT or DESCRIBE after the prologue "
                  "(BASE and PREFIX declarations)")


# Content negotiation: media types in order of preference, the first is the default.
RESULT_TYPES = [("application/sparql-results+json", "json"), ("application/json", "json"),
                ("application/sparql-results+xml", "xml"), ("application/xml", "xml"), ("text/xml", "xml"),
                ("text/csv", "csv"), ("text/tab-separated-values", "tsv"), ("text/html", "html")]
GRAPH_TYPES = [("text/turtle", "turtle"), ("application/x-turtle", "turtle"),
               ("application/n-triples", "ntriples"), ("text/plain", "ntriples"),
               ("application/ld+json", "jsonld"), ("application/json", "jsonld"),
               ("application/rdf+xml", "rdfxml"), ("application/xml", "rdfxml"), ("text/xml", "rdfxml"),
               ("text/html", "html")]
MEDIA_TYPES = {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
               "csv": "text/csv", "tsv": "text/tab-separated-values", "html": "text/html",
               "turtle": "text/turtle", "ntriples": "application/n-triples", "jsonld": "application/ld+json",
               "rdfxml": "application/rdf+xml"}
# The `format` parameter: short names (as SPARQLWrapper and other clients send them) or a media type.
RESULT_ALIASES = {"json": "json", "xml": "xml", "csv": "csv", "tsv": "tsv", "html": "html"}
GRAPH_ALIASES = {"turtle": "turtle", "ttl": "turtle", "n3": "turtle", "nt": "ntriples", "ntriples": "ntriples",
                 "n-triples": "ntriples", "jsonld": "jsonld", "json-ld": "jsonld", "json": "jsonld",
                 "xml": "rdfxml", "rdf": "rdfxml", "rdf+xml": "rdfxml", "rdfxml": "rdfxml", "html": "html"}


def negotiate(form: str, accept, fmt: str | None, *, page: bool = False) -> str:
    """The output format for a query form, from the `format` parameter or else the Accept header
    (a werkzeug MIMEAccept); raises Failure 406 when neither names one this endpoint writes.
    For a page (home, resource), HTML comes first: a client that accepts anything gets HTML."""
    graph = form in ("CONSTRUCT", "DESCRIBE")
    table, aliases = (GRAPH_TYPES, GRAPH_ALIASES) if graph else (RESULT_TYPES, RESULT_ALIASES)
    if page:
        table = [("text/html", "html")] + [t for t in table if t[1] != "html"]
    if fmt:
        key = fmt.strip().lower()
        found = aliases.get(key) or dict(table).get(key.split(";")[0].strip())
        if not found:
            raise Failure(406, "Unknown format", f"format={fmt!r} is not one of "
                          f"{', '.join(sorted(set(aliases)))} or their media types for a {form} query")
        return found
    if not accept:
        return table[0][1]
    best = accept.best_match([t for t, _ in table])
    if best is None:
        raise Failure(406, "Not acceptable", f"no format for a {form} query matches Accept: {accept}; this "
                      f"endpoint writes {', '.join(t for t, _ in table)}")
    return dict(table)[best]
