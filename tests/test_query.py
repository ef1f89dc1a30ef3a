"""The shipped queries answer with the document's figures; bad input gets a clear message and exit code 2."""
from __future__ import annotations

import doctest
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

import kg.query
from kg.cli import main
from kg.errors import QueryError
from kg.query import format_result, list_queries, load_query, parse_header, run_query, search_key

ROOT = Path(__file__).resolve().parent.parent
ID = "https://w3id.org/funding-kg/id/"
M = 1_000_000  # 百万円

SHIPPED = ["allocations", "calls", "components", "funding-paths", "hubs", "institution-funding", "instruments",
           "label-search", "policies", "program-amounts", "programs-in-year", "provenance", "year-over-year"]


def rows(store, name, **params):
    return run_query(name, {k: str(v) for k, v in params.items()}, store=store).records()


def by(records, key):
    return {r[key].removeprefix(ID) if isinstance(r[key], str) else r[key]: r for r in records}


# --- the catalogue ---------------------------------------------------------------------------------------------

def test_every_shipped_query_has_a_header_and_runs(store):
    queries = list_queries()
    assert [q.name for q in queries] == SHIPPED
    for q in queries:
        assert q.title and q.title_ja and q.description, q.name
        for p in q.params:
            assert p.description, (q.name, p.name)
        result = run_query(q, store=store)
        assert result.rows, f"{q.name} gives no rows with its defaults"


def test_queries_readme_lists_every_query_with_its_title():
    index = (ROOT / "queries" / "README.md").read_text(encoding="utf-8")
    for q in list_queries():
        assert f"[`{q.name}`]({q.name}.rq)" in index
        assert q.title in index and q.title_ja in index
    assert "fundkg queries" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_library_doctests():
    assert doctest.testmod(kg.query).failed == 0


# --- answers checked against the document ----------------------------------------------------------------------

def test_program_amounts_largest_first(store):
    result = rows(store, "program-amounts")
    amounts = [r["amount_yen"] for r in result]
    assert amounts == sorted(amounts, reverse=True)
    top = result[0]
    assert top["item"] == ID + "program/advanced-research"  # line 7: 10,619百万円
    assert top["amount_yen"] == 10_619 * M
    items = by(result, "item")
    assert items["program/regen-technology"]["amount_yen"] == 391 * M  # line 207
    assert items["program/regen-technology"]["number"] == 3
    assert items["program/regen-technology"]["program_ja"] == "再生医療実現拠点ネットワークプログラム"
    assert "program/section-6" not in items and "organisation/amed" not in items
    assert "program/vaccine-hubs" not in items  # only a FY2021 supplementary fund

    initial = by(rows(store, "program-amounts", year=2021, kind="initial"), "item")
    assert initial["program/emerging-infections"]["amount_yen"] == 3_738 * M  # line 57
    assert initial["program/medical-devices"]["amount_yen"] == 862 * M  # written "0,862百万円" on line 4
    supplementary = rows(store, "program-amounts", year=2021, kind="supplementary")
    assert [(r["item"], r["amount_yen"], r["fund"]) for r in supplementary] == [
        (ID + "program/vaccine-hubs", 51_500 * M, True)]  # line 43: 51,500百万円（基金）


def test_year_over_year_largest_decrease_first(store):
    result = rows(store, "year-over-year")
    first = result[0]
    assert first["label_ja"] == "新興・再興感染症研究基盤創生事業"
    assert (first["previous_yen"], first["current_yen"], first["change_yen"]) == (3_738 * M, 2_871 * M, -867 * M)
    assert first["change_percent"] == Decimal("-23.2")
    components = [r for r in result if r["type"] == "component"]
    assert components[0]["label_ja"] == "技術開発個別課題"  # line 207: 391百万円 （883百万円）
    assert (components[0]["previous_yen"], components[0]["current_yen"]) == (883 * M, 391 * M)
    assert components[0]["change_yen"] == -492 * M
    changes = [r["change_yen"] for r in result]
    assert changes == sorted(changes)
    items = by(result, "item")
    assert items["program/advanced-research"]["change_yen"] == 820 * M  # 9,799 → 10,619
    assert "program/regen-cell-gene-therapy" not in items  # no previous-year amount (line 272)


