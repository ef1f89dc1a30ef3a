from decimal import Decimal

import pytest
from hypothesis import given, strategies as st

from kg.errors import AmountError, KGError
from kg.extract import extract_file, extract_line, extract_lines, parse_amount, parse_number
from kg.paths import shipped_document


def one(line, year=2022):
    (m,) = extract_line(line, 1, year)
    return m


@pytest.mark.parametrize("text, yen", [
    ("9,066百万円", 9_066_000_000), ("360百万円", 360_000_000), ("515億円", 51_500_000_000),
    ("５１５億円", 51_500_000_000), ("１，０００百万円", 1_000_000_000), ("0,862百万円", 862_000_000),
    ("1.5億円", 150_000_000), ("2兆円", 2 * 10**12), ("10,619 百万円", 10_619_000_000),
])
def test_parse_amount(text, yen):
    assert parse_amount(text)[0] == Decimal(yen)


@pytest.mark.parametrize("text", ["1,23百万円", "12,3456百万円", "百万円", "abc", "1,,000百万円", "0.5百万円x",
                                  "1,000円", "1.2345678百万円", ""])
def test_parse_amount_rejects_garbage(text):
    with pytest.raises(AmountError):
        parse_amount(text)


def test_parse_number_zero_padded_group():
    assert parse_number("0,862") == 862


def test_pair_is_request_and_previous_initial():
    cur, prev = extract_line("○ 再生医療実現拠点ネットワークプログラム 9,066百万円（9,066百万円）", 27, 2022)
    assert (cur.fiscal_year, cur.kind, cur.role) == (2022, "request", "current")
    assert (prev.fiscal_year, prev.kind, prev.role) == (2021, "initial", "previous")
    assert (cur.start, cur.end) == (22, 30) and cur.text == "9,066百万円"


def test_half_width_pair_and_spaces():
    cur, prev = extract_line("⑥ 再生医療の実現化支援課題 360百万円 （360百万円）", 1, 2022)
    assert cur.kind == "request" and prev.kind == "initial"
    cur, prev = extract_line("東北メディカル・メガバンク 【TMM】 2,459百万円(2,200百万円)", 1, 2022)
    assert prev.yen == Decimal(2_200_000_000) and prev.role == "previous"


def test_previous_year_label_and_request_label():
    m = one("(前年度予算額 876億円)")
    assert (m.fiscal_year, m.kind) == (2021, "initial")
    m = one("令和4年度予算額(案) 863億円", year=None)
    assert (m.fiscal_year, m.kind) == (2022, "request")


def test_supplementary_with_era_year_and_fund():
    m = one("令和3年度補正予算額 51,500百万円（基金）")
    assert (m.fiscal_year, m.kind, m.fund) == (2021, "supplementary", True)
    m = one("令和３年度補正予算額 515億円")
    assert (m.fiscal_year, m.kind, m.fund) == (2021, "supplementary", False)


def test_fund_for_first_years_has_no_kind():
    m = one("515億円（当面５年間）")
    assert m.fund and m.kind is None and m.fiscal_year is None


def test_qualifiers():
    m = one("１課題最大80百万円程度")
    assert (m.per, m.upper_bound, m.approximate) == ("project", True, True)
    m = one("１機関75百万円程度")
    assert (m.per, m.upper_bound, m.approximate) == ("institution", False, True)
    m = one("生命科学・創薬研究支援基盤事業（BINDS） 令和4年度予算額(案) 3,702百万円 ( 新 規 )")
    assert m.new and m.kind == "request"


def test_malformed_number_names_line_and_column():
    with pytest.raises(AmountError) as exc:
        extract_lines(["ok", "事業 1,23百万円"], 2022, path="doc.txt")
    assert exc.value.line == 2 and "column 4" in str(exc.value) and "doc.txt:2" in str(exc.value)


def test_shipped_document_mentions():
    mentions = extract_file(shipped_document())
    assert len(mentions) == 67
    by_line = {}
    for m in mentions:
        by_line.setdefault(m.line, []).append(m)
    assert [m.text for m in by_line[4]] == ["1,072百万円", "0,862百万円"]
    assert by_line[4][1].yen == Decimal(862_000_000)
    assert [(m.yen, m.kind) for m in by_line[11]] == [
        (Decimal(58_600_000_000), "request"), (Decimal(59_500_000_000), "initial"),
        (Decimal(51_500_000_000), "supplementary")]
    assert by_line[418][0].upper_bound and by_line[418][0].per == "project"
    assert by_line[475][0].new


def test_non_utf8_document(tmp_path):
    p = tmp_path / "doc.txt"
    p.write_bytes("令和4年度\n".encode("utf-8") + "予算".encode("shift_jis"))
    with pytest.raises(KGError, match="not UTF-8") as exc:
        extract_file(p)
    assert exc.value.line == 2


@given(st.integers(min_value=0, max_value=10**9))
def test_grouped_numbers_round_trip(n):
    text = f"{n:,}百万円"
    assert parse_amount(text)[0] == Decimal(n) * 1_000_000
    full = text.translate(str.maketrans("0123456789,", "０１２３４５６７８９，"))
    assert parse_amount(full)[0] == Decimal(n) * 1_000_000


@given(st.text(alphabet=st.sampled_from(list("0123456789,.０１２（）()百万億兆円程度最大課題機関 新規年度令和補正予算額案基金abc")),
               max_size=60))
def test_extract_line_never_crashes(line):
    try:
        for m in extract_line(line, 1, 2022):
            assert m.yen >= 0 and line[m.start:m.end] == m.text
    except AmountError as exc:
        assert exc.line == 1 and str(exc)


@given(st.text(max_size=30))
def test_parse_amount_accepts_or_rejects_cleanly(text):
    try:
        yen, unit = parse_amount(text)
        assert yen >= 0 and unit in ("百万円", "億円", "兆円")
    except AmountError as exc:
        assert str(exc)
