"""An installed wheel runs `fundkg build` from any directory, outside the checkout."""
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from kg.build import serialize_turtle

ROOT = Path(__file__).resolve().parent.parent


def sh(*args, **kw):
    r = subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=300, **kw)
    assert r.returncode == 0, f"{args}\n{r.stdout}\n{r.stderr}"
    return r


@pytest.mark.slow
def test_wheel_in_a_fresh_venv(tmp_path, built):
    dist = tmp_path / "dist"
    sh(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", dist, ROOT)
    (wheel,) = dist.glob("funding_kg-*.whl")
    venv = tmp_path / "fresh"
    sh(sys.executable, "-m", "venv", "--without-pip", venv)
    python = venv / "bin" / "python"
    sh(sys.executable, "-m", "pip", "--python", python, "install", "-q", "--no-deps", "--no-index", wheel)
    # Dependencies come from this environment's site-packages; a plain path line in a .pth file does not
    # run that folder's own .pth files, so the checkout's editable `kg` stays invisible.
    fresh_site = Path(sh(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])").stdout.strip())
    (fresh_site / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    where = sh(python, "-c", "import kg; print(kg.__file__)", cwd=tmp_path).stdout.strip()
    assert where.startswith(str(venv)), where

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    sh(venv / "bin" / "fundkg", "build", "--out", "out", cwd=elsewhere)
    assert (elsewhere / "out" / "funding-kg.ttl").read_bytes() == serialize_turtle(built.graph)
    r = sh(venv / "bin" / "fundkg", "validate", "--graph", "out/funding-kg.ttl", cwd=elsewhere)
    assert "conforms" in r.stdout
    r = sh(venv / "bin" / "fundkg", "extract", f"{fresh_site}/kg/_data/sources/mext_fy2022_health_medical_rd.txt",
           "--format", "tsv", cwd=elsewhere)
    assert len(r.stdout.strip().splitlines()) == 68
