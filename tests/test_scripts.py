"""The benchmark and load scripts run (on small inputs; their real runs take minutes)."""
import re
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPTS = Path(__file__).resolve().parent.parent / "scripts"


def run(*args):
    r = subprocess.run([sys.executable, *map(str, args)], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    return r.stdout


@pytest.mark.slow
def test_bench_viz_reports_ratios():
    out = run(SCRIPTS / "bench_viz.py", "--nodes", "300", "--repeat", "1")
    assert re.search(r"flows\.html\s+[\d.]+s\s+[\d.]+s\s+[\d.]+x", out)
    assert re.search(r"synthetic flows\.html\s+[\d.]+s\s+[\d.]+x blank", out)


@pytest.mark.slow
def test_load_script_compares_with_rdflib_endpoint():
    out = run(SCRIPTS / "load_serve.py", "--queries", "20", "--concurrency", "4")
    rows = {l.split()[0]: l.split() for l in out.splitlines() if l.startswith(("fundkg", "rdflib-endpoint"))}
    assert rows["fundkg"][2:4] == ["20", "0"] and rows["rdflib-endpoint"][1:3] == ["20", "0"]
    assert "same row counts: yes" in out and "throughput ratio fundkg/rdflib-endpoint" in out