def test_components_and_unexplained_remainder(store):
    result = rows(store, "components", program="program/regenerative-medicine")
    assert {(r["total_yen"], r["unexplained_yen"]) for r in result} == {(9_066 * M, 336 * M)}  # 9,066 − 8,730
    assert [r["number"] for r in result] == [1, 2, 3, 4, 5, 6, 7]
    assert sum(r["part_yen"] for r in result) == 8_730 * M
    assert result[1]["part_ja"] == "疾患・組織別実用化研究拠点" and result[1]["part_yen"] == 2_741 * M
    assert result[1]["share_percent"] == Decimal("30.2")
    previous = rows(store, "components", program="program/regenerative-medicine", year=2021, kind="initial")
    assert {r["unexplained_yen"] for r in previous} == {347 * M}  # 9,066 − (2,700+3,000+883+618+1,158+360)
    assert len(previous) == 6  # ⑦ has no FY2021 amount

    bcure = rows(store, "components", program="program/b-cure")
    assert {r["unexplained_yen"] for r in bcure} == {360 * M}  # 4,924 − (1,495+2,459+255+355)
    assert {r["unexplained_yen"] for r in rows(store, "components", program="program/b-cure", year=2021,
                                                kind="initial")} == {0}
    every = {r["program"].removeprefix(ID) for r in rows(store, "components")}
    assert every == {"program/regenerative-medicine", "program/b-cure", "program/section-6"}


def test_funding_paths_from_the_state(store):
    result = rows(store, "funding-paths")
    assert len(result) == 16  # 6 programs with a scheme: 6 one-step paths to AMED, 10 two-step paths beyond
    assert {r["funder_1"] for r in result} == {ID + "organisation/mext"}
    assert {r["instrument_1"] for r in result} == {"subsidy"}  # 国 → AMED: 補助金
    nagasaki = rows(store, "funding-paths", recipient="organisation/nagasaki-university")
    assert len(nagasaki) == 1
    path = nagasaki[0]
    assert path["path_ja"] == "文部科学省 →補助金→ 日本医療研究開発機構 →補助→ 長崎大学"  # line 185: 長崎大学補助②
    assert (path["steps"], path["instrument_2"], path["components"]) == (2, "assistance", "2")
    eid = by(rows(store, "funding-paths", program="program/emerging-infections", recipient="organisation/universities"),
             "instrument_2")
    assert eid["commission"]["components"] == "1 3 4"  # line 183: 委託①③④
    vaccine = rows(store, "funding-paths", program="program/vaccine-hubs", recipient="organisation/universities")
    assert [r["instrument_2"] for r in vaccine] == ["assistance", "commission"]  # line 135: 委託・補助


def test_disease_tissue_hubs(store):
    result = rows(store, "hubs", type="DiseaseTissue")
    hosts = {r["disease_ja"]: r["host_ja"] for r in result}
    assert hosts == {"心疾患": "大阪大学", "網膜疾患": "神戸アイセンター病院", "脊髄損傷": "慶應大学",
                     "パーキンソン病": "京都大学"}
    assert {(r["funded_under_ja"], r["number"]) for r in result} == {("疾患・組織別実用化研究拠点", 2)}
    assert {r["program_ja"] for r in result} == {"再生医療実現拠点ネットワークプログラム"}
    every = by(rows(store, "hubs"), "hub")
    assert every["hub/ips-core-hub"]["host_ja"] == "京都大学iPS細胞研究所"
    assert every["hub/nagasaki-bsl4"]["funded_under"] == ID + "program/eid-bsl4"
    assert every["hub/ncbn"]["program"] is None  # MHLW's biobank network: no MEXT program funds it
    assert len(every) == 15


def test_institution_funding(store):
    kyoto = rows(store, "institution-funding", institution="organisation/kyoto-university")
    assert {(r["via"].removeprefix(ID), r["unit"].removeprefix(ID), r["number"]) for r in kyoto} == {
        ("hub/parkinsons-disease-hub", "organisation/kyoto-university", 2),
        ("hub/ips-core-hub", "organisation/cira", 1),  # CiRA is part of Kyoto University
    }
    nagasaki = by(rows(store, "institution-funding", institution="organisation/nagasaki-university"), "route")
    assert nagasaki["flow"]["instrument"] == "assistance"
    assert nagasaki["flow"]["via_ja"] == "日本医療研究開発機構"
    assert nagasaki["hub"]["via"] == ID + "hub/nagasaki-bsl4"
    amed = rows(store, "institution-funding", institution="organisation/amed")
    assert len(amed) == 6 and {r["instrument"] for r in amed} == {"subsidy"}


