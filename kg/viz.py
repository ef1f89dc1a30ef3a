"""The funding flows as a NetworkX graph, and the files people look at: flows.html, sankey.html, GraphML, GEXF.

`flow_network(graph)` projects the RDF graph onto a `networkx.MultiDiGraph`: funders, programs, components,
hubs and institutions are nodes; funding flows, management, part-of, funded-under, hosting and cooperation
are edges pointing the way the money (or the authority) goes. Every attribute is a string, an int or a float,
so the graph can be written to GraphML and GEXF as it is.

>>> from kg.build import build_graph
>>> G = flow_network(build_graph().graph)
>>> G.nodes["program/regenerative-medicine"]["fy2022_request_yen"]
9066000000
>>> G.nodes["program/regenerative-medicine"]["change_yen"]
0
>>> sorted(k for _, _, k in G.edges("organisation/mext", keys=True))[:2]
['flow/bcure-state-amed', 'flow/binds-state-amed']
"""
from __future__ import annotations

import html
import io
import json
from collections import defaultdict
from pathlib import Path

import networkx as nx
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, ORG, RDF, RDFS, SKOS

from .build import write_atomic
from .eras import era_label
from .ns import FKG, KIND_LABELS, OA

ASSETS = Path(__file__).resolve().parent / "viz_assets"
FILES = ("flows.html", "sankey.html", "flows.graphml", "flows.gexf")

# Node kinds in layout order (left to right), with the classes that make them and their colours.
KINDS = {
    "government": (("State", "Ministry"), "#5b6770", ("国・省庁", "state and ministries")),
    "agency": (("FundingAgency",), "#d1495b", ("資金配分機関", "funding agency")),
    "section": (("Section",), "#8d6a9f", ("予算の項", "budget section")),
    "program": (("Program",), "#edae49", ("事業", "program")),
    "component": (("Component", "Part"), "#66a182", ("構成要素", "component")),
    "hub": (("Hub",), "#00798c", ("拠点", "hub")),
    "institution": (("University", "Hospital", "NationalResearchCenter", "ResearchInstitute", "Institution"),
                    "#2e4057", ("機関", "institution")),
    "group": (("InstitutionGroup",), "#9a8c98", ("機関群", "group of institutions")),
}
LAYER = {"government": 0, "agency": 1, "section": 1, "program": 2, "component": 3, "hub": 4, "institution": 5,
         "group": 5}
EDGE_KINDS = {
    "flow": ("資金の流れ", "funding flow"),
    "manages": ("管理", "manages"),
    "has_part": ("内訳", "has part"),
    "funds_hub": ("拠点の整備", "funds hub"),
    "hosted_by": ("拠点の設置機関", "hosted by"),
    "cooperates": ("連携", "cooperates with"),
    "reorganised": ("改組", "reorganised into"),
}
_CLASS_KIND = {FKG[c]: kind for kind, (classes, _, _) in KINDS.items() for c in classes}


def node_id(iri) -> str:
    """The short node id: the last two path segments of an IRI (`program/regenerative-medicine`)."""
    return "/".join(str(iri).rstrip("/").split("/")[-2:])


def _labels(g: Graph, s, prop=RDFS.label) -> tuple[str, str]:
    found = {o.language: str(o) for o in g.objects(s, prop) if getattr(o, "language", None)}
    plain = next((str(o) for o in g.objects(s, prop)), node_id(s))
    return found.get("ja", found.get("en", plain)), found.get("en", found.get("ja", plain))


def _evidence(g: Graph, s, limit: int = 3) -> str:
    """`L27: quote | L201: quote` from the resource's evidence spans, by line."""
    spans = []
    for span in g.objects(s, FKG.evidence):
        line = g.value(span, FKG.line)
        quote = next((str(q) for sel in g.objects(span, OA.hasSelector) for q in g.objects(sel, OA.exact)), "")
        spans.append((int(line) if line is not None else 0, quote))
    return " | ".join(f"L{line}: {quote}" for line, quote in sorted(spans)[:limit])


def _notation(g: Graph, term) -> str:
    value = g.value(term, SKOS.notation)
    return str(value) if value is not None else node_id(term).split("#")[-1]


