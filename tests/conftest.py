"""Shared fixtures: the built graph (once per session), its store, and headless Chromium."""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
ARTIFACTS = ROOT / "test-artifacts"

CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


@pytest.fixture(scope="session")
def built():
    """The BuildResult of the shipped sources (built once; do not mutate its graph)."""
    from kg.build import build_graph

    return build_graph()


@pytest.fixture(scope="session")
def graph(built):
    return built.graph


@pytest.fixture(scope="session")
def store(built):
    from kg.store import GraphStore

    return GraphStore.from_graph(built.graph)


@pytest.fixture(scope="session")
def graph_file(built, tmp_path_factory):
    """The shipped graph written as Turtle, as `fundkg build` writes it."""
    from kg.build import write_graph

    return write_graph(built, tmp_path_factory.mktemp("graph"))


@pytest.fixture
def sources_copy(tmp_path):
    """A writable copy of the shipped sources folder, for tests that break it on purpose."""
    from kg.paths import sources_dir

    dest = tmp_path / "sources"
    shutil.copytree(sources_dir(), dest)
    return dest


@pytest.fixture(scope="session")
def artifacts():
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def browser():
    """Debian's headless Chromium driven by Playwright, with no network beyond loopback."""
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium") or "/usr/bin/chromium"
    profile = tempfile.mkdtemp(prefix="fundkg-chromium-")
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(profile, executable_path=executable, headless=True,
                                                       args=CHROMIUM_ARGS)
        try:
            yield context
        finally:
            context.close()
            shutil.rmtree(profile, ignore_errors=True)