def test_instruments_per_program_and_component(store):
    result = rows(store, "instruments")
    programs = {r["program"].removeprefix(ID): r for r in result if r["component"] is None}
    assert programs["program/regenerative-medicine"]["funding"] == "commission"  # line 267: 委託
    assert programs["program/binds"]["funding"] == "subsidy"  # line 480: 補助
    for both in ("vaccine-hubs", "emerging-infections", "b-cure", "translational-research"):
        assert programs[f"program/{both}"]["funding"] == "both", both
    assert programs["program/cancer"]["funding"] == "not stated"
    assert {p["to_agency"] for p in programs.values() if p["funding"] != "not stated"} == {"subsidy"}
    components = {r["number"]: r["funding"] for r in result if r["component"] is not None}
    assert components == {1: "commission", 2: "subsidy", 3: "commission", 4: "commission"}  # 委託①③④, 補助②


def test_programs_in_fiscal_year_2022(store):
    result = by(rows(store, "programs-in-year", year=2022), "program")
    assert {k: (r["start_year"], r["end_year"], r["status"]) for k, r in result.items()} == {
        "program/regenerative-medicine": (2013, 2022, "ends"),  # 平成25～令和４年度
        "program/binds": (2022, 2026, "starts"),  # 令和４～８年度
        "program/b-cure": (2021, 2025, "running"),  # 令和３～７年度
        "program/emerging-infections": (2020, 2026, "running"),  # 令和２～令和８年度
        "program/translational-research": (2021, None, "running"),  # 令和3年度～
    }
    assert {r["program"].removeprefix(ID) for r in rows(store, "programs-in-year", year=2023)} == {
        "program/binds", "program/b-cure", "program/emerging-infections", "program/translational-research"}
    assert rows(store, "programs-in-year", year=2012) == []


def test_calls_against_the_program_total(store):
    result = by(rows(store, "calls"), "call")
    expected = {"pre-f": (30, 10, "project"), "seeds-a": (11, 75, "institution"), "seeds-b": (6, 50, "project"),
                "seeds-c": (8, 80, "project"), "seeds-f": (6, 70, "project"),
                "cross-disciplinary": (5, 50, "institution")}
    assert {k.removeprefix("call/"): (r["expected_count"], r["amount_per_yen"] / M, r["per"])
            for k, r in result.items()} == expected
    for name, (count, amount, _) in expected.items():
        assert result[f"call/{name}"]["expected_total_yen"] == count * amount * M
    assert result["call/seeds-c"]["upper_bound"] is True  # １課題最大80百万円程度
    assert all(r["approximate"] for r in result.values())  # 程度
    assert {r["calls_total_yen"] for r in result.values()} == {2_735 * M}
    assert {r["program_total_yen"] for r in result.values()} == {5_548 * M}
    assert rows(store, "calls", year=2021, kind="initial") == []  # the amounts per call are FY2022's


def test_policies(store):
    result = rows(store, "policies")
    pairs = {(r["program"].removeprefix(ID + "program/"), r["policy_ja"]) for r in result}
    assert ("emerging-infections", "健康・医療戦略") in pairs
    assert ("emerging-infections", "ワクチン開発・生産体制強化戦略") in pairs  # line 156
    assert ("vaccine-hubs", "ワクチン開発・生産体制強化戦略") in pairs  # line 13
    assert len(result) == 8
    dates = {r["policy_ja"]: r["decision_date"].isoformat() for r in result}
    assert dates == {"健康・医療戦略": "2020-03-27", "ワクチン開発・生産体制強化戦略": "2021-06-01"}


