"""Tests for linkgraph.normalize: one section per module, plus hostile input for all."""

from __future__ import annotations

import dataclasses
import datetime as dt
import decimal
import math

import numpy as np
import pandas as pd
import pytest

from linkgraph import normalize as N
from linkgraph.normalize import (
    detect_dayfirst,
    detect_decimal_separator,
    extract_identifiers,
    normalize_awb,
    normalize_country,
    normalize_date,
    normalize_datetime,
    normalize_email,
    normalize_flight,
    normalize_imo,
    normalize_org_name,
    normalize_passport,
    normalize_phone,
    normalize_plate,
    normalize_quantity,
    normalize_species,
)

# --------------------------------------------------------------------------- hostile input

JUNK = [
    None,
    float("nan"),
    np.nan,
    pd.NA,
    pd.NaT,
    np.datetime64("NaT"),
    "",
    "   ",
    "\t\n",
    "<script>alert(1)</script>",
    "x" * 100_000,
    "٣٤٥٦",  # Arabic-Indic digits
    "\u200b\ufeff",
    "NULL",
    "#N/A",
    "-",
    0,
    -1,
    1e308,
    float("inf"),
    -float("inf"),
    True,
    False,
    3.5,
    decimal.Decimal("NaN"),
    decimal.Decimal("12.5"),
    [1, 2],
    {"a": 1},
    (1,),
    b"bytes",
    object(),
    "🐘🦏",
    "'; DROP TABLE seizures; --",
    '=HYPERLINK("http://x")',
]

SINGLE_ARG = [
    normalize_phone,
    normalize_country,
    normalize_date,
    normalize_datetime,
    normalize_species,
    normalize_quantity,
    normalize_org_name,
    normalize_passport,
    normalize_plate,
    normalize_imo,
    normalize_email,
    normalize_flight,
    normalize_awb,
]


@pytest.mark.parametrize("func", SINGLE_ARG, ids=lambda f: f.__name__)
@pytest.mark.parametrize("raw", JUNK, ids=lambda v: repr(v)[:25])
def test_junk_never_raises_and_keeps_raw(func, raw):
    r = func(raw)
    assert r.raw is raw or (isinstance(raw, str) and r.raw == raw)
    assert isinstance(r.ok, bool)
    if not r.ok:
        assert r.value is None
    assert r.note is None or isinstance(r.note, str)
    try:
        hash(raw)
    except TypeError:
        return
    hash(r)  # frozen dataclass


@pytest.mark.parametrize("raw", JUNK, ids=lambda v: repr(v)[:25])
def test_junk_with_extra_arguments(raw):
    normalize_phone(raw, raw if isinstance(raw, str) else None)
    normalize_phone("0712345678", raw)
    normalize_date(raw, dayfirst=True)
    normalize_datetime(raw, dayfirst=False)
    normalize_quantity(raw, raw)
    normalize_quantity("12", raw)
    normalize_quantity(raw, "kg", term=raw if isinstance(raw, str) else None)
    normalize_passport("A1234567", raw)
    normalize_plate("KCA 123A", raw)
    assert isinstance(extract_identifiers(raw), list)


def test_series_helpers_handle_junk_cells():
    junk = pd.Series(["KE", None, float("nan"), [1, 2], {"a": 1}, 3.5, "", "Kenya"], dtype=object)
    for helper, extra in [
        (N.normalize_country_series, ()),
        (N.normalize_species_series, ()),
        (N.normalize_org_series, ()),
        (N.normalize_date_series, ()),
        (N.normalize_datetime_series, ()),
        (N.normalize_phone_series, ("KE",)),
        (N.normalize_quantity_series, ("kg",)),
    ]:
        df = helper(junk, *extra)
        assert len(df) == len(junk) and (df.index == junk.index).all()
        assert df["ok"].tolist()[1] is False or df["ok"].tolist()[1] == False  # noqa: E712 - a numpy bool_ is not the False singleton
    df = N.normalize_phone_series(junk, pd.Series(["KE"] * len(junk)))
    assert len(df) == len(junk)
    assert N.normalize_country_series(pd.Series([], dtype=object)).empty


def test_blank_values_are_not_ok():
    for func in SINGLE_ARG:
        for raw in (None, float("nan"), "", "  ", pd.NA):
            r = func(raw)
            assert not r.ok and r.value is None, (func.__name__, raw)


def test_results_are_frozen():
    r = normalize_country("KE")
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.value = "TZ"  # type: ignore[misc]


def test_public_api_reexported():
    for name in N.__all__:
        assert hasattr(N, name), name


# --------------------------------------------------------------------------- phones


@pytest.mark.parametrize(
    "raw,region,expected",
    [
        ("+254 712 345 678", None, "+254712345678"),
        ("+254-712-345-678", None, "+254712345678"),
        ("0712-345678", "KE", "+254712345678"),
        ("0712 345 678", "ke", "+254712345678"),
        ("00254712345678", None, "+254712345678"),
        ("00254712345678", "KE", "+254712345678"),
        ("+00254712345678", None, "+254712345678"),
        ("(+84) 912 345 678", None, "+84912345678"),
        ("0912345678", "VN", "+84912345678"),
        ("0912 345 678", "Vietnam", "+84912345678"),  # country name as region hint
        ("0912345678", "VNM", "+84912345678"),  # alpha-3 as region hint
        ("254712345678", None, "+254712345678"),  # CDR style, no '+'
        ("254712345678", "KE", "+254712345678"),
        ("254712345678.0", None, "+254712345678"),  # Excel float written back as text
        ("2.54712345678E+11", None, "+254712345678"),  # scientific but exact
        ("+255 754 123 456", None, "+255754123456"),
        ("0754123456", "TZ", "+255754123456"),
        ("+86 138 0013 8000", None, "+8613800138000"),
        ("13800138000", "CN", "+8613800138000"),
        ("020 7946 0958", "GB", "+442079460958"),
        ("011 254 712345678", "US", "+254712345678"),
        ("+27 82 123 4567", None, "+27821234567"),
        ("082 123 4567", "ZA", "+27821234567"),
        ("+258 84 123 4567", None, "+258841234567"),
        ("Tel: +254 712 345 678", None, "+254712345678"),
        ("＋254712345678", None, "+254712345678"),
    ],
)
def test_phone_valid(raw, region, expected):
    r = normalize_phone(raw, region)
    assert r.ok, r
    assert r.value == expected
    assert r.raw == raw


def test_phone_extension_kept():
    r = normalize_phone("+254712345678 ext. 123")
    assert r.ok and r.value == "+254712345678" and r.extension == "123"
    r = normalize_phone("0712 345678 x45", "KE")
    assert r.value == "+254712345678" and r.extension == "45"
    r = normalize_phone("+44 20 7946 0958 ext 12")
    assert r.extension == "12" and r.line_type == "fixed_line"


def test_phone_excel_scientific_precision_lost():
    r = normalize_phone("2.54712E+11")
    assert not r.ok and r.value is None
    assert "precision lost" in r.note
    assert r.raw == "2.54712E+11"


