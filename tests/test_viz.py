"""The flow network, its graph files and pages: values from the document, self-contained, escaped, deterministic."""
from __future__ import annotations

import re
from decimal import Decimal
from html.parser import HTMLParser

import networkx as nx
import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS

from kg.cli import main
from kg.sankey import sankey_layout
from kg.viz import FILES, flow_network, gexf_bytes, graphml_bytes, write_viz

XSS = "<img src=x onerror=alert(1)>"
ID = "https://w3id.org/funding-kg/id/"


@pytest.fixture(scope="module")
def G(graph):
    return flow_network(graph)


@pytest.fixture(scope="module")
def viz_dir(graph, tmp_path_factory):
    out = tmp_path_factory.mktemp("viz")
    write_viz(graph, out)
    return out


@pytest.fixture(scope="module")
def hostile_dir(graph, tmp_path_factory):
    """The pages of a copy of the graph in which the regenerative-medicine program's labels are markup."""
    g = Graph()
    g += graph
    s = URIRef(ID + "program/regenerative-medicine")
    g.remove((s, RDFS.label, None))
    g.add((s, RDFS.label, Literal(XSS, lang="ja")))
    g.add((s, RDFS.label, Literal("</script><script>alert(2)</script>", lang="en")))
    out = tmp_path_factory.mktemp("hostile")
    write_viz(g, out)
    return out


# --- the projection -------------------------------------------------------------------------------------------

def test_projection_has_every_funder_program_component_hub_and_institution(G):
    kinds = {}
    for _, d in G.nodes(data=True):
        kinds[d["kind"]] = kinds.get(d["kind"], 0) + 1
    # 3 government bodies (state, MEXT, MHLW), AMED, section 6, 14 programs, 15 components + 2 parts, 15 hubs
    assert kinds == {"government": 3, "agency": 1, "section": 1, "program": 14, "component": 17, "hub": 15,
                     "institution": 8, "group": 3}
    edge_kinds = {}
    for *_, d in G.edges(data=True):
        edge_kinds[d["kind"]] = edge_kinds.get(d["kind"], 0) + 1
    assert edge_kinds["flow"] == 16
    assert edge_kinds["manages"] == 12


def test_program_amounts_and_change_are_the_documents(G):
    regen = G.nodes["program/regenerative-medicine"]
    assert regen["fy2022_request_yen"] == 9_066_000_000 and regen["fy2021_initial_yen"] == 9_066_000_000
    assert regen["fy2022_request_text"] == "9,066百万円"
    assert "L27: 9,066百万円（9,066百万円）" in regen["fy2022_request_source"]
    assert regen["fy2022_request_unexplained_yen"] == 336_000_000
    eid = G.nodes["program/emerging-infections"]
    assert eid["change_yen"] == 2_871_000_000 - 3_738_000_000
    assert eid["change_percent"] == -23.2
    vaccine = G.nodes["program/vaccine-hubs"]
    assert vaccine["fy2021_supplementary_yen"] == 51_500_000_000
    assert vaccine["fy2021_supplementary_qualifiers"] == "fund"
    assert G.nodes["organisation/amed"]["fy2022_request_yen"] == 58_600_000_000
    assert G.nodes["organisation/amed"]["label_ja"] == "日本医療研究開発機構"


def test_flow_edges_carry_instrument_program_and_source(G):
    regen = G.edges["organisation/mext", "organisation/amed", "flow/regen-state-amed"]
    assert (regen["instrument"], regen["instrument_ja"]) == ("subsidy", "補助金")
    assert regen["program"] == "program/regenerative-medicine"
    assert regen["source"] == "L261: 【事業スキーム】 国 AMED | L263: 補助金"
    assert regen["fy2022_request_yen"] == 9_066_000_000 and regen["amount_of"] == "program/regenerative-medicine"
    nagasaki = G.edges["organisation/amed", "organisation/nagasaki-university", "flow/eid-amed-nagasaki"]
    assert nagasaki["instrument_ja"] == "補助" and nagasaki["components"] == "program/eid-bsl4"
    assert "長崎大学補助②" in nagasaki["source"] and "interpretation" in nagasaki
    # the component has no amount of its own, so neither does the flow (not the whole program's)
    assert not [k for k in nagasaki if k.endswith("_yen")]
    assert G.has_edge("program/regen-ips-core", "hub/ips-core-hub", "funds/hub/ips-core-hub")
    assert G.has_edge("hub/ips-core-hub", "organisation/cira", "host/hub/ips-core-hub")


