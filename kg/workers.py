"""SPARQL queries in worker processes that the server can kill when a query runs past its time limit.

pyoxigraph has no query timeout and does not stop when the caller gives up, so a query abandoned in a
thread would keep a core busy until it ends (a cross join of the graph with itself may never end). Each
worker holds its own in-memory Oxigraph store of the graph, answers one query at a time, and writes the
result with pyoxigraph's serializers; a worker that misses the deadline is killed and replaced.
Workers are fresh interpreters (`python -m kg.workers FD`), never forks of the threaded server, and never
re-import the caller's main module (which multiprocessing's "spawn" would do).
"""
from __future__ import annotations

import json
import os
import queue
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection

import pyoxigraph as ox

RESULT_FORMATS = {"json": ox.QueryResultsFormat.JSON, "xml": ox.QueryResultsFormat.XML,
                  "csv": ox.QueryResultsFormat.CSV, "tsv": ox.QueryResultsFormat.TSV}
GRAPH_FORMATS = {"turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES,
                 "jsonld": ox.RdfFormat.JSON_LD, "rdfxml": ox.RdfFormat.RDF_XML}
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


@dataclass
class Answer:
    """What a query gave: `kind` is "solutions", "boolean" or "graph"; `body` is in the asked format."""
    kind: str
    body: bytes
    rows: int = 0


class Failure(Exception):
    """A query the client must change: status, title and the engine's message."""

    def __init__(self, status: int, title: str, message: str):
        super().__init__(status, title, message)  # args, so that it crosses the pipe intact
        self.status, self.title, self.message = status, title, message


def _term_json(term) -> dict:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype and term.datatype.value not in (XSD_STRING, RDF_LANG_STRING):
            out["datatype"] = term.datatype.value
        return out
    return {"type": "triple", "value": {k: _term_json(getattr(term, k)) for k in ("subject", "predicate", "object")}}


def execute(store: ox.Store, query: str, result_format: str, graph_format: str, max_rows: int,
            prefixes: dict[str, str] | None = None) -> Answer:
    """Run one query and serialize its result; more than `max_rows` solutions or triples is a Failure."""
    try:
        result = store.query(query)
    except SyntaxError as exc:
        raise Failure(400, "Malformed query", str(exc)) from None
    try:
        if isinstance(result, ox.QueryBoolean):
            return Answer("boolean", result.serialize(format=RESULT_FORMATS[result_format]), 1)
        items = []
        for item in result:
            items.append(item)
            if len(items) > max_rows:
                what = "solutions" if isinstance(result, ox.QuerySolutions) else "triples"
                raise Failure(422, "Result too large", f"the query gives more than {max_rows} {what}; add a "
                              "LIMIT, or aggregate (this endpoint's row limit is --max-rows)")
        if isinstance(result, ox.QuerySolutions):
            names = [v.value for v in result.variables]
            data = {"head": {"vars": names}, "results": {"bindings": [
                {n: _term_json(sol[n]) for n in names if sol[n] is not None} for sol in items]}}
            raw = json.dumps(data, ensure_ascii=False).encode("utf-8")
            parsed = ox.parse_query_results(raw, format=ox.QueryResultsFormat.JSON)
            return Answer("solutions", parsed.serialize(format=RESULT_FORMATS[result_format]), len(items))
        body = ox.serialize(items, format=GRAPH_FORMATS[graph_format], prefixes=prefixes or None)
        return Answer("graph", body, len(items))
    except (OSError, ValueError, RuntimeError) as exc:  # evaluation errors the parser could not see
        raise Failure(400, "Query failed", str(exc)) from None


def _worker_main(conn) -> None:
    data, max_rows, prefixes = conn.recv()
    store = ox.Store()
    store.bulk_load(data, format=ox.RdfFormat.N_TRIPLES)
    conn.send("ready")
    while True:
        try:
            query, result_format, graph_format = conn.recv()
        except (EOFError, OSError):
            return
        try:
            reply = execute(store, query, result_format, graph_format, max_rows, prefixes)
        except Failure as f:
            reply = f
        except Exception as exc:  # a bug here: the server answers 500 and the worker stays usable
            reply = Failure(500, "Server error", f"the query worker failed: {type(exc).__name__}: {exc}")
        conn.send(reply)


class QueryTimeout(Exception):
    pass


class Busy(Exception):
    pass


class WorkerPool:
    """A fixed number of query workers; `run` answers within `timeout` seconds or raises QueryTimeout."""

    def __init__(self, ntriples: bytes, *, workers: int = 2, timeout: float = 10.0, max_rows: int = 10000,
                 prefixes: dict[str, str] | None = None):
        self.timeout = timeout
        self.max_rows = max_rows
        self._args = (ntriples, max_rows, prefixes or {})
        self._idle: queue.Queue = queue.Queue()
        self._closed = False
        self._all: set = set()
        self._lock = threading.Lock()
        started = [self._start() for _ in range(max(1, workers))]
        for w in started:
            self._ready(w)

    def _start(self):
        ours, theirs = socket.socketpair()
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
        proc = subprocess.Popen([sys.executable, "-m", "kg.workers", str(theirs.fileno())],
                                pass_fds=[theirs.fileno()], env=env, stdin=subprocess.DEVNULL)
        theirs.close()
        parent = Connection(ours.detach())
        parent.send(self._args)
        with self._lock:
            self._all.add((proc, parent))
        return proc, parent

    def _ready(self, worker) -> None:
        proc, conn = worker
        if conn.poll(60) and conn.recv() == "ready":
            self._idle.put(worker)
        else:
            self._kill(worker)
            raise RuntimeError("a query worker did not start")

    def _kill(self, worker) -> None:
        proc, conn = worker
        proc.kill()
        proc.wait(5)
        conn.close()
        with self._lock:
            self._all.discard(worker)

    def _replace(self, worker) -> None:
        self._kill(worker)
        if not self._closed:
            threading.Thread(target=lambda: self._ready(self._start()), daemon=True).start()

    def run(self, query: str, result_format: str = "json", graph_format: str = "turtle") -> Answer:
        deadline = time.monotonic() + self.timeout
        try:
            worker = self._idle.get(timeout=self.timeout)
        except queue.Empty:
            raise Busy(f"every query worker stayed busy for {self.timeout:g} s") from None
        proc, conn = worker
        reply = None
        try:
            conn.send((query, result_format, graph_format))
            if conn.poll(max(0.0, deadline - time.monotonic())):
                reply = conn.recv()
        except (EOFError, OSError):
            raise RuntimeError("a query worker died while answering") from None  # 500, not a timeout
        finally:  # a worker that did not answer (timeout, death, bad reply) is replaced, never reused
            if reply is None:
                self._replace(worker)
            else:
                self._idle.put(worker)
        if reply is None:
            raise QueryTimeout(f"the query ran longer than the time limit of {self.timeout:g} s and was stopped")
        if isinstance(reply, Failure):
            raise reply
        return reply

    def close(self) -> None:
        self._closed = True
        with self._lock:
            workers = list(self._all)
        for w in workers:
            self._kill(w)


if __name__ == "__main__":
    from kg.workers import _worker_main as main  # the classes it sends must be kg.workers', not __main__'s

    main(Connection(int(sys.argv[1])))