def test_phone_excel_float_notes():
    r = normalize_phone("254712345678.0", "KE")
    assert r.ok and "Excel" in r.note
    r = normalize_phone(254712345678.0)
    assert r.ok and r.value == "+254712345678" and r.raw == 254712345678.0
    r = normalize_phone(712345678, "KE")
    assert r.ok and r.value == "+254712345678" and "numeric cell" in r.note


@pytest.mark.parametrize(
    "raw,region",
    [
        ("123", "KE"),
        ("0712345678", None),  # national number without region
        ("0712345678", "XX"),  # unusable region hint
        ("+2547123456789", None),  # too long for Kenya
        ("+1 (555) 010-1234", None),  # fictional range
        ("no phone", "KE"),
        ("1" * 40, "KE"),
        ("12345678901234567890123", None),
    ],
)
def test_phone_invalid_kept_raw(raw, region):
    r = normalize_phone(raw, region)
    assert not r.ok and r.value is None and r.raw == raw and r.note


@pytest.mark.parametrize(
    "raw, region",
    [
        ("+254 131 234 567", None),
        ("00254131234567", None),
        ("0131 234 567", "KE"),
        ("254131234567", "KE"),  # call-record style, the region's own code
        ("254131234567", None),
        ("254131234567", "TZ"),  # a Kenyan number in a Tanzanian record: the national reading is impossible
        ("131234567", "KE"),
    ],
)
def test_phone_rejected_by_the_library_keeps_one_loose_form(raw, region):
    # +254 13… is a possible length but no assigned Kenyan range: the library rejects every spelling of it
    r = normalize_phone(raw, region)
    assert not r.ok and r.value is None
    assert r.loose == "+254131234567"


def test_phone_loose_form_needs_a_possible_number():
    assert normalize_phone("+254 13", "KE").loose is None
    assert normalize_phone("12345678901234567890123", None).loose is None
    # a Vietnamese rejected number keeps its own country code, whatever the record's region
    assert normalize_phone("+84 10 1234 567", "KE").loose == normalize_phone("0101234567", "VN").loose


@pytest.mark.parametrize(
    "raw, partial",
    [
        ("35/02/1978", "1978-02"),
        ("31.04.1978", "1978-04"),
        ("29/02/1979", "1979-02"),
        ("May 35 1978", "1978-05"),
        ("1978-02-35", "1978-02"),
        ("13/13/1978", "1978"),  # neither field a month: the year stands
        ("1978-14-40", "1978"),
        ("1060-05-02", None),  # the year itself is impossible: nothing stands
    ],
)
def test_impossible_date_keeps_its_valid_part(raw, partial):
    r = normalize_date(raw)
    assert not r.ok and r.value is None and r.note
    assert r.partial == partial


def test_phone_several_numbers_in_a_cell():
    r = normalize_phone("0712345678 / 0733123456", "KE")
    assert not r.ok and "+254712345678" in r.note and "+254733123456" in r.note


def test_phone_metadata():
    r = normalize_phone("+254712345678")
    assert r.region == "KE" and r.line_type == "mobile" and r.digits == "254712345678"
    r = normalize_phone("0712345678", None)
    assert r.digits == "0712345678"


def test_phone_series_with_row_regions():
    s = pd.Series(["0712345678", "0912345678", "+255754123456", None, "junk"])
    regions = pd.Series(["KE", "VN", None, "KE", "KE"])
    df = N.normalize_phone_series(s, regions)
    assert df["value"].tolist()[:3] == ["+254712345678", "+84912345678", "+255754123456"]
    assert df["ok"].tolist() == [True, True, True, False, False]
    df2 = N.normalize_phone_series(s, "KE")
    assert df2.loc[0, "value"] == "+254712345678"


# --------------------------------------------------------------------------- countries


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("KE", "KE"),
        ("ke", "KE"),
        (" KEN ", "KE"),
        ("404", "KE"),
        (404, "KE"),
        ("4", "AF"),
        ("Kenya", "KE"),
        ("KENYA", "KE"),
        ("Viet Nam", "VN"),
        ("Vietnam", "VN"),
        ("Việt Nam", "VN"),
        ("Tanzania, United Republic of", "TZ"),
        ("United Republic of Tanzania", "TZ"),
        ("Tanzania", "TZ"),
        ("DRC", "CD"),
        ("DR Congo", "CD"),
        ("Congo (Kinshasa)", "CD"),
        ("RDC", "CD"),
        ("Zaire", "CD"),
        ("Congo (Brazzaville)", "CG"),
        ("UAE", "AE"),
        ("U.A.E.", "AE"),
        ("Hong Kong SAR", "HK"),
        ("Hong Kong SAR, China", "HK"),
        ("Lao PDR", "LA"),
        ("Laos", "LA"),
        ("Ivory Coast", "CI"),
        ("Côte d'Ivoire", "CI"),
        ("Cote d’Ivoire", "CI"),
        ("Moçambique", "MZ"),
        ("Mocambique", "MZ"),
        ("Chine", "CN"),
        ("Malásia", "MY"),
        ("Kenia", "KE"),
        ("Afrika Kusini", "ZA"),
        ("Msumbiji", "MZ"),
        ("Südafrika", "ZA"),
        ("Sudáfrica", "ZA"),
        ("Afrique du Sud", "ZA"),
        ("Quénia", "KE"),
        ("Camarões", "CM"),
        ("Cameroun", "CM"),
        ("Birmanie", "MM"),
        ("Burma", "MM"),
        ("Swaziland", "SZ"),
        ("Türkiye", "TR"),
        ("Turkey", "TR"),
        ("UK", "GB"),
        ("USA", "US"),
        ("Marekani", "US"),
        ("中国", "CN"),
        ("香港", "HK"),
        ("Trung Quốc", "CN"),
        ("Falme za Kiarabu", "AE"),
        ("Estados Unidos", "US"),
        ("Royaume-Uni", "GB"),
        ("Niger", "NE"),
        ("Nigeria", "NG"),
        ("Guinea", "GN"),
        ("Guinea-Bissau", "GW"),
        ("Equatorial Guinea", "GQ"),
        ("Sudan", "SD"),
        ("South Sudan", "SS"),
        ("Dominica", "DM"),
        ("Dominican Republic", "DO"),
        ("Kosovo", "XK"),
        ("the Gambia", "GM"),
        ("Republic of Korea", "KR"),
        ("South Korea", "KR"),
        ("North Korea", "KP"),
    ],
)
def test_country_known(raw, expected):
    r = normalize_country(raw)
    assert r.ok, r
    assert r.value == expected
    assert r.name


def test_country_name_and_alpha3():
    r = normalize_country("Viet Nam")
    assert r.name == "Vietnam" and r.alpha3 == "VNM"


@pytest.mark.parametrize("code", ["XX", "xx", "ZZ", "XV"])
def test_country_cites_special_codes(code):
    r = normalize_country(code)
    assert not r.ok and r.value is None and "CITES" in r.note