def test_attributes_are_strings_and_numbers_only(G):
    items = [d for _, d in G.nodes(data=True)] + [d for *_, d in G.edges(data=True)] + [G.graph]
    for d in items:
        for key, value in d.items():
            assert type(value) in (str, int, float), (key, value)
            assert not isinstance(value, (Decimal, bool))


def test_programs_of_each_node_follow_the_money(G):
    assert G.nodes["organisation/nagasaki-university"]["programs"] == "program/emerging-infections"
    assert "program/b-cure" in G.nodes["program/data-platform-program"]["programs"].split()
    assert "program/regenerative-medicine" in G.nodes["organisation/cira"]["programs"].split()


# --- graph files ----------------------------------------------------------------------------------------------

def test_graphml_and_gexf_parse_back_with_every_node_and_edge(G, viz_dir):
    back = nx.read_graphml(viz_dir / "flows.graphml", force_multigraph=True)
    assert (back.number_of_nodes(), back.number_of_edges()) == (G.number_of_nodes(), G.number_of_edges())
    assert back.nodes["program/brain"]["fy2022_request_yen"] == 6_094_000_000
    assert back.graph["rights_ja"].startswith("出典：文部科学省")
    gexf = nx.read_gexf(viz_dir / "flows.gexf")
    assert (gexf.number_of_nodes(), gexf.number_of_edges()) == (G.number_of_nodes(), G.number_of_edges())
    assert gexf.nodes["program/brain"]["fy2021_initial_yen"] == 6_094_000_000
    assert gexf.nodes["program/brain"]["label"] == "Brain and Mind Research Program"
    assert b"lastmodifieddate" not in (viz_dir / "flows.gexf").read_bytes()


def test_same_graph_gives_byte_identical_files(graph, viz_dir, tmp_path):
    write_viz(graph, tmp_path)
    for name in FILES:
        assert (tmp_path / name).read_bytes() == (viz_dir / name).read_bytes(), name


def test_files_do_not_depend_on_node_insertion_order(G):
    shuffled = nx.MultiDiGraph(**G.graph)
    shuffled.add_nodes_from(reversed(list(G.nodes(data=True))))
    shuffled.add_edges_from(reversed(list(G.edges(keys=True, data=True))))
    assert graphml_bytes(shuffled) == graphml_bytes(G)
    assert gexf_bytes(shuffled) == gexf_bytes(G)


# --- pages as files -------------------------------------------------------------------------------------------

class Tags(HTMLParser):
    """Every tag with its attributes, and the text of style elements (script bodies are not parsed as tags)."""

    def __init__(self, text):
        super().__init__()
        self.tags, self.styles, self._in_style = [], [], False
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_style = tag == "style"

    def handle_data(self, data):
        if self._in_style:
            self.styles.append(data)
            self._in_style = False


@pytest.mark.parametrize("name", ["flows.html", "sankey.html"])
def test_pages_load_nothing_from_another_host(viz_dir, name):
    text = (viz_dir / name).read_text(encoding="utf-8")
    page = Tags(text)
    assert not [t for t, _ in page.tags if t in ("link", "iframe", "img", "object", "embed", "base")]
    assert [a["src"] for t, a in page.tags if t == "script" and "src" in a] == []
    assert [a for _, a in page.tags for k in ("src", "href", "action") if k in a] == []
    assert not [s for s in page.styles if re.search(r"@import|url\(\s*[\"']?(https?:)?//", s)]
    assert ("script-src 'unsafe-inline'" in text) and "default-src 'none'" in text  # CSP forbids any fetch
    assert "出典：文部科学省「令和4年度予算額（案） ６．健康・医療分野の研究開発の推進」を加工して作成" in text
    assert "Licence: Data: facts derived from MEXT&#x27;s publication, reused with attribution" in text
    assert "Code that builds it: MIT." in text


def test_flows_page_inlines_vis_network(viz_dir):
    text = (viz_dir / "flows.html").read_text(encoding="utf-8")
    assert "vis-network" in text and "@version 9.1.2" in text


def test_markup_in_the_data_is_escaped_in_the_files(hostile_dir):
    for name in ("flows.html", "sankey.html"):
        text = (hostile_dir / name).read_text(encoding="utf-8")
        assert XSS not in text and "<script>alert(2)" not in text
    assert "&lt;img src=x onerror=alert(1)&gt;" in (hostile_dir / "sankey.html").read_text(encoding="utf-8")


