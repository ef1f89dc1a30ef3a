"""sankey.html: the money's path from the state through AMED to programs and components, per fiscal year.

Plain SVG written here (no chart library, nothing loaded from elsewhere). Band widths are the allocations;
the part of a total its parts do not explain is a band of its own, so widths add up at every node. Where the
document names a hub or a recipient but no amount, a dashed line leads to it.

>>> from kg.build import build_graph
>>> from kg.viz import flow_network
>>> s = sankey_layout(flow_network(build_graph().graph), "fy2022_request")
>>> sum(l["value"] for l in s["links"] if l["source"] == "organisation/amed") == 58_600_000_000
True
"""
from __future__ import annotations

import html

import networkx as nx

from .viz import KINDS, _render, _year_label, amount_keys

COLUMNS = (10, 210, 420, 740, 1090)
NODE_W = 14
WIDTH = 1500
HEIGHT = 620  # the agency's column at full scale
SLOT = 19  # minimum vertical room per node, for its label
GREY = "#b9b9b9"


def _yen(d: dict, key: str) -> int:
    return int(d.get(f"{key}_yen", 0))


def sankey_layout(G: nx.MultiDiGraph, key: str) -> dict:
    """Nodes (column, value, position) and links (value, or stated without an amount) for one year-kind key."""
    nodes: dict[str, dict] = {}
    links: list[dict] = []

    def node(nid, col, ja, en, value=0, *, kind="", source="", text=""):
        if nid not in nodes:
            nodes[nid] = {"id": nid, "col": col, "ja": ja, "en": en, "value": value, "kind": kind,
                          "source": source, "text": text, "order": len(nodes)}
        return nodes[nid]

    def from_graph(nid, col):
        d = G.nodes[nid]
        return node(nid, col, d["label_ja"], d["label_en"], _yen(d, key), kind=d["kind"],
                    source=d.get(f"{key}_source", ""), text=d.get(f"{key}_text", ""))

    def out(u, kind):
        return sorted({v for _, v, e in G.out_edges(u, data=True) if e["kind"] == kind})

    for agency in sorted(n for n, d in G.nodes(data=True) if d["kind"] == "agency" and _yen(d, key)):
        a = from_graph(agency, 1)
        funders = sorted(u for u, _, e in G.in_edges(agency, data=True) if e["kind"] == "flow"
                         and G.nodes[u]["kind"] == "government")
        if funders:
            from_graph(funders[0], 0)["value"] = a["value"]
            links.append({"source": funders[0], "target": agency, "value": a["value"]})
        programs = sorted((p for p in out(agency, "manages") if _yen(G.nodes[p], key)),
                          key=lambda p: (-_yen(G.nodes[p], key), p))
        for p in programs:
            from_graph(p, 2)
            links.append({"source": agency, "target": p, "value": nodes[p]["value"]})
        # The graph states the agency's remainder; computing it is the fallback for graphs without one.
        rest = G.nodes[agency].get(f"{key}_unexplained_yen", a["value"] - sum(nodes[p]["value"] for p in programs))
        if rest > 0:
            node(f"{agency}#rest", 2, "本資料で事業別の記載がない額", "not itemised by program in this document",
                 rest, kind="rest")
            links.append({"source": agency, "target": f"{agency}#rest", "value": rest})
        for p in programs:
            _program(G, key, p, agency, nodes, links, from_graph, node, out)
    _place(nodes, links)
    return {"key": key, "nodes": sorted(nodes.values(), key=lambda n: n["order"]), "links": links}


def _program(G, key, p, agency, nodes, links, from_graph, node, out) -> None:
    parts = [c for c in out(p, "has_part") if G.nodes[c]["kind"] in ("component", "program")]
    paid = sorted((c for c in parts if _yen(G.nodes[c], key)), key=lambda c: (-_yen(G.nodes[c], key), c))
    for c in paid:
        from_graph(c, 3)
        links.append({"source": p, "target": c, "value": nodes[c]["value"]})
    if paid:
        rest = G.nodes[p].get(f"{key}_unexplained_yen", nodes[p]["value"] - sum(nodes[c]["value"] for c in paid))
        if rest > 0:
            node(f"{p}#rest", 3, "内訳で説明されない額", "not explained by its parts", rest, kind="rest")
            links.append({"source": p, "target": f"{p}#rest", "value": rest})
    for c in sorted(set(parts) - set(paid)):
        if G.nodes[c]["kind"] == "component":
            from_graph(c, 3)
            links.append({"source": p, "target": c, "value": 0, "stated": "内訳（金額の記載なし） / part, no amount stated"})
    shown = [c for c in parts if c in nodes]
    for holder in [p] + shown:
        for hub in out(holder, "funds_hub"):
            from_graph(hub, 4)
            links.append({"source": holder, "target": hub, "value": 0, "stated": "拠点 / hub"})
    for _, r, e in sorted(G.out_edges(agency, data=True), key=lambda x: x[2].get("iri", "")):
        if e["kind"] != "flow" or e.get("program") != p:
            continue
        targets = [c for c in e.get("components", "").split() if c in nodes] or [p]
        from_graph(r, 4)
        for t in targets:
            links.append({"source": t, "target": r, "value": 0,
                          "stated": f"{e.get('instrument_ja', '')} / {e.get('instrument', '')}"})