def test_country_former_codes():
    r = normalize_country("ZR")
    assert r.ok and r.value == "CD" and "former" in r.note
    r = normalize_country("SU")
    assert r.ok and r.value == "SU" and "no single successor" in r.note


def test_country_ambiguous_congo_has_note():
    r = normalize_country("Congo")
    assert r.value == "CG" and "CD" in r.note


def test_country_parts_and_several():
    assert normalize_country("Kenya (KE)").value == "KE"
    assert normalize_country("Nairobi, Kenya").value == "KE"
    assert normalize_country("KE - Kenya").value == "KE"
    r = normalize_country("Kenya / Uganda")
    assert not r.ok and "KE" in r.note and "UG" in r.note


def test_country_fuzzy_is_strict():
    r = normalize_country("Phillipines")
    assert r.ok and r.value == "PH" and "fuzzy" in r.note
    assert normalize_country("Mozambque").value == "MZ"
    # Nigera is between Niger and Nigeria: refuse to guess
    assert not normalize_country("Nigera").ok
    for junk in ["SAR", "Atlantis", "Mordor", "Wakanda", "Unknown", "N/A", "12345", "EU"]:
        assert not normalize_country(junk).ok, junk


def test_country_series():
    df = N.normalize_country_series(pd.Series(["KE", "Kenya", None, "XX"]))
    assert df["value"].tolist()[:2] == ["KE", "KE"]
    assert df["ok"].tolist() == [True, True, False, False]


# --------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    "raw,value,precision",
    [
        ("2023-04-05", "2023-04-05", "day"),
        ("2023-04", "2023-04", "month"),
        ("2023", "2023", "year"),
        ("5 April 2023", "2023-04-05", "day"),
        ("05/04/2023", "2023-04-05", "day"),
        ("13/04/2023", "2023-04-13", "day"),
        ("04/13/2023", "2023-04-13", "day"),
        ("2023-04-05T10:22", "2023-04-05", "day"),
        ("April 2023", "2023-04", "month"),
        ("Apr-23", "2023-04", "month"),
        ("5 avril 2023", "2023-04-05", "day"),
        ("1er mai 2023", "2023-05-01", "day"),
        ("5 de abril de 2023", "2023-04-05", "day"),
        ("abril de 2023", "2023-04", "month"),
        ("março 2023", "2023-03", "month"),
        ("15 juillet 2022", "2022-07-15", "day"),
        ("5 fév. 2023", "2023-02-05", "day"),
        ("5-Apr-2023", "2023-04-05", "day"),
        ("05-APR-23", "2023-04-05", "day"),
        ("April 5, 2023", "2023-04-05", "day"),
        ("Sept. 5, 2023", "2023-09-05", "day"),
        ("Wednesday, 5 April 2023", "2023-04-05", "day"),
        ("5th April 2023", "2023-04-05", "day"),
        ("3 Aprili 2023", "2023-04-03", "day"),
        ("ngày 5 tháng 4 năm 2023", "2023-04-05", "day"),
        ("45021", "2023-04-05", "day"),
        ("20230405", "2023-04-05", "day"),
        ("2023/04/05", "2023-04-05", "day"),
        ("05.04.2023", "2023-04-05", "day"),
        ("04/2023", "2023-04", "month"),
        ("c. 2019", "2019", "year"),
    ],
)
def test_date_formats(raw, value, precision):
    r = normalize_date(raw)
    assert r.ok, r
    assert (r.value, r.precision) == (value, precision)


def test_date_objects_and_excel_serials():
    assert normalize_date(dt.date(2023, 4, 5)).value == "2023-04-05"
    assert normalize_date(dt.datetime(2023, 4, 5, 10, 22)).value == "2023-04-05"
    assert normalize_date(pd.Timestamp("2023-04-05 10:22")).value == "2023-04-05"
    assert normalize_date(np.datetime64("2023-04-05")).value == "2023-04-05"
    r = normalize_date(45021)
    assert r.value == "2023-04-05" and "Excel" in r.note
    assert normalize_date(45021.75).value == "2023-04-05"
    assert normalize_date(np.int64(45021)).value == "2023-04-05"
    assert (normalize_date(2023).value, normalize_date(2023).precision) == ("2023", "year")
    assert normalize_date(2023.0).value == "2023"


def test_date_dayfirst_handling():
    r = normalize_date("05/04/2023")
    assert r.dayfirst_used is True and "ambiguous" in r.note
    r = normalize_date("05/04/2023", dayfirst=False)
    assert r.value == "2023-05-04" and r.dayfirst_used is False and r.note is None
    r = normalize_date("05/04/2023", dayfirst=True)
    assert r.value == "2023-04-05" and r.note is None
    r = normalize_date("13/04/2023", dayfirst=False)
    assert r.value == "2023-04-13" and r.dayfirst_used is True and "forces day-first" in r.note
    r = normalize_date("04/13/2023", dayfirst=True)
    assert r.value == "2023-04-13" and r.dayfirst_used is False
    assert normalize_date("2023-04-05").dayfirst_used is None
    assert normalize_date("12/12/2023").note is None  # same day and month: not ambiguous


def test_date_two_digit_year():
    r = normalize_date("5.4.23")
    assert r.value == "2023-04-05" and "two-digit year" in r.note
    assert normalize_date("05/04/98").value == "1998-04-05"


@pytest.mark.parametrize(
    "raw",
    [
        "31/02/2023",
        "2023-02-29",
        "April 23",
        "hello world",
        "1/2/3",
        "9999",
        "0000-00-00",
        "13/13/2023",
        "2023-04-05-06",
        "<script>",
        "32 April 2023",
        "5 Foo 2023",
        "April May 2023",
        1e20,
        -5,
        3.5,
        True,
    ],
)
def test_date_invalid(raw):
    r = normalize_date(raw)
    assert not r.ok and r.value is None and r.note


def test_date_future_note():
    r = normalize_date("31.12.2099")
    assert r.ok and "future" in r.note


def test_detect_dayfirst():
    assert detect_dayfirst(["05/04/2023", "13/04/2023", "01/01/2023"]) is True
    assert detect_dayfirst(["04/13/2023", "05/04/2023"]) is False
    assert detect_dayfirst(["05/04/2023", "06/04/2023"]) is None  # no evidence
    assert detect_dayfirst(["13/04/2023", "04/13/2023"]) is None  # conflicting
    assert detect_dayfirst([None, 1.0, "2023-04-05", float("nan")]) is None
    assert detect_dayfirst([]) is None
    # a stray typo among many proofs does not flip the decision
    vals = [f"{d}/04/2023" for d in range(13, 29)] * 10 + ["04/13/2023"]
    assert detect_dayfirst(vals) is True
    assert detect_dayfirst(iter(["25/12/2022 10:00"])) is True


