import datetime as dt

import pytest
from hypothesis import given, strategies as st

from kg import eras
from kg.errors import EraError


@pytest.mark.parametrize("era, number, year", [
    ("令和", "4", 2022), ("令和", "４", 2022), ("令和", "元", 2019), ("令和", 1, 2019),
    ("平成", "25", 2013), ("平成", "３１", 2019), ("昭和", "64", 1989), ("平成", "元", 1989),
])
def test_era_year(era, number, year):
    assert eras.era_year(era, number) == year


@pytest.mark.parametrize("era, number", [("平成", "32"), ("昭和", "65"), ("大正", "1"), ("令和", "0"), ("令和", "x")])
def test_era_year_rejects(era, number):
    with pytest.raises(EraError):
        eras.era_year(era, number)


@pytest.mark.parametrize("text, year", [
    ("令和4年度予算額(案)", 2022), ("令和４年度", 2022), ("令和３年度補正予算額", 2021), ("令和元年度", 2019),
    ("平成25年度", 2013),
])
def test_parse_fiscal_year(text, year):
    assert eras.parse_fiscal_year(text) == year


@pytest.mark.parametrize("text, period", [
    ("（事業期間：令和２～令和８年度）", (2020, 2026)),
    ("（事業期間：平成25～令和４年度）", (2013, 2022)),
    ("（事業期間：令和３～７年度）", (2021, 2025)),
    ("（事業期間：令和3年度～）", (2021, None)),
    ("（事業期間：令和４～８年度）", (2022, 2026)),
])
def test_parse_period(text, period):
    assert eras.parse_period(text) == period


def test_parse_period_rejects_backwards_and_missing():
    with pytest.raises(EraError, match="ends before"):
        eras.parse_period("令和８～令和２年度")
    with pytest.raises(EraError, match="no program period"):
        eras.parse_period("事業期間：未定")


@pytest.mark.parametrize("text, date", [
    ("健康・医療戦略（令和２年３月27日閣議決定）", dt.date(2020, 3, 27)),
    ("（令和３年６月１日閣議決定）", dt.date(2021, 6, 1)),
    ("平成31年4月30日", dt.date(2019, 4, 30)),
])
def test_parse_date(text, date):
    assert eras.parse_date(text) == date


def test_parse_date_rejects_impossible_dates():
    with pytest.raises(EraError, match="not a valid date"):
        eras.parse_date("令和２年２月30日")


def test_fiscal_year_runs_april_to_march():
    assert eras.fiscal_year_interval(2022) == (dt.date(2022, 4, 1), dt.date(2023, 3, 31))


@given(st.integers(min_value=1926, max_value=2100))
def test_era_label_round_trips(year):
    assert eras.parse_fiscal_year(eras.era_label(year)) == year


@given(st.text(max_size=40))
def test_parsers_never_crash(text):
    for parse in (eras.parse_fiscal_year, eras.parse_date, eras.parse_period):
        try:
            parse(text)
        except EraError:
            pass