def test_provenance_quotes_and_lines(store):
    result = rows(store, "provenance", resource="hub/heart-disease-hub")
    assert {(r["line"], r["quote"]) for r in result} == {(238, "心 疾 患\n大阪大学"),
                                                           (250, "拠点A:４拠点疾患・組織別実用化研究拠点")}
    assert {r["end_line"] for r in result} == {239, None}
    assert all("Osaka University" in r["interpretation"] for r in result)
    document = (ROOT / "sources" / "mext_fy2022_health_medical_rd.txt").read_text(encoding="utf-8")
    for r in result:
        assert document[r["start"]:r["end"]] == r["quote"]
    derived = rows(store, "provenance", resource="remainder/regenerative-medicine/2022-request")
    assert {r["supported_by"].removeprefix(ID) for r in derived} >= {
        "allocation/regenerative-medicine/2022-request", "allocation/regen-technology/2022-request"}
    assert (201, "令和4年度予算額(案) 9,066百万円") in {(r["line"], r["quote"]) for r in derived}


def test_label_search_ignores_width_case_and_spaces(store):
    def found(text):
        return {r["resource"].removeprefix(ID) for r in rows(store, "label-search", text=text)}

    ips = found("iPS")
    assert ips == {"hub/ips-core-hub", "organisation/cira", "program/regen-disease-ips", "program/regen-ips-core"}
    assert found("ｉＰＳ") == ips == found("ips") == found("ｉＰＳ 細胞")
    assert "program/vaccine-hubs" in found("ﾜｸﾁﾝ")  # half-width katakana
    assert "program/b-cure" in found("(B-cure)")  # the label writes full-width （B-cure）
    assert "program/vaccine-hubs" in found("研究開発拠点の形成")  # its alternative label (line 80)
    assert found("Parkinson") == {"hub/parkinsons-disease-hub"}
    assert found("no such thing") == set()
    assert search_key("Ｂ－ｃｕｒｅ") == "b-cure"


def test_allocations_flat_table_is_stable(store):
    result = run_query("allocations", store=store)
    assert result.columns == ["resource", "label_ja", "label_en", "fiscal_year", "budget_kind", "amount_yen"]
    assert len(result.rows) == 49
    keys = [(r[0], r[3], r[4]) for r in result.rows]
    assert keys == sorted(keys) and len(set(keys)) == len(keys)
    table = by(result.records(), "resource")
    assert table["program/bcure-bbj"]["amount_yen"] in (355 * M, 762 * M)
    assert [r for r in result.records() if r["resource"] == ID + "program/regenerative-medicine"] == [
        {"resource": ID + "program/regenerative-medicine", "label_ja": "再生医療実現拠点ネットワークプログラム",
         "label_en": "Research Center Network for Realization of Regenerative Medicine", "fiscal_year": 2021,
         "budget_kind": "initial", "amount_yen": 9_066 * M},
        {"resource": ID + "program/regenerative-medicine", "label_ja": "再生医療実現拠点ネットワークプログラム",
         "label_en": "Research Center Network for Realization of Regenerative Medicine", "fiscal_year": 2022,
         "budget_kind": "request", "amount_yen": 9_066 * M},
    ]
    assert format_result(result, "csv") == format_result(run_query("allocations", store=store), "csv")


# --- formats and the command line ------------------------------------------------------------------------------

def test_formats_table_readable_others_exact(store):
    result = run_query("year-over-year", store=store)
    table = format_result(result, "table")
    assert "3,738百万円" in table and "-867百万円" in table and table.endswith("(21 rows)")
    csv_text = format_result(result, "csv").splitlines()
    assert csv_text[0] == "item,type,label_ja,label_en,previous_yen,current_yen,change_yen,change_percent"
    assert csv_text[1].endswith(",3738000000,2871000000,-867000000,-23.2")
    assert format_result(result, "tsv").splitlines()[1].split("\t")[-2] == "-867000000"
    first = json.loads(format_result(result, "json"))[0]
    assert (first["change_yen"], first["change_percent"]) == (-867000000, -23.2)


def test_cli_lists_and_runs_queries(graph_file):
    runner = CliRunner()
    listed = runner.invoke(main, ["queries"])
    assert listed.exit_code == 0
    for name in SHIPPED:
        assert f"{name}: " in listed.output
    assert "-p kind <request|initial|supplementary> (default request)" in listed.output
    ran = runner.invoke(main, ["query", "components", "-p", "program", "program/b-cure", "--format", "json",
                               "--graph", str(graph_file)])
    assert ran.exit_code == 0, ran.output
    assert json.loads(ran.stdout)[0]["unexplained_yen"] == 360_000_000
    assert "Source: Ministry of Education" in ran.stderr  # source and licence, kept out of the data