# --- the Sankey's arithmetic ----------------------------------------------------------------------------------

def _outflow(layout, node):
    return sum(link["value"] for link in layout["links"] if link["source"] == node)


def test_sankey_widths_add_up_at_every_node(G):
    for key in ("fy2022_request", "fy2021_initial", "fy2021_supplementary"):
        layout = sankey_layout(G, key)
        for n in layout["nodes"]:
            out = _outflow(layout, n["id"])
            if out:
                assert out == n["value"], (key, n["id"])
    request = sankey_layout(G, "fy2022_request")
    values = {n["id"]: n["value"] for n in request["nodes"]}
    assert values["organisation/mext"] == values["organisation/amed"] == 58_600_000_000
    assert values["organisation/amed#rest"] == 58_600_000_000 - 49_992_000_000  # AMED minus its listed programs
    assert values["program/regenerative-medicine#rest"] == 336_000_000
    assert values["program/b-cure#rest"] == 360_000_000
    supplementary = sankey_layout(G, "fy2021_supplementary")
    assert [(link["source"], link["target"], link["value"]) for link in supplementary["links"] if link["value"]] == [
        ("organisation/mext", "organisation/amed", 51_500_000_000),
        ("organisation/amed", "program/vaccine-hubs", 51_500_000_000)]


def test_sankey_names_recipients_the_document_gives_without_amounts(G):
    stated = {(link["source"], link["target"]): link["stated"]
              for link in sankey_layout(G, "fy2022_request")["links"] if not link["value"]}
    assert stated[("program/eid-bsl4", "organisation/nagasaki-university")] == "補助 / subsidy (assistance)"
    assert ("program/regen-disease-hubs", "hub/heart-disease-hub") in stated
    assert ("program/regenerative-medicine", "organisation/universities") in stated


# --- command line and main job --------------------------------------------------------------------------------

def test_cli_viz_writes_the_four_files(graph_file, tmp_path):
    result = CliRunner().invoke(main, ["viz", "--out", str(tmp_path / "v"), "--graph", str(graph_file)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "v").iterdir()) == sorted(FILES)


def test_run_all_writes_viz(tmp_path):
    from kg.pipeline import run_all

    run_all(None, tmp_path)
    assert sorted(p.name for p in (tmp_path / "viz").iterdir()) == sorted(FILES)


# --- in Chromium ----------------------------------------------------------------------------------------------

class PageLog:
    """Console errors, page errors, dialogs and every request a page makes."""

    def __init__(self, page):
        self.errors, self.requests, self.dialogs = [], [], []
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("request", lambda r: self.requests.append(r.url))
        page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))

    def assert_clean(self):
        assert self.errors == []
        assert self.dialogs == []
        assert [u for u in self.requests if not u.startswith(("file://", "data:"))] == []


def _open(browser, path, *, network=True):
    page = browser.new_page()
    page.set_viewport_size({"width": 1500, "height": 1000})
    log = PageLog(page)
    page.goto(path.as_uri())
    if network:
        page.wait_for_function("window.fundkg && window.fundkg.ready === true")
    return page, log