def test_normalize_datetime():
    r = normalize_datetime("05/04/2023 14:05", dayfirst=True)
    assert (r.value, r.precision) == ("2023-04-05T14:05:00", "minute")
    r = normalize_datetime("2023-04-05T10:22:07")
    assert (r.value, r.precision) == ("2023-04-05T10:22:07", "second")
    r = normalize_datetime("2023-04-05 10:22:00+03:00")
    assert r.value == "2023-04-05T10:22:00+03:00" and r.utc_offset == "+03:00"
    r = normalize_datetime("2023-04-05T10:22:00.000Z")
    assert r.value == "2023-04-05T10:22:00Z" and r.utc_offset == "Z"
    r = normalize_datetime("05/04/2023 2:05 PM", dayfirst=True)
    assert r.value == "2023-04-05T14:05:00"
    r = normalize_datetime("5 April 2023 14:05")
    assert r.value == "2023-04-05T14:05:00"
    r = normalize_datetime("2023-04-05")
    assert (r.value, r.precision) == ("2023-04-05", "day")
    r = normalize_datetime(45021.5)
    assert r.value == "2023-04-05T12:00:00"
    r = normalize_datetime(dt.datetime(2023, 4, 5, 10, 22, 7))
    assert (r.value, r.precision) == ("2023-04-05T10:22:07", "second")
    r = normalize_datetime(pd.Timestamp("2023-04-05"))  # midnight: a date cell
    assert (r.value, r.precision) == ("2023-04-05", "day")
    aware = dt.datetime(2023, 4, 5, 10, 22, tzinfo=dt.timezone(dt.timedelta(hours=3)))
    assert normalize_datetime(aware).value == "2023-04-05T10:22:00+03:00"
    assert not normalize_datetime("05/04/2023 25:00").ok
    assert not normalize_datetime("05/04/2023 13:05 PM").ok


def test_date_series_decides_dayfirst_per_file():
    s = pd.Series(["05/04/2023", "06/04/2023", "04/13/2023", None])
    df = N.normalize_date_series(s)
    assert df["value"].tolist()[:3] == ["2023-05-04", "2023-06-04", "2023-04-13"]
    assert df["dayfirst_used"].tolist()[:3] == [False, False, False]
    df = N.normalize_date_series(pd.Series(["05/04/2023"]), default_dayfirst=False)
    assert df.loc[0, "value"] == "2023-05-04"


@pytest.mark.parametrize(
    "fmt",
    [
        "%d/%m/%Y %H:%M:%S",
        "%m/%d/%Y %H:%M",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%d.%m.%Y %H:%M:%S",
        "%d %b %Y %H:%M",
    ],
)
def test_datetime_series_matches_per_value(fmt):
    rng = np.random.default_rng(1)
    base = dt.datetime(2022, 1, 1)
    vals: list = [(base + dt.timedelta(seconds=int(x))).strftime(fmt) for x in rng.integers(0, 86400 * 365, 3000)]
    vals[5:12] = [
        "garbage",
        None,
        "31/02/2023 10:00:00",
        45021.5,
        "  05/04/2023 10:00:00 ",
        "2023-02-29 10:00",
        "05/13/2023 10:00",
    ]
    df = N.normalize_datetime_series(pd.Series(vals))
    d = detect_dayfirst(vals)
    for i, v in enumerate(vals):
        r = normalize_datetime(v, d)
        got = tuple(df.iloc[i])
        assert got == (r.value, r.precision, r.ok, r.note, r.dayfirst_used, r.utc_offset), (v, got, r)


# --------------------------------------------------------------------------- species


@pytest.mark.parametrize(
    "raw,value,matched_on",
    [
        ("Manis javanica", "Manis javanica", "scientific"),
        ("manis javanica", "Manis javanica", "scientific"),
        ("MANIS JAVANICA", "Manis javanica", "scientific"),
        ("Manis javanica Desmarest, 1822", "Manis javanica", "scientific"),
        ("Manis javanicus", "Manis javanica", "fuzzy:scientific"),
        ("Manys javanica", "Manis javanica", "fuzzy:scientific"),
        ("Manis spp.", "Manis", "genus"),
        ("Manis sp", "Manis", "genus"),
        ("Manis", "Manis", "genus"),
        ("Manis tricuspis", "Phataginus tricuspis", "synonym"),
        ("Manis gigantea", "Smutsia gigantea", "synonym"),
        ("Smutsia gigantea", "Smutsia gigantea", "scientific"),
        ("Manis temminckii", "Smutsia temminckii", "synonym"),
        ("Uromanis tetradactyla", "Phataginus tetradactyla", "synonym"),
        ("Loxodonta africana cyclotis", "Loxodonta cyclotis", "synonym"),
        ("Loxodonta africana", "Loxodonta africana", "scientific"),
        ("Elephas maximus", "Elephas maximus", "scientific"),
        ("Elephantidae spp.", "Elephantidae", "scientific"),
        ("pangolin", "Manidae", "common:en"),
        ("Pangolins", "Manidae", "common:en"),
        ("tê tê", "Manidae", "common:vi"),
        ("te te", "Manidae", "common:vi"),
        ("穿山甲", "Manidae", "common:zh"),
        ("kakakuona", "Manidae", "common:sw"),
        ("pangolim", "Manidae", "common:pt"),
        ("Pangolin scales", "Manidae", "commodity"),
        ("écailles", "Manidae", "commodity"),
        ("vảy tê tê", "Manidae", "commodity"),
        ("穿山甲鳞片", "Manidae", "commodity"),
        ("ivory", "Elephantidae", "commodity"),
        ("IVOIRE", "Elephantidae", "commodity"),
        ("marfim", "Elephantidae", "commodity"),
        ("ngà voi", "Elephantidae", "commodity"),
        ("象牙", "Elephantidae", "commodity"),
        ("pembe", "Elephantidae", "commodity"),
        ("tusks", "Elephantidae", "commodity"),
        ("elephant", "Elephantidae", "common:en"),
        ("voi", "Elephantidae", "common:vi"),
        ("象", "Elephantidae", "common:zh"),
        ("tembo", "Elephantidae", "common:sw"),
        ("éléphant d'Afrique", "Loxodonta africana", "common:fr"),
        ("rhino horn", "Rhinocerotidae", "commodity"),
        ("corne de rhinocéros", "Rhinocerotidae", "commodity"),
        ("sừng tê giác", "Rhinocerotidae", "commodity"),
        ("犀角", "Rhinocerotidae", "commodity"),
        ("tê giác", "Rhinocerotidae", "common:vi"),
        ("犀牛", "Rhinocerotidae", "common:zh"),
        ("kifaru", "Rhinocerotidae", "common:sw"),
        ("Rhinoceros unicornis", "Rhinoceros unicornis", "scientific"),
        ("white rhino", "Ceratotherium simum", "common:en"),
        ("tiger", "Panthera tigris", "common:en"),
        ("hổ", "Panthera tigris", "common:vi"),
        ("tiger bone", "Panthera tigris", "commodity"),
        ("lion", "Panthera leo", "common:en"),
        ("leopard skin", "Panthera pardus", "commodity"),
        ("jaguar", "Panthera onca", "common:en"),
        ("cheetah", "Acinonyx jubatus", "common:en"),
        ("chimpanzee", "Pan troglodytes", "common:en"),
        ("hawksbill", "Eretmochelys imbricata", "common:en"),
        ("tortoiseshell", "Eretmochelys imbricata", "commodity"),
        ("đồi mồi", "Eretmochelys imbricata", "common:vi"),
        ("radiated tortoise", "Astrochelys radiata", "common:en"),
        ("Geochelone radiata", "Astrochelys radiata", "synonym"),
        ("ploughshare tortoise", "Astrochelys yniphora", "common:en"),
        ("Indian star tortoise", "Geochelone elegans", "common:en"),
        ("African grey parrot", "Psittacus erithacus", "common:en"),
        ("helmeted hornbill", "Rhinoplax vigil", "common:en"),
        ("hornbill casque", "Rhinoplax vigil", "commodity"),
        ("totoaba maw", "Totoaba macdonaldi", "commodity"),
        ("European eel", "Anguilla anguilla", "common:en"),
        ("Dalbergia spp.", "Dalbergia", "genus"),
        ("rosewood", "Dalbergia", "common:en"),
        ("gỗ trắc", "Dalbergia cochinchinensis", "common:vi"),
        ("kosso", "Pterocarpus erinaceus", "common:en"),
        ("agarwood", "Aquilaria", "common:en"),
        ("沉香", "Aquilaria", "common:zh"),
        ("saiga horn", "Saiga", "commodity"),
        ("hippo teeth", "Hippopotamus amphibius", "commodity"),
        ("black coral", "Antipatharia", "common:en"),
        ("Manta birostris", "Mobula birostris", "synonym"),
        ("bear bile", "Ursidae", "commodity"),
        ("熊胆", "Ursidae", "commodity"),
    ],
)
def test_species_known(raw, value, matched_on):
    r = normalize_species(raw)
    assert r.ok, r
    assert r.value == value
    assert r.matched_on == matched_on
    assert r.raw == raw