def test_cli_builds_the_graph_when_missing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    ran = CliRunner().invoke(main, ["query", "programs-in-year", "--format", "csv"])
    assert ran.exit_code == 0, ran.output
    assert (tmp_path / "build" / "funding-kg.ttl").is_file()
    assert "regenerative-medicine" in ran.stdout


def test_cli_runs_a_query_file(tmp_path, graph_file):
    q = tmp_path / "mine.rq"
    q.write_text("# param: year integer 2022\nPREFIX fkg: <https://w3id.org/funding-kg/ontology#>\n"
                 "SELECT (SUM(?y) AS ?amount_yen) WHERE { ?a a fkg:Allocation ; fkg:fiscalYear/fkg:year ?year ;\n"
                 "  fkg:allocatedTo/fkg:partOf <https://w3id.org/funding-kg/id/program/b-cure> ; fkg:amountYen ?y }\n",
                 encoding="utf-8")
    ran = CliRunner().invoke(main, ["query", str(q), "--graph", str(graph_file)])
    assert ran.exit_code == 0, ran.output
    assert "4,564百万円" in ran.stdout  # 1,495 + 2,459 + 255 + 355
    ask = tmp_path / "ask.rq"
    ask.write_text("ASK { ?s ?p ?o }", encoding="utf-8")
    assert CliRunner().invoke(main, ["query", str(ask), "--graph", str(graph_file)]).stdout.strip() == "true"


# --- bad input -------------------------------------------------------------------------------------------------

