"""Find every amount of money a budget document mentions.

The text is read line by line after Unicode NFKC normalisation (full-width digits and brackets become
ASCII); offsets are mapped back to the raw line so that quotes can point into the verbatim document.
Each mention carries what its context says about it: fiscal year and budget kind where the line says so,
and the qualifiers 程度 (approximate), 最大 (upper bound), １課題 / １機関 (per project / per institution),
基金 (a multi-year fund) and 新規 (new).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from .eras import era_year
from .errors import AmountError, KGError

UNITS = {"百万円": Decimal(1_000_000), "億円": Decimal(100_000_000), "兆円": Decimal(10**12)}
KINDS = ("request", "initial", "supplementary")

_NUMBER = r"\d[\d,]*(?:\.\d+)?"
_AMOUNT_RE = re.compile(r"(?P<num>" + _NUMBER + r")\s*(?P<unit>百万円|億円|兆円)")
# Digits that run into the unit after a stray non-digit ("1,2a3百万円") are still an amount attempt.
_GROUPED_RE = re.compile(r"^(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")
# The extraction sometimes leaves a zero-padded first group, e.g. "0,862" for 862.
_ZERO_LED_RE = re.compile(r"^0,\d{3}(?:,\d{3})*$")

_ERA_YEAR = r"(?P<era>令和|平成|昭和)\s*(?P<n>\d{1,2}|元)\s*年度"
_BEFORE_SUPPLEMENTARY = re.compile(_ERA_YEAR + r"\s*補正予算額\s*$")
_BEFORE_REQUEST = re.compile(r"(?:" + _ERA_YEAR + r"\s*)?予算額\s*\(\s*案\s*\)\s*$")
_BEFORE_PREVIOUS = re.compile(r"前年度予算額\s*$")
_BEFORE_PAIR = re.compile(r"(?:百万円|億円|兆円)\s*\(\s*$")
_AFTER_PAIR = re.compile(r"^\s*\(\s*" + _NUMBER + r"\s*(?:百万円|億円|兆円)\s*\)")
_AFTER_FUND = re.compile(r"^\s*\(\s*(?:基金|当面\s*\d+\s*年間)\s*\)")
_AFTER_NEW = re.compile(r"^\s*\(\s*新\s*規\s*\)")
_AFTER_APPROX = re.compile(r"^\s*程度")
_BEFORE_MAX = re.compile(r"最大\s*$")
_BEFORE_PER = re.compile(r"1\s*(?P<per>課題|機関)\s*(?:最大\s*)?$")


@dataclass(frozen=True)
class Mention:
    """One amount of money in a document. `line` is 1-based; `start`/`end` index the raw line."""

    line: int
    start: int
    end: int
    text: str
    yen: Decimal
    unit: str
    fiscal_year: int | None = None
    kind: str | None = None
    role: str | None = None  # "current" or "previous" in a pair "X百万円（Y百万円）"
    fund: bool = False
    new: bool = False
    approximate: bool = False
    upper_bound: bool = False
    per: str | None = None  # "project" or "institution"

    @property
    def key(self) -> str:
        return f"L{self.line}:{self.start}"

    def as_dict(self) -> dict:
        d = asdict(self)
        d["yen"] = str(self.yen)
        return d


def normalise_line(raw: str) -> tuple[str, list[int]]:
    """NFKC-normalise a line character by character, keeping for each output character its raw index."""
    out: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(raw):
        n = unicodedata.normalize("NFKC", ch)
        out.append(n)
        index.extend([i] * len(n))
    index.append(len(raw))
    return "".join(out), index


def parse_number(text: str) -> Decimal:
    """The value of a number as budget documents write it ("9,066", "0,862", "1.5").

    >>> parse_number("0,862")
    Decimal('862')
    """
    t = unicodedata.normalize("NFKC", str(text)).strip()
    if not t:
        raise AmountError("empty number")
    if not (_GROUPED_RE.match(t) or _ZERO_LED_RE.match(t)):
        raise AmountError(f"{text!r} is not a number with thousands grouped by commas (e.g. 9,066)")
    try:
        return Decimal(t.replace(",", ""))
    except InvalidOperation:
        raise AmountError(f"{text!r} is not a number") from None


def parse_amount(text: str) -> tuple[Decimal, str]:
    """Exact yen and unit of an amount such as "9,066百万円" or "515億円".

    >>> parse_amount("9,066百万円")
    (Decimal('9066000000'), '百万円')
    >>> parse_amount("５１５億円")
    (Decimal('51500000000'), '億円')
    """
    t = unicodedata.normalize("NFKC", str(text)).strip()
    m = re.fullmatch(r"(?P<num>\S+?)\s*(?P<unit>百万円|億円|兆円)", t)
    if not m:
        raise AmountError(f"{text!r} is not an amount: expected digits followed by 百万円, 億円 or 兆円")
    value = parse_number(m["num"]) * UNITS[m["unit"]]
    if value != value.to_integral_value():
        raise AmountError(f"{text!r} is not a whole number of yen")
    return value.quantize(Decimal(1)), m["unit"]


def _context(norm: str, s: int, e: int, doc_year: int | None) -> dict:
    before, after = norm[:s], norm[e:]
    ctx: dict = {}
    if m := _BEFORE_SUPPLEMENTARY.search(before):
        ctx.update(fiscal_year=era_year(m["era"], m["n"]), kind="supplementary")
    elif _BEFORE_PREVIOUS.search(before):
        ctx.update(kind="initial", role="previous", fiscal_year=doc_year - 1 if doc_year else None)
    elif _BEFORE_PAIR.search(before):
        ctx.update(kind="initial", role="previous", fiscal_year=doc_year - 1 if doc_year else None)
    elif m := _BEFORE_REQUEST.search(before):
        year = era_year(m["era"], m["n"]) if m["era"] else doc_year
        ctx.update(kind="request", fiscal_year=year)
    elif _AFTER_PAIR.search(after) or _AFTER_NEW.search(after):
        ctx.update(kind="request", role="current", fiscal_year=doc_year)
    if _AFTER_PAIR.search(after):
        ctx["role"] = "current"
    ctx["fund"] = bool(_AFTER_FUND.search(after))
    ctx["new"] = bool(_AFTER_NEW.search(after))
    ctx["approximate"] = bool(_AFTER_APPROX.search(after))
    ctx["upper_bound"] = bool(_BEFORE_MAX.search(before))
    if m := _BEFORE_PER.search(before):
        ctx["per"] = "project" if m["per"] == "課題" else "institution"
    return ctx


def extract_line(raw: str, line_no: int, doc_year: int | None = None) -> list[Mention]:
    """Every amount in one raw line. Raises AmountError naming the line for a malformed number."""
    norm, index = normalise_line(raw)
    mentions = []
    for m in _AMOUNT_RE.finditer(norm):
        # A number glued to preceding digits or letters ("A1,000百万円") is still read from its first digit.
        try:
            yen, unit = parse_amount(m.group(0))
        except AmountError as exc:
            raise AmountError(f"column {index[m.start()] + 1}: {exc.message}", line=line_no) from None
        s, e = index[m.start()], index[m.end()]
        ctx = _context(norm, m.start(), m.end(), doc_year)
        mentions.append(Mention(line=line_no, start=s, end=e, text=raw[s:e], yen=yen, unit=unit, **ctx))
    return mentions


def infer_document_year(lines: list[str]) -> int | None:
    """The fiscal year a budget request is for: the first "<era>年度予算額(案)" in the text."""
    pattern = re.compile(_ERA_YEAR + r"\s*予算額\s*\(\s*案\s*\)")
    for raw in lines:
        if m := pattern.search(unicodedata.normalize("NFKC", raw)):
            return era_year(m["era"], m["n"])
    return None


def read_lines(path: str | Path) -> list[str]:
    """The lines of a UTF-8 text document, without line ends."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise KGError("no such file", path=p) from None
    except IsADirectoryError:
        raise KGError("is a directory, not a document", path=p) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise KGError(f"not UTF-8 text (byte {exc.start})", path=p, line=line) from None
    return text.split("\n") if text else []


def extract_lines(lines: list[str], doc_year: int | None = None, *, path: str | Path | None = None) -> list[Mention]:
    """Every amount mention in a document given as lines."""
    if doc_year is None:
        doc_year = infer_document_year(lines)
    found: list[Mention] = []
    for i, raw in enumerate(lines, start=1):
        try:
            found.extend(extract_line(raw, i, doc_year))
        except AmountError as exc:
            exc.path = str(path) if path else None
            raise
    return found


def extract_file(path: str | Path, doc_year: int | None = None) -> list[Mention]:
    """Every amount mention in a document file.

    >>> from kg.paths import shipped_document
    >>> mentions = extract_file(shipped_document())
    >>> m = next(m for m in mentions if m.line == 27)
    >>> (m.text, m.yen, m.fiscal_year, m.kind)
    ('9,066百万円', Decimal('9066000000'), 2022, 'request')
    """
    return extract_lines(read_lines(path), doc_year, path=path)