def test_species_appendix_and_taxonomy():
    r = normalize_species("Manis javanica")
    assert (r.appendix, r.rank, r.family, r.order, r.class_name) == ("I", "species", "Manidae", "Pholidota", "Mammalia")
    assert r.common_name == "Sunda pangolin"
    r = normalize_species("ivory")
    assert r.rank == "family" and r.appendix == "I/II"
    assert normalize_species("Psittacus erithacus").appendix == "I"
    assert normalize_species("Sphyrna lewini").appendix == "II"
    assert normalize_species("Odobenus rosmarus").appendix == "III"
    r = normalize_species("Loxodonta cyclotis")
    assert "uncertain" in r.note


def test_species_longer_text():
    r = normalize_species("3 bags of pangolin scales (approx 75 kg)")
    assert r.value == "Manidae" and r.matched_on == "commodity"
    r = normalize_species("Loxodonta africana (raw tusks)")
    assert r.value == "Loxodonta africana"
    assert normalize_species("live African grey parrots").value == "Psittacus erithacus"
    assert normalize_species("hammerhead shark fins").value == "Sphyrnidae"
    assert normalize_species("非洲象牙").value == "Loxodonta africana"  # 非洲象 + 象牙 nest
    assert normalize_species("Ivory (worked)").value == "Elephantidae"


def test_species_containment_prefers_specific_commodity():
    assert normalize_species("hippo ivory").value == "Hippopotamus amphibius"
    assert normalize_species("hornbill ivory").value == "Rhinoplax vigil"
    assert normalize_species("narwhal tusk").value == "Monodon monoceros"
    assert normalize_species("walrus ivory").value == "Odobenus rosmarus"
    assert normalize_species("écailles de tortue").value == "Eretmochelys imbricata"


def test_species_several_taxa_is_not_ok():
    r = normalize_species("ivory and rhino horn")
    assert not r.ok and "Elephantidae" in r.note and "Rhinocerotidae" in r.note


@pytest.mark.parametrize(
    "raw",
    [
        "mammoth ivory",
        "fossil ivory",
        "fake rhino horn",
        "imitation ivory",
        "warthog tusks",
        "buffalo horn",
        "ngà voi giả",
        "猛犸象牙",
    ],
)
def test_species_lookalikes_not_ok(raw):
    r = normalize_species(raw)
    assert not r.ok and r.value is None


@pytest.mark.parametrize(
    "raw",
    [
        "Pangasius",
        "Pangasius hypophthalmus",
        "Mantis religiosa",
        "mango",
        "Manila",
        "elegant",
        "pelican",
        "eagle",
        "Mombasa",
        "cargo",
        "electronics",
        "cashew nuts",
        "charcoal",
        "tuna",
        "sea bass",
        "Ivory Coast",
        "scales",
        "horns",
        "skins",
        "hồ",
        "vòi",
        "Testudo graeca",
        "Felidae",
        "Pterocarpus indicus",
        "Crocodylus siamensis",
        "Toyota Hilux",
        "mobile phones",
        "cocaine",
        "tigers eye stone",
        "Panasonic",
        "Pangaea",
        "Tigris",
        "Lionel",
    ],
)
def test_species_never_matches_unrelated(raw):
    r = normalize_species(raw)
    assert not r.ok and r.value is None, r
    assert r.raw == raw


def test_species_fuzzy_common_names():
    r = normalize_species("pangollin")
    assert r.value == "Manidae" and r.matched_on == "fuzzy:common"
    assert normalize_species("elephent").value == "Elephantidae"


def test_species_unknown_species_of_wholly_listed_genus():
    r = normalize_species("Hippocampus kuda")
    assert r.ok and r.value == "Hippocampus" and r.matched_on == "genus" and "not in checklist" in r.note


def test_species_checklist_content():
    taxa = N.load_checklist()
    species = [t for t in taxa.values() if t.rank == "species"]
    assert len(species) >= 60
    pangolins = {n for n, t in taxa.items() if t.family == "Manidae" and t.rank == "species"}
    assert len(pangolins) == 8
    for name in [
        "Loxodonta africana",
        "Loxodonta cyclotis",
        "Elephas maximus",
        "Ceratotherium simum",
        "Diceros bicornis",
        "Rhinoceros unicornis",
        "Rhinoceros sondaicus",
        "Dicerorhinus sumatrensis",
        "Panthera tigris",
        "Panthera leo",
        "Panthera pardus",
        "Panthera onca",
        "Acinonyx jubatus",
        "Eretmochelys imbricata",
        "Astrochelys radiata",
        "Astrochelys yniphora",
        "Geochelone elegans",
        "Psittacus erithacus",
        "Rhinoplax vigil",
        "Totoaba macdonaldi",
        "Anguilla anguilla",
        "Saiga tatarica",
        "Hippopotamus amphibius",
        "Antipatharia",
        "Dalbergia",
        "Aquilaria",
    ]:
        assert name in taxa, name
    for t in taxa.values():
        assert t.appendix in (None, "I", "II", "III", "I/II"), t