def _amounts(g: Graph) -> dict[URIRef, dict]:
    """Attributes per budget item: fy<year>_<kind>_yen, its original text and source, and the change."""
    out: dict[URIRef, dict] = defaultdict(dict)
    for a in g.subjects(RDF.type, FKG.Allocation):
        item, yen = g.value(a, FKG.allocatedTo), g.value(a, FKG.amountYen)
        year = g.value(g.value(a, FKG.fiscalYear), FKG.year)
        if item is None or yen is None or year is None:
            continue
        key = f"fy{int(year)}_{_notation(g, g.value(a, FKG.budgetKind))}"
        attrs = out[item]
        attrs[key + "_yen"] = int(yen.toPython())
        attrs[key + "_text"] = str(g.value(a, FKG.originalText) or "")
        attrs[key + "_source"] = _evidence(g, a)
        flags = [f for f, p in (("approximate", FKG.approximate), ("upper bound", FKG.upperBound),
                                ("fund", FKG.isFund)) if g.value(a, p) is not None and g.value(a, p).toPython()]
        if flags:
            attrs[key + "_qualifiers"] = ", ".join(flags)
    for r in g.subjects(RDF.type, FKG.UnexplainedRemainder):
        item, yen = g.value(r, FKG.remainderOf), g.value(r, FKG.amountYen)
        year = g.value(g.value(r, FKG.fiscalYear), FKG.year)
        if item is not None and yen is not None and year is not None:
            kind = _notation(g, g.value(r, FKG.budgetKind))
            out[item][f"fy{int(year)}_{kind}_unexplained_yen"] = int(yen.toPython())
    for attrs in out.values():
        for key in [k for k in attrs if k.endswith("_request_yen")]:
            previous = f"fy{int(key[2:6]) - 1}_initial_yen"
            if previous in attrs:
                attrs["change_yen"] = attrs[key] - attrs[previous]
                if attrs[previous]:
                    attrs["change_percent"] = round(100 * attrs["change_yen"] / attrs[previous], 1)
    return {item: dict(sorted(attrs.items())) for item, attrs in out.items()}


def amount_fields(d: dict) -> list[str]:
    """The year-kind keys an attribute dict has an amount for: ['fy2021_initial', 'fy2022_request']."""
    return [k[:-4] for k in d if k.startswith("fy") and k.endswith("_yen") and not k.endswith("_unexplained_yen")]


def amount_keys(G: nx.MultiDiGraph) -> list[str]:
    """The fiscal year and budget kind pairs the graph has amounts for, newest first: ['fy2022_request', ...]."""
    keys = {k for _, d in G.nodes(data=True) for k in amount_fields(d)}
    order = {"request": 0, "initial": 1, "supplementary": 2}
    return sorted(keys, key=lambda k: (-int(k[2:6]), order.get(k[7:], 9), k))


def _copy_amounts(attrs: dict) -> dict:
    return {k: v for k, v in attrs.items()
            if (k.startswith("fy") and "_unexplained_" not in k) or k.startswith("change_")}


def _metadata(g: Graph) -> dict:
    doc = next(iter(sorted(g.subjects(RDF.type, FKG.SourceDocument))), None)
    dataset = next(iter(sorted(g.subjects(DCTERMS.source, doc))), None) if doc is not None else None
    meta = {"document": "", "title_ja": "", "title_en": "", "rights_ja": "", "rights_en": "", "license": ""}
    if doc is not None:
        meta["document"] = str(g.value(doc, DCTERMS.identifier) or node_id(doc))
        meta["title_ja"], meta["title_en"] = _labels(g, doc, DCTERMS.title)
        meta["rights_ja"], meta["rights_en"] = _labels(g, doc, DCTERMS.rights)
    licence = g.value(dataset, DCTERMS.license) if dataset is not None else None
    if licence is not None:
        meta["license_ja"], meta["license_en"] = _labels(g, licence, RDFS.label)
        meta["license"] = meta["license_en"] or str(licence)
    return meta


