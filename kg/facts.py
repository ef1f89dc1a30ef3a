"""Read and check the shape of fact files: YAML data about one source document.

A document's facts live in a folder named after it (`sources/<stem>/*.yaml`). Each file holds one or more
top-level sections (organisations, programs, hubs, policies, allocations, flows, calls, left_out, document),
each a list of records. Records keep the file and line they came from, so that every later error can say
where to look. This module checks shape only; `build` checks the facts against the document.
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import FactError


@dataclass(frozen=True)
class Span:
    """A claim that `quote` stands verbatim in the document, starting on `line` (1-based)."""

    line: int
    quote: str
    file: str
    at: int  # line in the fact file
    occurrence: int = 1


@dataclass
class Record:
    section: str
    data: dict
    file: str
    line: int

    def __getitem__(self, key):
        return self.data[key]

    def get(self, key, default=None):
        return self.data.get(key, default)

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass
class FactSet:
    folder: Path
    document: Record | None = None
    sections: dict[str, list[Record]] = field(default_factory=dict)

    def records(self, section: str) -> list[Record]:
        return self.sections.get(section, [])


class _LineLoader(yaml.SafeLoader):
    """A YAML loader that remembers the line of every mapping as the key '__line__'."""


def _construct_mapping(loader, node, deep=False):
    loader.flatten_mapping(node)
    seen: dict = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise FactError(f"duplicate key {key!r} (first on line {seen[key]})", line=key_node.start_mark.line + 1)
        seen[key] = key_node.start_mark.line + 1
    mapping = yaml.SafeLoader.construct_mapping(loader, node, deep=True)
    mapping["__line__"] = node.start_mark.line + 1
    mapping["__keys__"] = seen
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
# Dates stay text until the shape check, so that an impossible date is reported with its line.
_LineLoader.yaml_implicit_resolvers = {
    first: [r for r in resolvers if r[0] != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}

# --- the shape of each section -------------------------------------------------------------------------

ORG_TYPES = ("State", "Ministry", "FundingAgency", "University", "Hospital", "NationalResearchCenter",
             "ResearchInstitute", "InstitutionGroup")
PROGRAM_TYPES = ("Section", "Program", "Component", "Part")
HUB_TYPES = ("Flagship", "Synergy", "Core", "DiseaseTissue", "OverseasSite", "Biobank", "ResearchFacility",
             "DataPlatform", "SupportInstitution")
KINDS = ("request", "initial", "supplementary")
INSTRUMENTS = ("subsidy", "commission", "assistance")
PER_UNITS = ("project", "institution")

LABEL = {"fields": {"ja": "str", "en": "str"}, "required": ("ja", "en")}
TEXT = {"fields": {"ja": "str", "en": "str", "source": "span"}, "required": ()}
ALT_LABEL = {"fields": {"ja": "str", "en": "str", "source": "span"}, "required": ("source",)}
COMMON = {"id": "id", "label": LABEL, "abbreviation": "str", "alt_labels": ("list", ALT_LABEL),
          "source": "spans", "interpretation": "str", "note": TEXT}

SECTIONS: dict[str, dict] = {
    "document": {
        "fields": {"id": "id", "file": "str", "fiscal_year": "year", "title": LABEL, "publisher": "ref",
                   "attribution": LABEL, "source": "spans"},
        "required": ("id", "file", "fiscal_year", "title", "publisher", "attribution"),
    },
    "organisations": {
        "fields": {**COMMON, "type": ("enum", ORG_TYPES), "part_of": "ref"},
        "required": ("id", "type", "label", "source"),
    },
    "policies": {
        "fields": {**COMMON, "decided": "date"},
        "required": ("id", "label", "decided", "source"),
    },
    "programs": {
        "fields": {
            **COMMON,
            "type": ("enum", PROGRAM_TYPES), "number": "int", "part_of": "ref", "managed_by": "ref",
            "new_in": "year", "reorganised_from": "ref",
            "period": {"fields": {"start": "year", "end": "year", "source": "span"}, "required": ("start", "source")},
            "based_on": ("list", {"fields": {"policy": "ref", "source": "span"}, "required": ("policy", "source")}),
            "cooperates_with": ("list", {"fields": {"organisation": "ref", "source": "span"},
                                         "required": ("organisation", "source")}),
            "fund_years": {"fields": {"value": "int", "source": "span"}, "required": ("value", "source")},
            "max_support_years": {"fields": {"value": "int", "source": "span"}, "required": ("value", "source")},
        },
        "required": ("id", "type", "label", "source"),
    },
    "hubs": {
        "fields": {
            **COMMON,
            "hub_type": ("enum", HUB_TYPES), "hosted_by": "ref", "funded_under": "ref", "part_of": "ref",
            "certified_by": "ref", "purpose": LABEL, "disease": LABEL, "location": LABEL,
            "count": {"fields": {"exactly": "int", "at_most": "int", "about": "int", "source": "span"},
                      "required": ("source",), "one_of": ("exactly", "at_most", "about")},
            "completed_in": {"fields": {"fiscal_year": "year", "source": "span"}, "required": ("fiscal_year", "source")},
        },
        "required": ("id", "hub_type", "label", "source"),
    },
    "allocations": {
        "fields": {"of": "ref", "fiscal_year": "year", "kind": ("enum", KINDS), "amount": "amount",
                   "fund": "bool", "approximate": "bool", "upper_bound": "bool", "source": "spans",
                   "interpretation": "str", "note": TEXT},
        "required": ("of", "fiscal_year", "kind", "amount", "source"),
    },
    "flows": {
        "fields": {"id": "id", "program": "ref", "funder": "ref", "recipient": "ref",
                   "instrument": ("enum", INSTRUMENTS), "components": ("list", "ref"), "source": "spans",
                   "interpretation": "str"},
        "required": ("id", "program", "funder", "recipient", "instrument", "source"),
    },
    "calls": {
        "fields": {
            **COMMON, "program": "ref", "purpose": LABEL,
            "expected": {"fields": {"count": "int", "unit": ("enum", PER_UNITS), "approximate": "bool",
                                    "new": "bool", "source": "span"}, "required": ("count", "unit", "source")},
            "amount_per": {"fields": {"amount": "amount", "per": ("enum", PER_UNITS), "approximate": "bool",
                                      "upper_bound": "bool", "fiscal_year": "year", "kind": ("enum", KINDS),
                                      "source": "span"},
                           "required": ("amount", "per", "fiscal_year", "kind", "source")},
        },
        "required": ("id", "program", "label", "source"),
    },
    "left_out": {
        "fields": {"line": "int", "text": "str", "reason": "str"},
        "required": ("line", "text", "reason"),
    },
}


class _Checker:
    def __init__(self, file: str):
        self.file = file

    def fail(self, line, where, msg):
        raise FactError(f"{where}: {msg}", path=self.file, line=line)

    def check(self, value, spec, where: str, line: int):
        if isinstance(value, dict) and "__line__" in value:
            line = value["__line__"]
        if isinstance(spec, tuple) and spec[0] == "list":
            if not isinstance(value, list):
                self.fail(line, where, f"expected a list, got {_kind(value)}")
            return [self.check(v, spec[1], f"{where}[{i}]", line) for i, v in enumerate(value)]
        if isinstance(spec, tuple) and spec[0] == "enum":
            if value not in spec[1]:
                self.fail(line, where, f"{value!r} is not one of {', '.join(spec[1])}")
            return value
        if isinstance(spec, dict):
            return self.check_mapping(value, spec, where, line)
        return getattr(self, "t_" + spec)(value, where, line)

    def check_mapping(self, value, spec, where, line):
        if not isinstance(value, dict):
            self.fail(line, where, f"expected a mapping, got {_kind(value)}")
        line = value.get("__line__", line)
        key_lines = value.get("__keys__", {})
        out = {}
        for key, v in value.items():
            if key in ("__line__", "__keys__"):
                continue
            at = key_lines.get(key, line)
            if key not in spec["fields"]:
                known = ", ".join(sorted(spec["fields"]))
                self.fail(at, where, f"unknown key {key!r} (expected one of: {known})")
            out[key] = self.check(v, spec["fields"][key], f"{where}.{key}", at)
        missing = [k for k in spec.get("required", ()) if k not in out]
        if missing:
            self.fail(line, where, f"missing required key {', '.join(repr(m) for m in missing)}")
        if "one_of" in spec and sum(k in out for k in spec["one_of"]) != 1:
            self.fail(line, where, f"give exactly one of {', '.join(spec['one_of'])}")
        out["__line__"] = line
        return out

    def t_str(self, v, where, line):
        if not isinstance(v, str) or not v.strip():
            self.fail(line, where, f"expected non-empty text, got {_kind(v)}")
        return v

    def t_id(self, v, where, line):
        v = self.t_str(v, where, line)
        if not all(c.isascii() and (c.isalnum() or c == "-") for c in v) or v != v.lower() or v.startswith("-"):
            self.fail(line, where, f"identifier {v!r} must be lower-case ASCII letters, digits and '-'")
        return v

    t_ref = t_id

    def t_int(self, v, where, line):
        if isinstance(v, bool) or not isinstance(v, int) or v < 0:
            self.fail(line, where, f"expected a whole number, got {_kind(v)}")
        return v

    def t_year(self, v, where, line):
        v = self.t_int(v, where, line)
        if not 1900 <= v <= 2200:
            self.fail(line, where, f"{v} is not a Gregorian fiscal year (e.g. 2022)")
        return v

    def t_bool(self, v, where, line):
        if not isinstance(v, bool):
            self.fail(line, where, f"expected true or false, got {_kind(v)}")
        return v

    def t_date(self, v, where, line):
        if isinstance(v, _dt.date):
            return v
        try:
            return _dt.date.fromisoformat(str(v))
        except ValueError:
            self.fail(line, where, f"expected a date YYYY-MM-DD, got {v!r}")

    def t_amount(self, v, where, line):
        from .extract import parse_amount
        from .errors import AmountError

        try:
            parse_amount(str(v))
        except AmountError as exc:
            self.fail(line, where, exc.message)
        return str(v)

    def t_span(self, v, where, line):
        spec = {"fields": {"line": "int", "quote": "str", "occurrence": "int"}, "required": ("line", "quote")}
        d = self.check_mapping(v, spec, where, line)
        if d["line"] < 1:
            self.fail(d["__line__"], where, "line numbers start at 1")
        return Span(line=d["line"], quote=d["quote"], file=self.file, at=d["__line__"],
                    occurrence=d.get("occurrence", 1) or 1)

    def t_spans(self, v, where, line):
        if isinstance(v, dict):
            v = [v]
        if not isinstance(v, list) or not v:
            self.fail(line, where, "expected a span {line, quote} or a non-empty list of them")
        return [self.t_span(s, f"{where}[{i}]", line) for i, s in enumerate(v)]


def _kind(v: Any) -> str:
    if v is None:
        return "nothing"
    return {dict: "a mapping", list: "a list", str: f"text {v!r}", bool: f"{v}"}.get(type(v), f"{v!r}")


def load_file(path: Path, into: FactSet) -> None:
    file = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise FactError(f"not UTF-8 text (byte {exc.start})", path=file) from None
    try:
        data = yaml.load(text, Loader=_LineLoader)
    except FactError as exc:
        exc.path = file
        raise
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise FactError(f"not valid YAML: {problem}", path=file, line=mark.line + 1 if mark else None) from None
    if data is None:
        return
    if not isinstance(data, dict):
        raise FactError("a fact file must be a mapping of sections (e.g. 'programs:')", path=file, line=1)
    checker = _Checker(file)
    for section, items in data.items():
        if section in ("__line__", "__keys__"):
            continue
        if section not in SECTIONS:
            raise FactError(f"unknown section {section!r} (expected one of: {', '.join(SECTIONS)})", path=file,
                            line=data["__keys__"].get(section, 1))
        spec = SECTIONS[section]
        if section == "document":
            if into.document is not None:
                raise FactError(f"a second 'document' section (the first is at {into.document.where})", path=file)
            d = checker.check_mapping(items, spec, "document", 1)
            into.document = Record("document", d, file, d["__line__"])
            continue
        if items is None:
            items = []
        if not isinstance(items, list):
            raise FactError(f"section {section!r} must be a list of records", path=file, line=data["__keys__"].get(section, 1))
        for i, item in enumerate(items):
            d = checker.check_mapping(item, spec, f"{section}[{i}]", data["__keys__"].get(section, 1))
            into.sections.setdefault(section, []).append(Record(section, d, file, d["__line__"]))


def load_facts(folder: str | Path) -> FactSet:
    """All fact files (*.yaml) of one document, in file-name order."""
    folder = Path(folder)
    if not folder.is_dir():
        raise FactError("no fact folder here", path=folder)
    facts = FactSet(folder)
    files = sorted(folder.glob("*.yaml")) + sorted(folder.glob("*.yml"))
    if not files:
        raise FactError("the fact folder holds no .yaml files", path=folder)
    for path in files:
        load_file(path, facts)
    if facts.document is None:
        raise FactError("no 'document' section in any fact file (it names the document the facts describe)",
                        path=folder)
    return facts