@pytest.mark.slow
def test_flows_page_in_chromium(browser, viz_dir, G, artifacts):
    page, log = _open(browser, viz_dir / "flows.html")
    try:
        counts = page.evaluate("[fundkg.nodes.length, fundkg.edges.length, fundkg.nodeView.length, fundkg.edgeView.length]")
        assert counts == [G.number_of_nodes(), G.number_of_edges()] * 2
        assert page.evaluate("fundkg.nodes.get('organisation/amed').label") == "日本医療研究開発機構"
        page.screenshot(path=str(artifacts / "flows-ja.png"))

        # hover: the tooltip gives the amount in 百万円 and yen, and the source line
        xy = page.evaluate("(() => { const p = fundkg.network.canvasToDOM(fundkg.network.getPosition('program/regenerative-medicine'));"
                           " const r = document.getElementById('network').getBoundingClientRect(); return [p.x + r.left, p.y + r.top]; })()")
        page.mouse.move(*xy)
        tip = page.wait_for_selector("div.vis-tooltip", state="visible")
        text = tip.inner_text()
        assert "9,066百万円 (¥9,066,000,000)" in text and "出典 27" in text
        page.screenshot(path=str(artifacts / "flows-tooltip.png"))
        page.mouse.move(5, 5)
        assert not page.locator("div.vis-tooltip").is_visible()

        # search
        page.fill("#search", "長崎")
        expected = sorted(n for n, d in G.nodes(data=True)
                          if "長崎" in (d["label_ja"] + d["label_en"] + n).lower())
        assert sorted(page.evaluate("fundkg.network.getSelectedNodes()")) == expected
        assert "organisation/nagasaki-university" in expected and "hub/nagasaki-bsl4" in expected
        page.screenshot(path=str(artifacts / "flows-search.png"))
        page.fill("#search", "")

        # filter by program, then by fiscal year
        page.select_option("#program", "program/emerging-infections")
        shown = sorted(page.evaluate("fundkg.nodeView.getIds()"))
        assert shown == sorted(n for n, d in G.nodes(data=True)
                               if "program/emerging-infections" in d["programs"].split())
        assert "organisation/nagasaki-university" in shown and "program/b-cure" not in shown
        page.select_option("#program", "all")
        page.select_option("#year", "fy2021_supplementary")
        shown = set(page.evaluate("fundkg.nodeView.getIds()"))
        assert "program/vaccine-hubs" in shown and "program/brain" not in shown
        assert "organisation/universities" in shown  # no amount of its own: not hidden by the year
        page.select_option("#year", "all")

        # language switch
        page.click("#lang")
        assert page.evaluate("fundkg.nodes.get('organisation/amed').label") == "Japan Agency for Medical Research and Development"
        assert page.inner_text("#lang") == "日本語"
        assert page.evaluate("document.documentElement.lang") == "en"
        page.screenshot(path=str(artifacts / "flows-en.png"))
        page.click("#lang")
        assert page.evaluate("fundkg.nodes.get('organisation/amed').label") == "日本医療研究開発機構"
        log.assert_clean()
    finally:
        page.close()


@pytest.mark.slow
def test_sankey_page_in_chromium(browser, viz_dir, G, artifacts):
    page, log = _open(browser, viz_dir / "sankey.html", network=False)
    try:
        for key in ("fy2022_request", "fy2021_initial", "fy2021_supplementary"):
            page.select_option("#year", key)
            section = page.locator(f'section[data-key="{key}"]')
            assert section.is_visible()
            solid = [link for link in sankey_layout(G, key)["links"] if link["value"]]
            assert section.locator("path.link").count() == len(solid)
            page.screenshot(path=str(artifacts / f"sankey-{key}.png"), full_page=True)
        page.select_option("#year", "fy2022_request")
        amed = page.locator('section[data-key="fy2022_request"] g[data-id="organisation/amed"] text.ja')
        assert amed.is_visible() and amed.text_content() == "日本医療研究開発機構 58,600百万円"
        page.click("#lang")
        en = page.locator('section[data-key="fy2022_request"] g[data-id="organisation/amed"] text.en')
        assert en.is_visible() and not amed.is_visible()
        assert "Japan Agency for Medical" in en.text_content()
        page.screenshot(path=str(artifacts / "sankey-en.png"), full_page=True)
        assert "出典：文部科学省" in page.inner_text("footer")
        log.assert_clean()
    finally:
        page.close()


@pytest.mark.slow
def test_markup_in_labels_runs_nothing_in_chromium(browser, hostile_dir, artifacts):
    page, log = _open(browser, hostile_dir / "flows.html")
    try:
        assert page.evaluate("fundkg.nodes.get('program/regenerative-medicine').label") == XSS
        page.evaluate("fundkg.showNode('program/regenerative-medicine')")
        assert XSS in page.inner_text("#details")
        xy = page.evaluate("(() => { const p = fundkg.network.canvasToDOM(fundkg.network.getPosition('program/regenerative-medicine'));"
                           " const r = document.getElementById('network').getBoundingClientRect(); return [p.x + r.left, p.y + r.top]; })()")
        page.mouse.move(*xy)
        assert XSS in page.wait_for_selector("div.vis-tooltip", state="visible").inner_text()
        page.click("#lang")
        page.fill("#search", "alert")
        assert page.evaluate("document.querySelectorAll('img').length") == 0
        page.screenshot(path=str(artifacts / "flows-hostile-label.png"))
        log.assert_clean()
    finally:
        page.close()
    page, log = _open(browser, hostile_dir / "sankey.html", network=False)
    try:
        label = page.locator('section[data-key="fy2022_request"] g[data-id="program/regenerative-medicine"] text.ja')
        assert label.text_content().startswith("<img src=x")
        assert page.evaluate("document.querySelectorAll('img, script[src]').length") == 0
        log.assert_clean()
    finally:
        page.close()
