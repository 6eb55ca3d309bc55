"""Naming the lines of refused codes: the TSV key, SDMX-CSV columns, and any delimited file (table-driven)."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from cluster_map.sources.eurostat import lines_with_codes
from cluster_map.sources.integrity import lines_with_values

TSV = (
    "freq,unit,nace_r2,geo\\TIME_PERIOD\t2021 \t2022 \n"
    "A,NR,C29,HU11\t1 \t2 \n"
    "A,NR,Z99,HU11\t1 \t2 \n"
    "A,NR,C29,QQ77\t: \t3 \n"
    "A,NR,Z99,QQ77\t4 \t5 \n"
)
SDMX = (
    "DATAFLOW,LAST UPDATE,freq,nace_r2,geo,TIME_PERIOD,OBS_VALUE,OBS_FLAG\n"
    "ESTAT:X(1.0),01/01/24,A,C29,HU11,2021,1,\n"
    "ESTAT:X(1.0),01/01/24,A,Z99,HU11,2021,1,\n"
    "ESTAT:X(1.0),01/01/24,A,C29,QQ77,2021,2,\n"
)


@pytest.mark.parametrize(
    ("name", "text", "dim", "codes", "lines"),
    [
        ("x.tsv", TSV, "nace_r2", {"Z99"}, {"Z99": [3, 5]}),
        ("x.tsv", TSV, "geo", {"QQ77", "HU12"}, {"QQ77": [4, 5], "HU12": []}),
        ("x.tsv.gz", TSV, "geo", {"QQ77"}, {"QQ77": [4, 5]}),
        ("x.tsv", TSV, "indic_sbs", {"Z99"}, {"Z99": []}),  # not a dimension of the file
        ("x.csv", SDMX, "nace_r2", {"Z99"}, {"Z99": [3]}),
        ("x.csv", SDMX, "geo", {"QQ77"}, {"QQ77": [4]}),
    ],
)
def test_lines_with_codes(
    tmp_path: Path, name: str, text: str, dim: str, codes: set[str], lines: dict[str, list[int]]
) -> None:
    path = tmp_path / name
    path.write_bytes(gzip.compress(text.encode()) if name.endswith(".gz") else text.encode())
    assert lines_with_codes(path, dim, codes) == lines


def test_lines_with_codes_stops_at_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "x.tsv"
    path.write_text(TSV.splitlines()[0] + "\n" + "".join(f"A,NR,Z99,R{i}\t1 \t2 \n" for i in range(9)))
    assert lines_with_codes(path, "nace_r2", {"Z99"}, limit=3) == {"Z99": [2, 3, 4]}


def test_lines_with_values_finds_whole_fields(tmp_path: Path) -> None:
    path = tmp_path / "states.csv"
    path.write_text('state,cluster,emp\n"06",Z99,10\n06,Z990,3\n"Z99",C,1\n')
    assert lines_with_values(path, {"Z99"}) == {"Z99": [2, 4]}