def _place(nodes: dict, links: list) -> None:
    """Stack each column top-down, parts next to their parent; heights proportional to the value."""
    top = max((n["value"] for n in nodes.values() if n["col"] == 1), default=1) or 1
    scale = HEIGHT / top
    parent = {}
    for link in links:
        parent.setdefault(link["target"], link["source"])
    for col in range(5):
        cursor = 30.0
        for n in sorted((n for n in nodes.values() if n["col"] == col), key=lambda n: n["order"]):
            n["h"] = max(2.0, n["value"] * scale) if n["value"] else 6.0
            p = nodes.get(parent.get(n["id"], ""))
            want = p["y"] if p is not None and "y" in p else cursor
            n["y"] = round(max(cursor, want), 1)
            n["x"] = COLUMNS[col]
            cursor = n["y"] + max(n["h"], SLOT) + 4
    out_at = {nid: n["y"] for nid, n in nodes.items()}
    in_at = dict(out_at)
    for link in links:
        s, t = nodes[link["source"]], nodes[link["target"]]
        if link["value"]:
            h = link["value"] * scale
            link["y0"], link["y1"], link["h"] = round(out_at[s["id"]], 1), round(in_at[t["id"]], 1), round(h, 1)
            out_at[s["id"]] += h
            in_at[t["id"]] += h
        else:
            link["y0"], link["y1"] = round(s["y"] + s["h"] / 2, 1), round(t["y"] + t["h"] / 2, 1)


def _short(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _money(yen: int) -> str:
    return f"{yen / 1e6:,.0f}百万円"


def _svg(layout: dict) -> str:
    e = html.escape
    nodes = {n["id"]: n for n in layout["nodes"]}
    height = max((n["y"] + max(n["h"], SLOT) for n in nodes.values()), default=100) + 30
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height:.0f}" '
             f'width="{WIDTH}" height="{height:.0f}" role="img" data-key="{e(layout["key"])}">']
    for link in layout["links"]:
        s, t = nodes[link["source"]], nodes[link["target"]]
        x0, x1 = s["x"] + NODE_W, t["x"]
        xm = (x0 + x1) / 2
        title = f"{s['ja']} → {t['ja']}\n{s['en']} → {t['en']}\n"
        if link["value"]:
            y0, y1, h = link["y0"], link["y1"], link["h"]
            colour = KINDS.get(t["kind"], (None, GREY))[1]
            title += f"{_money(link['value'])} (¥{link['value']:,})"
            parts.append(f'<path class="link" data-value="{link["value"]}" fill="{colour}" '
                         f'd="M{x0},{y0} C{xm},{y0} {xm},{y1} {x1},{y1} L{x1},{y1 + h:.1f} '
                         f'C{xm},{y1 + h:.1f} {xm},{y0 + h:.1f} {x0},{y0 + h:.1f} Z"><title>{e(title)}</title></path>')
        else:
            title += f"{link['stated']}: 金額の記載なし / no amount stated"
            parts.append(f'<path class="stated" d="M{x0},{link["y0"]} C{xm},{link["y0"]} {xm},{link["y1"]} '
                         f'{x1},{link["y1"]}"><title>{e(title)}</title></path>')
    limit = {0: 30, 1: 30, 2: 17, 3: 20, 4: 30}  # characters that fit before the next column
    for n in layout["nodes"]:
        colour = GREY if n["kind"] in ("rest", "") else KINDS[n["kind"]][1]
        amount = f" {_money(n['value'])}" if n["value"] else ""
        title = f"{n['ja']}\n{n['en']}"
        if n["value"]:
            title += f"\n{_money(n['value'])} (¥{n['value']:,})" + (f" — 「{n['text']}」" if n["text"] else "")
        if n["source"]:
            title += "\n" + n["source"].replace(" | ", "\n").replace("L", "line ", 1)
        parts.append(f'<g class="node" data-id="{e(n["id"])}"><title>{e(title)}</title>'
                     f'<rect x="{n["x"]}" y="{n["y"]}" width="{NODE_W}" height="{n["h"]:.1f}" fill="{colour}"/>')
        # The first two columns are one tall box each: the state's label above it, the agency's below.
        tx, ty = (n["x"] + NODE_W + 4, n["y"] + min(n["h"], SLOT) / 2 + 4)
        if n["col"] < 2:
            tx, ty = n["x"], (n["y"] - 6 if n["col"] == 0 else n["y"] + n["h"] + 16)
        for lang in ("ja", "en"):
            label = _short(n[lang], int(limit[n["col"]] * (1.6 if lang == "en" else 1))) + amount
            parts.append(f'<text class="{lang}" x="{tx}" y="{ty:.1f}">{e(label)}</text>')
        parts.append("</g>")
    parts.append("</svg>")
    return "".join(parts)


def sankey_html(G: nx.MultiDiGraph) -> str:
    """The Sankey page, one section per fiscal year and budget kind, with a picker and a language switch."""
    sections, years = [], []
    for i, key in enumerate(amount_keys(G)):
        layout = sankey_layout(G, key)
        if not layout["links"]:
            continue
        label = _year_label(key)
        years.append(label)
        hidden = " hidden" if sections else ""
        sections.append(f'<section data-key="{html.escape(key)}"{hidden}><h2><span class="ja">{html.escape(label["ja"])}'
                        f'</span><span class="en">{html.escape(label["en"])}</span></h2>{_svg(layout)}</section>')
    options = "".join(f'<option value="{html.escape(y["key"])}" data-ja="{html.escape(y["ja"])}" '
                      f'data-en="{html.escape(y["en"])}">{html.escape(y["ja"])}</option>' for y in years)
    return _render("sankey", G, {"years": years}, title_ja="資金の流れ（サンキー図）", title_en="Funding flows: Sankey",
                   body="".join(sections), controls=options, with_vis=False)
