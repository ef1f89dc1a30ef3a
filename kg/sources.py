"""Documents and the spans of them that facts quote.

A document is read verbatim; a span is a claim that a quote stands at a line. `locate` checks the claim and
returns where exactly (line, columns, offsets into the whole text), or raises FactError naming the fact file.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from .errors import FactError, KGError
from .extract import Mention, extract_lines, read_lines
from .facts import FactSet, Span, load_facts


def squash(text: str) -> str:
    """NFKC without any white space: how labels are compared with quotes."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


@dataclass
class LocatedSpan:
    span: Span
    doc: "Document"
    line: int
    end_line: int
    col: int  # start column in `line`
    end_col: int  # end column in `end_line`
    start: int  # offsets in the whole document text (code points)
    end: int

    def covers(self, m: Mention) -> bool:
        if not (self.line <= m.line <= self.end_line):
            return False
        if m.line == self.line and m.start < self.col:
            return False
        if m.line == self.end_line and m.end > self.end_col:
            return False
        return True

    @property
    def slug(self) -> str:
        if self.line == self.end_line:
            return f"L{self.line}-c{self.col}-{self.end_col}"
        return f"L{self.line}-c{self.col}-L{self.end_line}-c{self.end_col}"


@dataclass
class Document:
    path: Path
    facts: FactSet
    lines: list[str]
    mentions: list[Mention]
    line_offsets: list[int]
    id: str = ""
    year: int = 0
    sha256: str = ""


def locate(doc: Document, span: Span) -> LocatedSpan:
    """Where a quote stands in its document; FactError naming the fact file and line if it is not there."""
    if span.line > len(doc.lines):
        raise FactError(f"line {span.line} is past the end of {doc.path.name} ({len(doc.lines)} lines)",
                        path=span.file, line=span.at)
    n_lines = span.quote.count("\n") + 1
    end_line = min(span.line + n_lines - 1, len(doc.lines))
    text = "\n".join(doc.lines[span.line - 1:end_line])
    first = len(doc.lines[span.line - 1])
    pos, count = -1, 0
    while True:
        pos = text.find(span.quote, pos + 1)
        if pos < 0 or pos > first:
            break
        count += 1
        if count == span.occurrence:
            break
    if pos < 0 or pos > first:
        hint = ""
        if squash(span.quote) in squash(text):
            hint = " (it matches only after NFKC normalisation or white-space changes: copy it verbatim)"
        elif squash(span.quote) in squash("\n".join(doc.lines)):
            where = next(i + 1 for i, l in enumerate(doc.lines) if squash(span.quote)[:8] in squash(l))
            hint = f" (similar text is near line {where})"
        raise FactError(f"quote {span.quote!r} is not at line {span.line} of {doc.path.name}; "
                        f"that line reads {doc.lines[span.line - 1]!r}{hint}", path=span.file, line=span.at)
    start = doc.line_offsets[span.line - 1] + pos
    end = start + len(span.quote)
    last_nl = span.quote.rfind("\n")
    end_col = pos + len(span.quote) if last_nl < 0 else len(span.quote) - last_nl - 1
    return LocatedSpan(span, doc, span.line, end_line, pos, end_col, start, end)


def find_documents(sources: str | Path) -> list[tuple[Path, Path]]:
    """(document, fact folder) pairs in a sources folder: every <stem>.txt with a folder <stem>/ beside it."""
    sources = Path(sources)
    if not sources.is_dir():
        raise KGError("sources folder not found", path=sources)
    pairs = []
    for txt in sorted(sources.glob("*.txt")):
        folder = txt.with_suffix("")
        if folder.is_dir():
            pairs.append((txt, folder))
    for folder in sorted(p for p in sources.iterdir() if p.is_dir()):
        if not folder.with_suffix(".txt").exists() and any(folder.glob("*.yaml")):
            raise FactError(f"fact folder without its document {folder.name}.txt", path=folder)
    if not pairs:
        raise KGError("no document with facts here (expected NAME.txt beside a folder NAME/ of fact files)",
                      path=sources)
    return pairs


def load_document(txt: Path, folder: Path) -> Document:
    facts = load_facts(folder)
    lines = read_lines(txt)
    year = facts.document["fiscal_year"]
    mentions = extract_lines(lines, year, path=txt)
    offsets, pos = [], 0
    for line in lines:
        offsets.append(pos)
        pos += len(line) + 1
    doc = Document(txt, facts, lines, mentions, offsets, id=facts.document["id"], year=year,
                   sha256=hashlib.sha256(txt.read_bytes()).hexdigest())
    return doc
