"""Upload validation: every problem named with line, column and value; metrics of a good file."""

from __future__ import annotations

import pytest

from cluster_map.errors import InputError
from cluster_map.services import uploads

HEADER = b"region,sector,year,employment\n"
GOOD = HEADER + b"AT13,C29,2015,1100\nAT13,F41,2015,380\nAT12,C29,2015,80\nAT12,F41,2015,520\n"


@pytest.mark.parametrize(
    ("data", "messages"),
    [
        (b"", ["the file is empty"]),
        (
            b"region;sector;year;employment\nAT13;C29;2015;1\n",
            ["line 1: the header", "separated by ';'; use commas"],
        ),
        (b"region\tsector\tyear\temployment\n", ["separated by a tab"]),
        (b"reg,sector,year,employment\nA,B,2015,1\n", ["line 1: missing column ['region']"]),
        (b"region,region,sector,year,employment\n", ["column ['region'] appear more than once"]),
        (HEADER, ["has a header but no data rows"]),
        (HEADER + b"AT13,C29,2015\n", ["line 2: 3 fields, the header has 4"]),
        (HEADER + b"AT13,C29,15,1\n", ["line 2, column 'year': '15' is not a year"]),
        (HEADER + b"AT13,C29,2015,1 000\n", ["line 2, column 'employment': '1 000' is not a number >= 0"]),
        (HEADER + b"AT13,C29,2015,-1\n", ["'-1' is not a number >= 0"]),
        (HEADER + b"AT13,C29,2015,nan\n", ["'nan' is not a number >= 0"]),
        (HEADER + b"<script>,C29,2015,1\n", ["line 2, column 'region': '<script>' is not a code"]),
        (
            HEADER + b"AT13,C29,2015,1\nAT13,C29,2015,2\n",
            ["line 3: region 'AT13', sector 'C29', year 2015 already given in line 2"],
        ),
        (HEADER + b"AT13,C29,2015,1\n\xe9\n", ["line 3: byte b'\\xe9' at offset", "is not UTF-8"]),
    ],
)
def test_bad_files_are_refused_with_precise_messages(data: bytes, messages: list[str]) -> None:
    with pytest.raises(InputError) as err:
        uploads.load(data, name="mine.csv")
    text = str(err.value)
    assert "'mine.csv' was not imported" in text and "nothing was changed" in text
    for m in messages:
        assert m in text


def test_all_problems_are_reported_at_once() -> None:
    data = HEADER + b"AT13,C29,15,x\nZZ99,C29,2015,1\nAT13,,2015,1\n"
    with pytest.raises(InputError) as err:
        uploads.load(data, known_regions={"AT13"})
    text = str(err.value)
    assert "(4 problems;" in text
    assert "line 2, column 'year'" in text and "line 2, column 'employment'" in text
    assert "line 3, column 'region': unknown region code 'ZZ99'" in text
    assert "line 4, column 'sector': ''" in text


def test_many_problems_are_cut_after_twenty() -> None:
    data = HEADER + b"".join(b"AT13,C%d,15,1\n" % i for i in range(30))
    with pytest.raises(InputError) as err:
        uploads.load(data)
    assert "... and 10 more" in str(err.value)


def test_too_large_file() -> None:
    with pytest.raises(InputError, match="the limit is"):
        uploads.parse(b"x" * (uploads.MAX_BYTES + 1))


def test_good_file_gives_metrics() -> None:
    up = uploads.load(
        b"\xef\xbb\xbf" + GOOD.replace(b"employment\n", b"employment\r\n"),
        name="ok.csv",
        known_regions={"AT12", "AT13"},
    )
    assert up.rows == 4 and up.name == "ok.csv"
    lq = up.metrics.set_index(["region", "sector"])["lq"]
    assert lq[("AT13", "C29")] == pytest.approx((1100 / 1480) / (1180 / 2080))
    assert {"share_region", "stars", "strong"} <= set(up.metrics.columns)


def test_optional_columns_are_read() -> None:
    data = b"region,sector,year,employment,establishments,country\nAT13,C29,2015,10,,at\nAT12,C29,2015,5,2,\n"
    rows = uploads.parse(data)
    assert rows["country"].tolist() == ["AT", "AT"]
    assert rows["establishments"].isna().tolist() == [True, False]