def write(tmp_path, text, name="q.rq"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


BAD = {
    "unknown parameter": (["query", "program-amounts", "-p", "yaer", "2021"],
                          "unknown parameter yaer for query program-amounts (it takes: year, kind)"),
    "bad integer": (["query", "program-amounts", "-p", "year", "令和4"],
                    "parameter year: '令和4' is not a valid integer"),
    "value not allowed": (["query", "year-over-year", "-p", "kind", "draft"],
                          "parameter kind: 'draft' is not one of request, initial, supplementary"),
    "bad iri": (["query", "provenance", "-p", "resource", "hub/<x>"], "is not a valid iri"),
    "unknown query": (["query", "no-such-query"], "no shipped query named 'no-such-query' (known: allocations,"),
    "missing file": (["query", "missing.rq"], "missing.rq: no such query file"),
    "update": ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", "is an update (INSERT); only read-only queries"),
    "delete": ("PREFIX ex: <urn:x#>\nDELETE WHERE { ?s ex:p ?o }", "is an update (DELETE)"),
    "service": ("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
                "uses SERVICE (federated query), which is not allowed"),
    "construct": ("CONSTRUCT WHERE { ?s ?p ?o }", "is a CONSTRUCT query, which gives triples, not rows"),
    "describe": ("DESCRIBE <urn:x>", "is a DESCRIBE query"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_input_exit_2_with_a_clear_message(case, tmp_path, graph_file, monkeypatch):
    monkeypatch.chdir(tmp_path)
    args, message = BAD[case]
    if isinstance(args, str):
        args = ["query", str(write(tmp_path, args))]
    ran = CliRunner().invoke(main, [*args, "--graph", str(graph_file)])
    assert ran.exit_code == 2, ran.output
    assert ran.stderr.startswith("error: ") and message in ran.stderr, ran.stderr
    assert ran.stdout == ""


def test_missing_graph_file_exit_2(tmp_path):
    ran = CliRunner().invoke(main, ["query", "allocations", "--graph", str(tmp_path / "none.ttl")])
    assert ran.exit_code == 2 and "none.ttl: no graph file here" in ran.stderr


SYNTAX_ERROR = """# title: broken on purpose
# param: year integer 2022
PREFIX fkg: <https://w3id.org/funding-kg/ontology#>
SELECT ?a WHERE { ?a fkg:fiscalYear/fkg:year ?year .
  ?a fkg:amountYen ?y }
LIMIT ten
"""


def test_syntax_error_names_line_and_column_of_the_original_text(tmp_path, graph_file, store):
    path = write(tmp_path, SYNTAX_ERROR)
    ran = CliRunner().invoke(main, ["query", str(path), "--graph", str(graph_file)])
    assert ran.exit_code == 2
    assert f"{path}: SPARQL syntax error in q: line 6, column 7" in ran.stderr, ran.stderr
    # The VALUES block that binds ?year goes on line 4, right after '{': columns there map back too.
    one_line = SYNTAX_ERROR.replace(" .\n  ?a fkg:amountYen ?y }\n", " } ")
    column = one_line.splitlines()[3].index("ten") + 1
    for params in ({}, {"year": "2021"}):
        with pytest.raises(QueryError, match=rf"line 4, column {column}: "):
            run_query(parse_header(one_line), params, store=store)


def test_library_errors(store, tmp_path):
    with pytest.raises(QueryError, match="unknown parameter"):
        run_query("allocations", {"year": "2022"}, store=store)
    with pytest.raises(QueryError, match="no such query file"):
        load_query(tmp_path / "nothing.rq")
    with pytest.raises(QueryError, match="'twenty' is not a valid integer"):
        run_query("program-amounts", {"year": "twenty"}, store=store)
    with pytest.raises(QueryError, match="is an update"):
        run_query("CLEAR ALL", store=store)
    with pytest.raises(QueryError, match="is a CONSTRUCT query"):
        run_query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", store=store)
    with pytest.raises(QueryError, match="SERVICE"):
        run_query("SELECT * { SERVICE SILENT <http://x.example/> { ?s ?p ?o } }", store=store)
    with pytest.raises(QueryError, match="malformed parameter line"):
        parse_header("# param: year int 2022\nSELECT * {}")
    with pytest.raises(QueryError, match="default 'x' is not one of"):
        parse_header("# param: kind string{a,b} x\nSELECT * {}")
    with pytest.raises(QueryError, match="declares parameter kind but never uses"):
        run_query(parse_header("# param: kind string a\nSELECT * { ?s ?p ?o } LIMIT 1"), store=store)


def test_names_paths_and_default_store(tmp_path, monkeypatch, store):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "hubs").mkdir()  # a folder named like a shipped query does not hide it
    assert load_query("hubs").path == ROOT / "queries" / "hubs.rq"
    write(tmp_path, "SELECT (1 AS ?one) {}", "mine.rq")
    assert load_query("mine.rq").name == "mine" and load_query(tmp_path / "mine.rq").name == "mine"
    assert run_query(str(tmp_path / "mine.rq"), store=store).rows == [[1]]
    # Without a store, run_query builds the shipped graph in memory.
    assert len(run_query("programs-in-year", {"year": "2022"}).rows) == 5


def test_variables_named_like_keywords_are_not_refused(store):
    # ?add, ?service and a prefix called copy: are names, not an update or a federated query.
    text = ("PREFIX copy: <https://w3id.org/funding-kg/ontology#>\n"
            "SELECT ?add ?service WHERE { ?add copy:funder ?service } ORDER BY ?add LIMIT 1")
    assert run_query(text, store=store).rows == [[ID + "flow/bcure-amed-universities-assistance",
                                                   ID + "organisation/amed"]]


def test_parameters_are_bound_as_values_not_syntax(store):
    # A value that looks like SPARQL stays a string literal: no rows, no injection, no error.
    injected = '" } ?s ?p ?o . FILTER("1'
    assert rows(store, "label-search", text=injected) == []


# --- benchmark -------------------------------------------------------------------------------------------------

@pytest.mark.slow
def test_benchmark_script_runs_on_a_small_synthetic_graph(graph):
    # The real run (about a million triples) takes minutes and is not part of the suite; this proves the script.
    names = ["allocations", "year-over-year", "label-search"]
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "bench_queries.py"), "--triples", "5000",
                           "--cap", "10", "--repeat", "1", "--only", *names],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    summary = done.stdout.split("summary")[1]
    for name in names:
        assert name in summary
    assert f"shipped graph: {len(graph):,} triples" in done.stdout and "synthetic graph: " in done.stdout
    assert "rdflib/oxigraph" in summary
