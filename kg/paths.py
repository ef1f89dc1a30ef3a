"""Where the shipped ontology, sources and queries are: inside the installed package, or in a checkout."""
from __future__ import annotations

from pathlib import Path

from .errors import KGError

PACKAGE_DIR = Path(__file__).resolve().parent
SHIPPED_DOCUMENT = "mext_fy2022_health_medical_rd.txt"


def data_dir(name: str) -> Path:
    """The folder `name` (ontology, sources, queries): packaged copy first, then the checkout's."""
    for candidate in (PACKAGE_DIR / "_data" / name, PACKAGE_DIR.parent / name):
        if candidate.is_dir():
            return candidate
    raise KGError(f"cannot find the {name}/ folder next to the kg package or inside it; reinstall funding-kg")


def ontology_file(name: str) -> Path:
    return data_dir("ontology") / name


def sources_dir() -> Path:
    return data_dir("sources")


def shipped_document() -> Path:
    return sources_dir() / SHIPPED_DOCUMENT
