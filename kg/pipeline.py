"""The main job: build the graph from the sources and write every output into one folder."""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from .build import GRAPH_FILE, BuildResult, build_graph, write_graph
from . import paths
from .errors import KGError, ValidationFailed
from .export import write_exports
from .ns import DEFAULT_BASE
from .validate import validate_graph
from .viz import write_viz

Echo = Callable[[str], None]


def ensure_graph(graph_path: str | Path | None, *, sources=None, out="build", base=DEFAULT_BASE,
                 echo: Echo = lambda s: None) -> Path:
    """The path of a built graph. Without an explicit path, the default graph file is built first when it is
    missing or older than any file of the sources, so that answers never come silently from stale facts."""
    if graph_path:
        path = Path(graph_path)
        if not path.exists():
            raise KGError("no graph file here", path=path)
        return path
    path = Path(out) / GRAPH_FILE
    if not path.exists():
        echo(f"{path} is missing: building it first")
    elif _newest_source(sources) > path.stat().st_mtime:
        echo(f"the sources changed after {path} was built: building it again")
    else:
        return path
    write_graph(build_graph(sources, base=base), path.parent)
    return path


def _newest_source(sources) -> float:
    folder = Path(sources) if sources else paths.sources_dir()
    return max((p.stat().st_mtime for p in folder.rglob("*") if p.is_file()), default=0.0)


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