def flow_network(graph: Graph) -> nx.MultiDiGraph:
    """Project the funding graph onto a MultiDiGraph (see the module docstring). Does not change `graph`."""
    g = graph
    G = nx.MultiDiGraph(**_metadata(g))
    amounts = _amounts(g)
    subjects = sorted({s for cls in _CLASS_KIND for s in g.subjects(RDF.type, cls)})
    for s in subjects:
        classes = sorted(str(c) for c in g.objects(s, RDF.type) if c in _CLASS_KIND)
        kind = min((_CLASS_KIND[URIRef(c)] for c in classes), key=lambda k: list(KINDS).index(k))
        ja, en = _labels(g, s)
        attrs = {"kind": kind, "label": en, "label_ja": ja, "label_en": en, "iri": str(s),
                 "rdf_class": " ".join(c.split("#")[-1] for c in classes), "source": _evidence(g, s)}
        for prop, name in ((FKG.interpretation, "interpretation"), (FKG.hubType, "hub_type")):
            value = g.value(s, prop)
            if value is not None:
                attrs[name] = _labels(g, value, SKOS.prefLabel)[1] if name == "hub_type" else str(value)
        number = g.value(s, FKG.componentNumber)
        if number is not None:
            attrs["component_number"] = int(number)
        attrs.update(amounts.get(s, {}))
        G.add_node(node_id(s), **attrs)

    def edge(u, v, key, kind, **attrs):
        if node_id(u) in G and node_id(v) in G:
            G.add_edge(node_id(u), node_id(v), key=key, kind=kind, **{k: x for k, x in attrs.items() if x != ""})

    for f in sorted(g.subjects(RDF.type, FKG.FundingFlow)):
        program, components = g.value(f, FKG.viaProgram), sorted(g.objects(f, FKG.forComponent))
        instrument = g.value(f, FKG.instrument)
        ins_ja, ins_en = _labels(g, instrument, SKOS.prefLabel) if instrument is not None else ("", "")
        money = _copy_amounts(amounts.get(program, {})) if not components else _sum_amounts(
            [amounts.get(c, {}) for c in components])
        ja, en = _labels(g, f)
        edge(g.value(f, FKG.funder), g.value(f, FKG.recipient), node_id(f), "flow", label_ja=ja, label_en=en,
             instrument=ins_en, instrument_ja=ins_ja, program=node_id(program) if program else "",
             components=" ".join(node_id(c) for c in components), iri=str(f), source=_evidence(g, f),
             interpretation=str(g.value(f, FKG.interpretation) or ""),
             amount_of=" ".join(node_id(c) for c in components) or (node_id(program) if program else ""),
             **money)
    for item, agency in sorted(g.subject_objects(FKG.managedBy)):
        edge(agency, item, f"manages/{node_id(item).split('/')[-1]}", "manages", amount_of=node_id(item),
             **_copy_amounts(amounts.get(item, {})))
    for part, whole in sorted(set(g.subject_objects(FKG.partOf)) | set(g.subject_objects(ORG.subOrganizationOf))):
        edge(whole, part, f"part/{node_id(part)}", "has_part", amount_of=node_id(part),
             **_copy_amounts(amounts.get(part, {})))
    for hub, item in sorted(g.subject_objects(FKG.fundedUnder)):
        edge(item, hub, f"funds/{node_id(hub)}", "funds_hub")
    for hub, host in sorted(g.subject_objects(FKG.hostedBy)):
        edge(hub, host, f"host/{node_id(hub)}", "hosted_by")
    for item, other in sorted(g.subject_objects(FKG.cooperatesWith)):
        edge(item, other, f"cooperates/{node_id(item)}/{node_id(other)}", "cooperates")
    for new, old in sorted(g.subject_objects(FKG.reorganisedFrom)):
        edge(old, new, f"reorganised/{node_id(new)}", "reorganised")
    _mark_programs(G)
    return G


def _sum_amounts(parts: list[dict]) -> dict:
    """Amounts of several components added up, for the year-kinds every one of them has."""
    keys = set.intersection(*(set(amount_fields(p)) for p in parts)) if parts else set()
    return {f"{k}_yen": sum(p[f"{k}_yen"] for p in parts) for k in sorted(keys)}