def test_species_series():
    df = N.normalize_species_series(pd.Series(["ivory", "Manis spp.", None, "mango"]))
    assert df["value"].tolist()[:2] == ["Elephantidae", "Manis"]
    assert df["ok"].tolist() == [True, True, False, False]


# --------------------------------------------------------------------------- quantities


@pytest.mark.parametrize(
    "raw,unit,amount,canon,count,count_unit",
    [
        ("1,250.5 kg", None, 1250.5, "kg", None, None),
        ("1.250,5 kg", None, 1250.5, "kg", None, None),
        ("1 250,5 kg", None, 1250.5, "kg", None, None),
        ("12,5 kg", None, 12.5, "kg", None, None),
        ("0,5 kg", None, 0.5, "kg", None, None),
        ("1,250,000 kg", None, 1_250_000, "kg", None, None),
        ("500 g", None, 0.5, "kg", None, None),
        ("1.5t", None, 1500, "kg", None, None),
        ("3 tonnes", None, 3000, "kg", None, None),
        ("2 tons", None, 2000, "kg", None, None),
        ("10 lbs", None, 4.5359237, "kg", None, None),
        ("5 公斤", None, 5, "kg", None, None),
        ("12 tusks", None, 12, "pieces", 12, "tusks"),
        ("3 horns", None, 3, "pieces", 3, "horns"),
        ("12 skins", None, 12, "pieces", 12, "skins"),
        ("15 scales", None, 15, "pieces", 15, "scales"),
        ("4 live parrots", None, 4, "pieces", 4, "live"),
        ("3 ivory pieces", None, 3, "pieces", 3, "ivory pieces"),
        ("2 bags", None, 2, "items", 2, "bags"),
        ("1 container", None, 1, "items", 1, "containers"),
        ("approx 40kg", None, 40, "kg", None, None),
        ("2 x 25 kg bags", None, 50, "kg", 2, "bags"),
        ("2 bags x 25kg", None, 50, "kg", 2, "bags"),
        ("2x25kg", None, 50, "kg", None, None),
        ("3 sacs de 25 kg", None, 75, "kg", 3, "bags"),
        ("12 tusks (45 kg)", None, 45, "kg", 12, "tusks"),
        ("45kg / 12 pcs", None, 45, "kg", 12, "pieces"),
        ("12 tusks weighing 45.5kg", None, 45.5, "kg", 12, "tusks"),
        ("5 litres", None, 5, "l", None, None),
        ("250 ml", None, 0.25, "l", None, None),
        ("3.5 m3", None, 3.5, "m3", None, None),
        ("3,5 cbm", None, 3.5, "m3", None, None),
        ("25 sq ft", None, 2.322576, "m2", None, None),
        ("30 kg net", None, 30, "kg", None, None),
        ("Kg 30", None, 30, "kg", None, None),
        ("10 kgs.", None, 10, "kg", None, None),
        (12, "kg", 12, "kg", None, None),
        (12.5, "g", 0.0125, "kg", None, None),
        ("7", "kg", 7, "kg", None, None),
        (3, "KIL", 3, "kg", None, None),
        (2, "cu.m", 2, "m3", None, None),
        (5, "TUS", 5, "pieces", 5, "tusks"),
        (12, None, 12, "pieces", 12, "specimens"),
        (12, "Number of specimens", 12, "pieces", 12, "specimens"),
        ("0", None, 0, "pieces", 0, "specimens"),
        ("3 bags, 120 tusks", None, 120, "pieces", 120, "tusks"),
    ],
)
def test_quantity(raw, unit, amount, canon, count, count_unit):
    r = normalize_quantity(raw, unit)
    assert r.ok, r
    assert r.amount == pytest.approx(amount) and r.value == r.amount
    assert r.unit == canon
    assert r.count == (pytest.approx(count) if count is not None else None)
    assert r.count_unit == count_unit
    assert r.raw is raw and r.raw_unit is unit


def test_quantity_approx_and_notes():
    r = normalize_quantity("approx 40kg")
    assert r.approx and "approximate" in r.note
    assert normalize_quantity("20 kg (approx)").approx
    assert normalize_quantity("~ 3 t").approx
    r = normalize_quantity("more than 100 kg")
    assert r.ok and r.approx and "bound" in r.note
    assert not normalize_quantity("20 kg").approx
    assert "metric" in normalize_quantity("2 tons").note
    assert "specimens" in normalize_quantity(12).note


def test_quantity_ambiguous_separators():
    r = normalize_quantity("1,250 kg")
    assert r.amount == 1250 and "ambiguous" in r.note
    r = normalize_quantity("1.250 kg")
    assert r.amount == 1.25 and "ambiguous" in r.note
    assert normalize_quantity("1.250 kg", decimal=",").amount == 1250
    assert normalize_quantity("1,250 kg", decimal=",").amount == 1.25
    assert normalize_quantity("1,250 kg", decimal=".").amount == 1250
    assert normalize_quantity("1.250.000 kg").amount == 1_250_000


def test_quantity_cites_term():
    r = normalize_quantity(5, None, term="tusks")
    assert (r.unit, r.count_unit) == ("pieces", "tusks")
    r = normalize_quantity(5, "", term="TUS")
    assert r.count_unit == "tusks"
    r = normalize_quantity(7, None, term="IVP")
    assert r.count_unit == "ivory pieces"
    r = normalize_quantity(5, "kg", term="TUS")
    assert (r.unit, r.count_unit) == ("kg", None)


def test_quantity_text_unit_overrides_column():
    r = normalize_quantity("7 kg", "g")
    assert r.amount == 7 and r.unit == "kg" and "overrides" in r.note


@pytest.mark.parametrize(
    "raw,unit",
    [
        ("N/A", None),
        ("unknown", None),
        ("several bags", None),
        ("-5 kg", None),
        (-5, "kg"),
        ("40-50 kg", None),
        ("2 kg and 3 kg", None),
        ("12", "furlongs"),
        ("12 in box", None),
        ("<script>", None),
        ("1e5", None),
        (float("inf"), "kg"),
        ("x" * 500, None),
    ],
)
def test_quantity_not_ok(raw, unit):
    r = normalize_quantity(raw, unit)
    assert not r.ok and r.value is None and r.amount is None and r.note


def test_quantity_range_note():
    r = normalize_quantity("40-50 kg")
    assert "range" in r.note


def test_parse_number_and_decimal_detection():
    assert N.parse_number("1,250.5") == (1250.5, None)
    assert N.parse_number("1.250,5") == (1250.5, None)
    assert N.parse_number("1,2,3")[0] is None
    assert N.parse_number("abc")[0] is None
    assert detect_decimal_separator(["1.250,5", "12,5", "3"]) == ","
    assert detect_decimal_separator(["1,250.5", "12.5"]) == "."
    assert detect_decimal_separator(["1,250", "7"]) is None
    assert detect_decimal_separator([None, 3, float("nan")]) is None


