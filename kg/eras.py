"""Japanese era years, dates and program periods to Gregorian fiscal years.

A Japanese fiscal year N runs from 1 April N to 31 March N+1.
"""
from __future__ import annotations

import datetime as _dt
import re
import unicodedata

from .errors import EraError

# First Gregorian year of each era, minus one: era year N is OFFSET + N.
ERA_OFFSETS = {"令和": 2018, "平成": 1988, "昭和": 1925}
_ERA = "(?P<era>令和|平成|昭和)"
_NUM = r"(?P<num>\d{1,2}|元)"

_YEAR_RE = re.compile(_ERA + r"\s*" + _NUM + r"\s*年")
_DATE_RE = re.compile(_ERA + r"\s*" + _NUM + r"\s*年\s*(?P<month>\d{1,2})\s*月\s*(?P<day>\d{1,2})\s*日")
_PERIOD_RE = re.compile(
    r"(?P<era1>令和|平成|昭和)\s*(?P<n1>\d{1,2}|元)\s*(?:年度)?\s*[～〜~\-－ー]\s*"
    r"(?:(?P<era2>令和|平成|昭和)?\s*(?P<n2>\d{1,2}|元)\s*)?年度"
)


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def era_year(era: str, number: str | int) -> int:
    """Gregorian year of era year `number` (digits, full-width digits or 元).

    >>> era_year("令和", "４")
    2022
    >>> era_year("平成", 25)
    2013
    >>> era_year("令和", "元")
    2019
    """
    era = nfkc(str(era)).strip()
    if era not in ERA_OFFSETS:
        raise EraError(f"unknown era {era!r} (known: {', '.join(ERA_OFFSETS)})")
    raw = nfkc(str(number)).strip()
    if raw == "元":
        n = 1
    elif raw.isdigit():
        n = int(raw)
    else:
        raise EraError(f"era year {number!r} is neither a number nor 元")
    if n < 1 or n > 99:
        raise EraError(f"era year {n} of {era} is out of range")
    if era == "平成" and n > 31:
        raise EraError(f"平成 ended in its 31st year; {n} is not a year of it")
    if era == "昭和" and n > 64:
        raise EraError(f"昭和 ended in its 64th year; {n} is not a year of it")
    return ERA_OFFSETS[era] + n


def parse_fiscal_year(text: str) -> int:
    """The Gregorian fiscal year named by text such as "令和４年度" or "令和3年".

    >>> parse_fiscal_year("令和４年度")
    2022
    """
    m = _YEAR_RE.search(nfkc(text))
    if not m:
        raise EraError(f"no era year in {text!r}")
    return era_year(m["era"], m["num"])


def parse_date(text: str) -> _dt.date:
    """The date named by text such as "令和２年３月27日".

    >>> parse_date("令和３年６月１日閣議決定")
    datetime.date(2021, 6, 1)
    """
    m = _DATE_RE.search(nfkc(text))
    if not m:
        raise EraError(f"no era date (e.g. 令和2年3月27日) in {text!r}")
    year = era_year(m["era"], m["num"])
    try:
        return _dt.date(year, int(m["month"]), int(m["day"]))
    except ValueError as exc:
        raise EraError(f"{m.group(0)!r} is not a valid date: {exc}") from None


def parse_period(text: str) -> tuple[int, int | None]:
    """First and last fiscal year of a period such as "令和２～令和８年度" (last is None when open-ended).

    >>> parse_period("（事業期間：平成25～令和４年度）")
    (2013, 2022)
    >>> parse_period("（事業期間：令和３～７年度）")
    (2021, 2025)
    >>> parse_period("（事業期間：令和3年度～）")
    (2021, None)
    """
    t = nfkc(text)
    m = _PERIOD_RE.search(t)
    if m:
        start = era_year(m["era1"], m["n1"])
        if m["n2"] is None:
            return start, None
        end = era_year(m["era2"] or m["era1"], m["n2"])
        if end < start:
            raise EraError(f"period {m.group(0)!r} ends before it starts")
        return start, end
    m = re.search(_ERA + r"\s*" + _NUM + r"\s*年度\s*[～〜~]", t)
    if m:
        return era_year(m["era"], m["num"]), None
    raise EraError(f"no program period (e.g. 令和2～令和8年度) in {text!r}")


def fiscal_year_interval(year: int) -> tuple[_dt.date, _dt.date]:
    """First and last day of Japanese fiscal year `year`."""
    return _dt.date(year, 4, 1), _dt.date(year + 1, 3, 31)


def era_label(year: int) -> str:
    """The era name of a fiscal year as the documents write it, e.g. 2022 -> "令和4年度"."""
    for era, offset in sorted(ERA_OFFSETS.items(), key=lambda kv: -kv[1]):
        n = year - offset
        if n >= 1 and not (era == "平成" and n > 31) and not (era == "昭和" and n > 64):
            return f"{era}{'元' if n == 1 else n}年度"
    raise EraError(f"fiscal year {year} is before 昭和")
