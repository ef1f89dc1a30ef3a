"""The fundkg command: help, documentation, output and exit codes."""
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def run(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def command_names():
    return sorted(main.commands)


@pytest.mark.parametrize("name", command_names())
def test_every_command_has_help_with_an_example(name):
    r = run(name, "--help")
    assert r.exit_code == 0
    assert "Example" in r.output and f"fundkg {name}" in r.output


@pytest.mark.parametrize("name", command_names())
def test_every_command_is_documented_in_readme(name):
    assert re.search(rf"`fundkg {re.escape(name)}\b", README), f"README does not document fundkg {name}"


def test_readme_starts_with_the_two_commands_and_ci_runs_the_test_one():
    block = re.search(r"```sh\n(.*?)```", README, re.S).group(1)
    commands = [l.split("#")[0].strip() for l in block.strip().splitlines()]
    assert commands == ["make run", "make test"]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert re.search(r"^make test$", ci, re.M)


def test_python_dash_m_kg():
    r = subprocess.run([sys.executable, "-m", "kg", "--version"], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0 and r.stdout.startswith("fundkg, version ")


def test_extract_lists_every_mention_with_its_line():
    r = run("extract", str(ROOT / "sources" / "mext_fy2022_health_medical_rd.txt"), "--format", "tsv")
    rows = [l.split("\t") for l in r.stdout.strip().splitlines()]
    assert rows[0] == ["line", "column", "text", "yen", "fiscal_year", "kind", "qualifiers"]
    assert len(rows) == 68
    assert ["27", "23", "9,066百万円", "9066000000", "2022", "request", ""] in rows
    assert ["418", "6", "80百万円", "80000000", "", "", "approx,max,per project"] in rows


def test_extract_json_and_missing_file(tmp_path):
    r = run("extract", str(ROOT / "sources" / "mext_fy2022_health_medical_rd.txt"), "--format", "json")
    data = json.loads(r.stdout)
    assert data[0]["text"] == "3,702百万円" and data[0]["yen"] == "3702000000"
    r = run("extract", str(tmp_path / "nope.txt"))
    assert r.exit_code == 2 and "no such file" in r.output


def test_extract_rejects_garbage_with_exit_2(tmp_path):
    doc = tmp_path / "doc.txt"
    doc.write_text("事業 12,34百万円\n", encoding="utf-8")
    r = run("extract", str(doc))
    assert r.exit_code == 2 and f"{doc}:1: column 4" in r.output


def test_build_validate_stats(tmp_path):
    r = run("build", "--out", str(tmp_path))
    assert r.exit_code == 0 and (tmp_path / "funding-kg.ttl").exists()
    assert "coverage: 67/67 amount mentions (100.0%)" in r.output
    r = run("validate", "--graph", str(tmp_path / "funding-kg.ttl"))
    assert r.exit_code == 0 and "conforms" in r.output
    assert "Japan Program for Infectious Diseases Research and Infrastructure: ¥3,738M → ¥2,871M (-867M, -23.2%)" in r.output
    r = run("validate", "--graph", str(tmp_path / "funding-kg.ttl"), "--json")
    assert json.loads(r.stdout)["conforms"] is True
    r = run("stats", "--json")
    stats = json.loads(r.stdout)
    assert stats["classes"]["FundingFlow"] == 16 and stats["coverage"]["percent"] == 100.0
    r = run("stats")
    assert "coverage: 67/67 amount mentions (100.0%)" in r.output and "FY2022 request" in r.output


def test_validate_exits_1_on_a_broken_graph(tmp_path, graph_file):
    text = graph_file.read_text(encoding="utf-8")
    broken = tmp_path / "broken.ttl"
    broken.write_text(re.sub(r"fkg:hubType fkg:Biobank ;", "", text), encoding="utf-8")
    r = run("validate", "--graph", str(broken))
    assert r.exit_code == 1 and "DOES NOT CONFORM" in r.output and "hub type" in r.output


def test_validate_missing_graph_and_unparsable_graph(tmp_path):
    r = run("validate", "--graph", str(tmp_path / "none.ttl"))
    assert r.exit_code == 2 and "no graph file here" in r.output
    bad = tmp_path / "bad.ttl"
    bad.write_text("this is not turtle", encoding="utf-8")
    r = run("validate", "--graph", str(bad))
    assert r.exit_code == 2 and "cannot parse graph" in r.output


def test_bad_sources_folder_exits_2(tmp_path):
    r = run("build", "--sources", str(tmp_path / "missing"), "--out", str(tmp_path / "o"))
    assert r.exit_code == 2 and "sources folder not found" in r.output
    assert not (tmp_path / "o").exists()


def test_bad_base_iri(tmp_path):
    r = run("build", "--base", "https://example.org/kg", "--out", str(tmp_path))
    assert r.exit_code == 2 and "must end with '/' or '#'" in r.output


def test_all_writes_the_graph(tmp_path):
    r = run("all", "--out", str(tmp_path / "out"))
    assert r.exit_code == 0, r.output
    assert (tmp_path / "out" / "funding-kg.ttl").exists()


def test_usage_error_exits_2():
    r = run("build", "--no-such-option")
    assert r.exit_code == 2


def test_query_rebuilds_a_graph_older_than_its_sources(tmp_path, monkeypatch, sources_copy):
    import os
    import time

    from kg.pipeline import ensure_graph

    monkeypatch.chdir(tmp_path)
    messages = []
    path = ensure_graph(None, sources=sources_copy, echo=messages.append)
    assert messages == ["build/funding-kg.ttl is missing: building it first"] and path.exists()
    assert ensure_graph(None, sources=sources_copy, echo=messages.append) == path and len(messages) == 1
    past = time.time() - 100
    os.utime(path, (past, past))
    edited = sources_copy / "mext_fy2022_health_medical_rd" / "hubs.yaml"
    edited.write_text(edited.read_text(encoding="utf-8").replace("en: Tohoku Medical Megabank}",
                                                                 "en: Tohoku Medical Megabank (TMM)}"), encoding="utf-8")
    ensure_graph(None, sources=sources_copy, echo=messages.append)
    assert messages[-1] == "the sources changed after build/funding-kg.ttl was built: building it again"
    assert "Tohoku Medical Megabank (TMM)" in path.read_text(encoding="utf-8")
