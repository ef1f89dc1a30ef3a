"""The main job: build the graph from the sources and write every output into one folder."""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from .build import GRAPH_FILE, BuildResult, build_graph, write_graph
from .errors import ValidationFailed
from .export import write_exports
from .ns import DEFAULT_BASE
from .validate import validate_graph
from .viz import write_viz

Echo = Callable[[str], None]


def ensure_graph(graph_path: str | Path | None, *, sources=None, out="build", base=DEFAULT_BASE,
                 echo: Echo = lambda s: None) -> Path:
    """The path of a built graph, building it into `out` first when no graph file is there."""
    path = Path(graph_path) if graph_path else Path(out) / GRAPH_FILE
    if graph_path and not path.exists():
        from .errors import KGError

        raise KGError("no graph file here", path=path)
    if not path.exists():
        echo(f"{path} is missing: building it first")
        result = build_graph(sources, base=base)
        write_graph(result, path.parent)
    return path


def run_all(sources=None, out: str | Path = "build", *, base: str = DEFAULT_BASE,
            echo: Echo = lambda s: None) -> BuildResult:
    """Build, validate and write every output into `out`. Raises on the first failure."""
    out = Path(out)
    echo("building the graph from the sources")
    result = build_graph(sources, base=base)
    echo("validating (SHACL shapes and budget arithmetic)")
    report = validate_graph(result.graph)
    if not report.conforms:
        raise ValidationFailed("the graph breaks " + "; ".join(str(v) for v in report.violations[:5]))
    path = write_graph(result, out)
    echo(f"wrote {path} ({len(result.graph):,} triples)")
    written = write_exports(result.graph, out, base=base)
    echo(f"wrote the exports, dataset description and ontology documentation: "
         f"{', '.join(p.name for p in written)}")
    written = write_viz(result.graph, out / "viz")
    echo(f"wrote {len(written)} pages and graph files into {out / 'viz'}")
    return result


def graph_base(graph) -> str:
    """The base IRI a loaded graph's resources were minted under (its `id:` prefix)."""
    return next((str(ns) for prefix, ns in graph.namespaces() if prefix == "id"), DEFAULT_BASE)