def _mark_programs(G: nx.MultiDiGraph) -> None:
    """Give every node and edge `programs`: the top-level programs (space-separated) it belongs to."""
    parent = {v: u for u, v, d in G.edges(data=True) if d["kind"] == "has_part"}
    top = {n for n, d in G.nodes(data=True) if d["kind"] == "program"
           and G.nodes.get(parent.get(n), {}).get("kind") != "program"}

    def owner(n):
        seen = set()
        while n is not None and n not in seen:
            seen.add(n)
            if n in top:
                return n
            n = parent.get(n)
        return None

    node_programs: dict[str, set] = defaultdict(set)
    for u, v, k, d in G.edges(keys=True, data=True):
        kind = d["kind"]
        if kind == "flow":
            progs = {owner(d.get("program"))} if d.get("program") else set()
        elif kind in ("manages", "has_part", "funds_hub", "reorganised"):
            progs = {owner(v)} if kind != "funds_hub" else {owner(u)}
        elif kind == "cooperates":
            progs = {owner(u)}
        else:  # hosted_by: the programs of the hub
            progs = set()
        d["programs"] = sorted(p for p in progs if p)
        for n in (u, v):
            node_programs[n].update(d["programs"])
    for u, v, k, d in G.edges(keys=True, data=True):  # a host follows its hub; a parent body its part
        if not d["programs"]:
            d["programs"] = sorted(node_programs[u if d["kind"] == "hosted_by" else v])
    for n, d in G.nodes(data=True):
        mine = set(node_programs[n]) | ({n} if n in top else set())
        for _, _, e in list(G.in_edges(n, data=True)) + list(G.out_edges(n, data=True)):
            mine.update(e["programs"])
        d["programs"] = " ".join(sorted(mine))
    for _, _, d in G.edges(data=True):
        d["programs"] = " ".join(d["programs"])