def test_normalize_unit():
    assert N.normalize_unit("kg").unit == "kg"
    assert N.normalize_unit("KIL").unit == "kg"
    assert N.normalize_unit("Kilogrammes").unit == "kg"
    assert N.normalize_unit("bags").count_unit == "bags"
    assert N.normalize_unit("furlongs") is None


def test_quantity_series():
    qty = pd.Series(["12 kg", 3.0, "2 x 25 kg bags", None, "12 tusks"], dtype=object)
    unit = pd.Series([None, "kg", None, "kg", None])
    df = N.normalize_quantity_series(qty, unit)
    assert df["amount"].tolist()[:3] == [12.0, 3.0, 50.0]
    assert math.isnan(df["amount"].iloc[3])
    assert df["ok"].tolist() == [True, True, True, False, True]
    assert df.loc[4, "count_unit"] == "tusks"
    df = N.normalize_quantity_series(pd.Series([1.5, 2.0]), "t")
    assert df["amount"].tolist() == [1500.0, 2000.0]


# --------------------------------------------------------------------------- organisations


@pytest.mark.parametrize(
    "raw,key,legal",
    [
        ("ABC Imp. & Exp. Co., Ltd.", "abc import export", "Co. Ltd"),
        ("ABC IMPORT-EXPORT COMPANY LIMITED", "abc import export", "Co. Ltd"),
        ("Abc Import & Export Co Ltd", "abc import export", "Co. Ltd"),
        ("ABC Imp/Exp Co", "abc import export", "Co"),
        ("ABC Exim Pte Ltd", "abc import export", "Pte Ltd"),
        ("Kampala Imports and Exports Ltd", "kampala import export", "Ltd"),
        ("Công ty TNHH Thương mại XNK Hoàng Long", "thuong mai xuat nhap khau hoang long", "Cong ty TNHH"),
        ("CONG TY TNHH THUONG MAI XUAT NHAP KHAU HOANG LONG", "thuong mai xuat nhap khau hoang long", "Cong ty TNHH"),
        ("Cty CP Dau Tu ABC", "dau tu abc", "Cong ty CP"),
        ("Sinar Jaya Sdn. Bhd.", "sinar jaya", "Sdn Bhd"),
        ("Sinar Jaya Berhad", "sinar jaya", "Bhd"),
        ("Golden Ivory Trading (Pty) Ltd", "golden ivory trading", "Pty Ltd"),
        ("Transportes Maputo, Limitada", "transportes maputo", "Ltda"),
        ("Transportes Maputo Lda", "transportes maputo", "Lda"),
        ("Bois du Congo SARL", "bois du congo", "SARL"),
        ("SARL Bois du Congo", "bois du congo", "SARL"),
        ("Société Forestière SA", "societe forestiere", "SA"),
        ("Société Forestière S.A.S.", "societe forestiere", "SAS"),
        ("Wildlife Logistics LLC", "wildlife logistics", "LLC"),
        ("Al Noor Gen. Trading L.L.C.", "al noor general trading", "LLC"),
        ("Acme Corp.", "acme", "Corp"),
        ("Acme Inc", "acme", "Inc"),
        ("Hamburg Handels GmbH", "hamburg handels", "GmbH"),
        ("Lion Exports Plc", "lion exports", "Plc"),
        ("Vietnam Timber JSC", "vietnam timber", "JSC"),
        ("Vietnam Timber Joint Stock Company", "vietnam timber", "JSC"),
        ("The Elephant Trading Co.", "elephant trading", "Co"),
        ("M/s Shree Exports Pvt. Ltd.", "shree exports", "M/s + Pvt Ltd"),
        ("PT Sinar Mas Tbk", "sinar mas", "PT + Tbk"),
        ("深圳市象牙贸易有限公司", "shen zhen shi xiang ya mao yi", "Co. Ltd"),
    ],
)
def test_org_names(raw, key, legal):
    r = normalize_org_name(raw)
    assert r.ok, r
    assert r.key == key
    assert r.legal_form == legal
    assert r.raw == raw


def test_org_same_key_for_variants():
    variants = [
        "Hoang Long Trading Co., Ltd.",
        "HOANG LONG TRADING COMPANY LIMITED",
        "Hoàng Long Trading Co Ltd",
        "hoang long trading co.,ltd",
        "  Hoang   Long Trading Co. Ltd ",
    ]
    assert len({normalize_org_name(v).key for v in variants}) == 1


def test_org_display_value():
    r = normalize_org_name("  ABC Imp. & Exp. Co., Ltd. ")
    assert r.value == "ABC Import Export Co., Ltd."


def test_org_not_ok():
    assert not normalize_org_name("Ltd").ok
    assert not normalize_org_name("!!!").ok
    assert not normalize_org_name("x" * 400).ok
    r = normalize_org_name("<b>Acme</b> Ltd")
    assert r.ok and r.key == "acme" and "markup" in r.note
    assert N.org_name_key("ABC Imp. & Exp. Co., Ltd.") == "abc import export"


# --------------------------------------------------------------------------- identifiers


def test_passport():
    r = normalize_passport("ak 123-456")
    assert r.ok and r.value == "AK123456"
    assert normalize_passport("Passport No. A1234567").value == "A1234567"
    r = normalize_passport("A1234567", country="Kenya")
    assert r.country == "KE"
    r = normalize_passport("A1234567 (Kenya)")
    assert (r.value, r.country) == ("A1234567", "KE")
    r = normalize_passport("KEN A1234567")
    assert (r.value, r.country) == ("A1234567", "KE")
    r = normalize_passport("A1234567 (Uganda)", country="KE")
    assert r.country == "UG" and "differs" in r.note
    for bad in ["123", "ABCDEFG", "A12345678901234567", "<script>"]:
        assert not normalize_passport(bad).ok, bad


def test_plate():
    assert normalize_plate("KCA 123A").value == "KCA123A"
    assert normalize_plate("51F-123.45").value == "51F12345"
    assert normalize_plate("plate: kbz 456y").value == "KBZ456Y"
    assert normalize_plate("KCA 123A", country="KE").country == "KE"
    for bad in ["ABC", "1", "<script>", "A" * 20]:
        assert not normalize_plate(bad).ok


def test_imo():
    assert N.imo_check_digit_ok("9074729")
    assert not N.imo_check_digit_ok("9074728")
    assert normalize_imo("IMO 9074729").value == "IMO9074729"
    assert normalize_imo("9074729").value == "IMO9074729"
    assert normalize_imo(9074729).value == "IMO9074729"
    assert normalize_imo("IMO no. 9074729").ok
    r = normalize_imo("IMO9074728")
    assert not r.ok and "check digit" in r.note
    assert "MMSI" in normalize_imo("123456789").note
    assert not normalize_imo("abc").ok


def test_email():
    assert normalize_email("John.Doe@Example.COM").value == "john.doe@example.com"
    assert normalize_email("mailto:a@b.co").value == "a@b.co"
    assert normalize_email("John <john@x.org>").value == "john@x.org"
    r = normalize_email("john [at] gmail [dot] com")
    assert r.value == "john@gmail.com" and "obfuscated" in r.note
    assert normalize_email("user@例え.jp").value == "user@xn--r8jz45g.jp"
    for bad in [
        "a@b",
        "a@@b.com",
        "@x.com",
        "a@b.c",
        "a..b@x.com",
        ".a@x.com",
        "a@-x.com",
        "a b@x.com",
        "x" * 70 + "@a.com",
        "<script>@x.com",
        "plainaddress",
    ]:
        assert not normalize_email(bad).ok, bad


def test_flight():
    assert normalize_flight("KQ 102").value == "KQ102"
    r = normalize_flight("KQ0102")
    assert r.value == "KQ102" and "leading zeros" in r.note
    assert normalize_flight("et-302").value == "ET302"
    assert normalize_flight("Flight EK 722").value == "EK722"
    assert normalize_flight("KQ102/05APR").value == "KQ102"
    assert normalize_flight("KQA102").value == "KQA102"
    assert normalize_flight("9W 123").value == "9W123"
    for bad in ["1234", "K", "<script>", "flight", "KQ 12345"]:
        assert not normalize_flight(bad).ok, bad


def test_awb():
    assert N.awb_check_digit_ok("12345675")
    assert not N.awb_check_digit_ok("12345676")
    assert normalize_awb("176-12345675").value == "176-12345675"
    assert normalize_awb("176 1234 5675").value == "176-12345675"
    assert normalize_awb("17612345675").value == "176-12345675"
    assert normalize_awb(17612345675).value == "176-12345675"
    assert normalize_awb("AWB 176-12345675").value == "176-12345675"
    assert normalize_awb("MAWB: 176-1234 5675").value == "176-12345675"
    r = normalize_awb("176-12345676")
    assert not r.ok and "check digit" in r.note
    r = normalize_awb("HAWB SZX123456")
    assert r.ok and "house" in r.note
    assert not normalize_awb("abc").ok


REPORT = (
    "On 5 April 2023 the suspect (Kenyan passport No. AK1234567) contacted +254 712 345 678 and 0733 123456 "
    "from email j.doe@gmail.com; also wrote to trader [at] example [dot] com. The consignment flew on flight "
    "KQ 102 under AWB 176-12345675 (phone 00254712345678). Truck reg. KCA 123A and Vietnamese plate biển số "
    "51F-123.45 seen. Vessel MV Ocean IMO 9074729. Other number 176-12345676 is invalid. Room 1234567."
)


def test_extract_identifiers():
    found = extract_identifiers(REPORT, "KE")
    assert ("passport", "AK1234567", "AK1234567") in found
    assert ("phone", "+254 712 345 678", "+254712345678") in found
    assert ("phone", "0733 123456", "+254733123456") in found
    assert ("phone", "00254712345678", "+254712345678") in found
    assert ("email", "j.doe@gmail.com", "j.doe@gmail.com") in found
    assert ("email", "trader [at] example [dot] com", "trader@example.com") in found
    assert ("flight", "KQ 102", "KQ102") in found
    assert ("awb", "176-12345675", "176-12345675") in found
    assert ("plate", "KCA 123A", "KCA123A") in found
    assert ("plate", "51F-123.45", "51F12345") in found
    assert ("imo", "IMO 9074729", "IMO9074729") in found
    values = [v for _, _, v in found]
    assert "176-12345676" not in values and "+25412345676" not in values
    assert not any(k == "passport" and v == "1234567" for k, _, v in found)
    # in order of appearance
    kinds = [k for k, _, _ in found]
    assert kinds[0] == "passport" and kinds[-1] == "imo"


def test_extract_identifiers_is_conservative():
    txt = "Meeting at 10:30 on 05/04/2023 in room 1234567; 12 tusks weighing 45 kg; price 176 1234 5676 KES."
    assert extract_identifiers(txt) == []
    txt = "The plate was empty. Register the passport holder. AWB number unknown."
    assert extract_identifiers(txt) == []
    # an AWB written with spaces needs a context word
    assert extract_identifiers("ref 176 1234 5675") == []
    assert extract_identifiers("air waybill 176 1234 5675") == [("awb", "176 1234 5675", "176-12345675")]


def test_extract_identifiers_junk():
    assert extract_identifiers(None) == []
    assert extract_identifiers("") == []
    assert extract_identifiers(12345) == []
    assert extract_identifiers("<script>" * 10_000) == []
    big = ("lorem ipsum " * 5_000) + " contact +254712345678 "
    assert extract_identifiers(big) == [("phone", "+254712345678", "+254712345678")]


# --------------------------------------------------------------------------- Malay name structure


@pytest.mark.parametrize(
    "raw, given, family",
    [
        ("Mohd Faizal bin Osman", "faizal", "osman"),
        ("Muhammad Faizal Osman", "faizal", "osman"),
        ("Mohamad Faizal bin Osman", "faizal", "osman"),  # spelt out: a prefix beside the patronymic marker
        ("OSMAN, Mohd Faizal", "faizal", "osman"),
        ("Siti Aminah binti Abdullah", "aminah", "abdullah"),
        ("Faizal bin Osman", "faizal", "osman"),
        # no personal name after it, or an Arab or Egyptian name: Muhammad is the given name
        ("Mohd Osman", "muhammad", "osman"),
        ("Mohammed bin Salman", "mohammed", "salman"),
        ("Mohamed Salah Ghaly", "mohamed", "ghaly"),
    ],
)
def test_malay_devotional_prefix_is_not_the_given_name(raw, given, family):
    from linkgraph.normalize.names import normalize_person_name

    v = normalize_person_name(raw)
    assert (v.given, v.family) == (given, family)


def test_malay_prefix_stays_in_the_identity_key():
    from linkgraph.normalize.names import name_key

    # the key makes a Person's identity in the store: parsing the prefix out of the given name must not change it
    assert name_key("Mohd Faizal bin Osman") == "faizal muhammad osman" == name_key("Muhammad Faizal Osman")
    assert name_key("Faizal bin Osman") == "faizal osman"


@pytest.mark.parametrize(
    "raw, region",
    [
        ("+255 754 1112223", None),
        ("00255 7541112223", None),
        ("0754 1112223", "TZ"),
        ("2557541112223", "TZ"),  # the record's own country code, no '+'
    ],
)
def test_phone_of_impossible_length_keeps_its_national_number(raw, region):
    # a digit too many for Tanzania: no valid or possible number, but one national significant number under the
    # country of its explicit prefix or its record, so the four spellings agree
    r = normalize_phone(raw, region)
    assert not r.ok and r.value is None and r.loose == "+2557541112223"


def test_phone_of_impossible_length_needs_a_country_to_read_it_in():
    # no '+', no 00 and no record country: "255…" could be anything, and nothing is made up
    assert normalize_phone("2557541112223", None).loose is None
    assert normalize_phone("+255 75", None).loose is None