def layered_positions(G: nx.MultiDiGraph, *, dx: float = 420.0, dy: float = 70.0,
                      per_column: int = 40) -> dict[str, tuple[float, float]]:
    """A deterministic layered layout: one layer per kind, left to right, ordered by the neighbours' places.

    A layer with more than `per_column` nodes wraps into several sub-columns, so that large graphs stay wide.
    """
    layers: dict[int, list[str]] = defaultdict(list)
    biggest = max((_max_amount(d) for _, d in G.nodes(data=True)), default=0)
    for n, d in sorted(G.nodes(data=True)):
        layers[LAYER[d["kind"]]].append(n)
    rank: dict[str, float] = {}
    undirected = {n: set(G.predecessors(n)) | set(G.successors(n)) for n in G}
    pos: dict[str, tuple[float, float]] = {}
    x0 = 0.0
    for layer in sorted(layers):
        nodes = layers[layer]

        def key(n):
            placed = [rank[m] for m in undirected[n] if m in rank]
            return (sum(placed) / len(placed) if placed else float("inf"), n)

        nodes.sort(key=key)
        cols = max(1, -(-len(nodes) // per_column))
        rows = -(-len(nodes) // cols)
        radius = [_size(_max_amount(G.nodes[n]), biggest) for n in nodes]
        for c in range(cols):  # stack each sub-column with room for the nodes' sizes, centred on y = 0
            chunk = list(range(c * rows, min(len(nodes), (c + 1) * rows)))
            ys, y = [], 0.0
            for j, i in enumerate(chunk):
                if j:
                    y += max(dy, radius[chunk[j - 1]] + radius[i] + 34)
                ys.append(y)
            for i, y in zip(chunk, ys):
                rank[nodes[i]] = i / max(1, len(nodes) - 1)
                pos[nodes[i]] = (round(x0 + c * dx * 0.6, 1), round(y - ys[-1] / 2, 1))
        x0 += dx + (cols - 1) * dx * 0.6
    return pos


# --- graph files -------------------------------------------------------------------------------------------

def _sorted_copy(G: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """Nodes, edges and attributes in sorted order: writers declare attributes in the order they meet them."""
    H = nx.MultiDiGraph(**dict(sorted(G.graph.items())))
    H.add_nodes_from((n, dict(sorted(d.items()))) for n, d in sorted(G.nodes(data=True)))
    H.add_edges_from((u, v, k, dict(sorted(d.items())))
                     for u, v, k, d in sorted(G.edges(keys=True, data=True), key=lambda e: (e[0], e[1], e[2])))
    return H


def graphml_bytes(G: nx.MultiDiGraph) -> bytes:
    buf = io.BytesIO()
    nx.write_graphml(_sorted_copy(G), buf, encoding="utf-8", prettyprint=True, named_key_ids=True)
    return buf.getvalue()


def gexf_bytes(G: nx.MultiDiGraph) -> bytes:
    """GEXF with Gephi's viz attributes (colour, size, position); no modification date, so it is deterministic."""
    from networkx.readwrite.gexf import GEXFWriter

    H = _sorted_copy(G)
    H.graph.clear()
    pos = layered_positions(G)
    biggest = max((_max_amount(d) for _, d in G.nodes(data=True)), default=0)
    for n, d in H.nodes(data=True):
        colour = KINDS[d["kind"]][1]
        r, gr, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
        d["viz"] = {"color": {"r": r, "g": gr, "b": b, "a": 1.0}, "size": _size(_max_amount(d), biggest),
                    "position": {"x": pos[n][0], "y": -pos[n][1], "z": 0.0}}
    for u, v, k, d in H.edges(keys=True, data=True):
        d["id"] = k
    writer = GEXFWriter(encoding="utf-8", prettyprint=True, version="1.2draft")
    meta = writer.xml.find("meta")
    meta.attrib.pop("lastmodifieddate", None)
    meta.find("creator").text = "funding-kg"
    from xml.etree.ElementTree import SubElement

    SubElement(meta, "description").text = f"{G.graph.get('rights_en', '')} / {G.graph.get('rights_ja', '')}"
    writer.add_graph(H)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def _max_amount(d: dict) -> int:
    return max((d[f"{k}_yen"] for k in amount_fields(d)), default=0)


def _size(amount: int, biggest: int) -> float:
    """Node radius: area in proportion to the amount (as the page's own script does)."""
    return round(8 + 42 * (amount / biggest) ** 0.5, 2) if amount and biggest else 8.0


# --- pages ---------------------------------------------------------------------------------------------------

def script_json(value) -> str:
    """JSON safe inside <script>: no '</', '<!--' or line separators that end or confuse the script element."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def vis_library() -> tuple[str, str]:
    """vis-network's JavaScript and CSS from pyvis's own bundled copy, to inline into the pages."""
    import pyvis

    lib = Path(pyvis.__file__).resolve().parent / "lib" / "vis-9.1.2"
    js = (lib / "vis-network.min.js").read_text(encoding="utf-8")
    css = (lib / "vis-network.css").read_text(encoding="utf-8")
    return js.replace("</script", "<\\/script"), css.replace("</style", "<\\/style")


def source_footer(G: nx.MultiDiGraph) -> str:
    """The source and licence paragraph every page carries (escaped)."""
    m = {k: html.escape(str(v)) for k, v in G.graph.items()}
    licence = f" Licence: {m['license']}" if m.get("license") else ""
    return (f'<footer id="source"><p><span lang="ja">{m.get("rights_ja", "")}</span><br>'
            f'<span lang="en">{m.get("rights_en", "")}</span></p>'
            f'<p>Source document: <cite lang="ja">{m.get("title_ja", "")}</cite> '
            f'(<code>{m.get("document", "")}</code>), published by MEXT (文部科学省), reused with attribution. '
            f'Graph and pages: funding-kg.{licence}</p></footer>')


def page_css() -> str:
    return (ASSETS / "page.css").read_text(encoding="utf-8")


def flows_html(G: nx.MultiDiGraph) -> str:
    """The interactive network page: one self-contained file (vis-network inlined, no external request)."""
    from pyvis.network import Network

    pos = layered_positions(G)
    net = Network(directed=True, cdn_resources="remote")
    # Fill pyvis's lists in one pass: Network.add_edge scans every existing edge (quadratic).
    keep = ("kind", "label_ja", "label_en", "iri", "source", "interpretation", "hub_type", "programs",
            "change_yen", "change_percent", "rdf_class")
    for n, d in sorted(G.nodes(data=True)):
        x, y = pos[n]
        net.nodes.append({"id": n, "label": d["label_ja"], "x": x, "y": y, "color": KINDS[d["kind"]][1],
                          "shape": "dot",
                          **{k: d[k] for k in keep if k in d},
                          "amounts": {k: _amount_info(d, k) for k in amount_fields(d)}})
        net.node_ids.append(n)
    for u, v, k, d in sorted(G.edges(keys=True, data=True), key=lambda e: (e[0], e[1], e[2])):
        net.edges.append({"id": k, "from": u, "to": v, "kind": d["kind"],
                          **{a: d[a] for a in ("label_ja", "label_en", "instrument", "instrument_ja", "program",
                                               "components", "source", "interpretation", "amount_of",
                                               "programs", "change_yen", "change_percent", "iri") if a in d},
                          "amounts": {k: _amount_info(d, k) for k in amount_fields(d)}})
    nodes, edges, *_ = net.get_network_data()
    programs = sorted((n for n, d in G.nodes(data=True) if d["kind"] == "program" and n in d["programs"].split()),
                      key=lambda n: G.nodes[n]["label_en"])
    data = {
        "nodes": nodes, "edges": edges, "kindOrder": list(KINDS),
        "kinds": {k: {"color": c, "ja": ja, "en": en} for k, (_, c, (ja, en)) in KINDS.items()},
        "edgeKinds": {k: {"ja": ja, "en": en} for k, (ja, en) in EDGE_KINDS.items()},
        "years": [_year_label(k) for k in amount_keys(G)],
        "programs": [{"id": p, "ja": G.nodes[p]["label_ja"], "en": G.nodes[p]["label_en"]} for p in programs],
    }
    return _render("flows", G, data, title_ja="資金の流れ（ネットワーク）", title_en="Funding flows: network")


def _amount_info(d: dict, key: str) -> dict:
    info = {"yen": d[key + "_yen"], "text": d.get(key + "_text", ""), "source": d.get(key + "_source", "")}
    if d.get(key + "_qualifiers"):
        info["qualifiers"] = d[key + "_qualifiers"]
    return info


def _year_label(key: str) -> dict:
    year, kind = int(key[2:6]), key[7:]
    ja, en = KIND_LABELS.get(kind, (kind, kind))
    return {"key": key, "ja": f"{era_label(year)}{ja}", "en": f"FY{year} {en}"}


def _render(name: str, G: nx.MultiDiGraph, data: dict, *, title_ja: str, title_en: str, body: str = "",
            controls: str = "", with_vis: bool = True) -> str:
    """Fill viz_assets/<name>.html: every value from the data is escaped, JSON goes in a script-safe form."""
    from string import Template

    js, css = vis_library() if with_vis else ("", "")
    template = Template((ASSETS / f"{name}.html").read_text(encoding="utf-8"))
    return template.substitute(
        title=html.escape(f"{title_ja} / {title_en}"), title_ja=html.escape(title_ja),
        title_en=html.escape(title_en), vis_css=css, page_css=page_css(), vis_js=js,
        data=script_json(data), body=body, controls=controls, footer=source_footer(G),
        doc_title_ja=html.escape(G.graph.get("title_ja", "")), doc_title_en=html.escape(G.graph.get("title_en", "")),
        script=(ASSETS / f"{name}.js").read_text(encoding="utf-8") if (ASSETS / f"{name}.js").exists() else "",
    )


def write_viz(graph: Graph, out: str | Path = "build/viz") -> list[Path]:
    """Write flows.html, sankey.html, flows.graphml and flows.gexf into `out`; return their paths."""
    from .sankey import sankey_html

    G = flow_network(graph)
    out = Path(out)
    contents = {"flows.html": flows_html(G).encode("utf-8"), "sankey.html": sankey_html(G).encode("utf-8"),
                "flows.graphml": graphml_bytes(G), "flows.gexf": gexf_bytes(G)}
    paths = []
    for name in FILES:
        write_atomic(out / name, contents[name])
        paths.append(out / name)
    return paths
