"""The bad-input table: ``cluster-map ingest`` over copies of real mirror files, each with one corruption.

Every row copies the real mirror beside the test (entries linked, the corrupted files written), runs the
CLI (``cluster_map.cli.main.main``) against a copy of the session's mirror store, and checks the exit
code, the message (file, line and value named, never a traceback) and that the previous store is byte
for byte what it was. Statistics corruptions reload one dataset (``--only lfst_r_lfe2en2``: the same
reader, recoding and code checks as a full ingest, in a few seconds); corruptions of geometry, code
lists and directories need a full ingest. One row is a good ingest of hostile text: region and
organisation names holding Markdown links and images, and a region whose ring crosses itself in a tiny
loop, are accepted, kept as text byte for byte, and the repair is listed.

``python tests/cli/test_bad_inputs.py`` prints the table (markdown) for a release note.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if __name__ == "__main__":  # run as a script: the package and the tests from this checkout
    sys.path.insert(0, str(ROOT))

from cluster_map.cli.main import main  # noqa: E402

pytestmark = [pytest.mark.mirror, pytest.mark.slow]

LFS = "eurostat/bulk/lfst_r_lfe2en2.tsv.gz"
NUTS2024 = "gisco/nuts/geojson/NUTS_RG_20M_2024_4326.geojson"
NUTS2021_XLSX = "eurostat/nuts/NUTS2021.xlsx"
EU_ORGS = "cluster_organisations/eu_cluster_organisations.csv"
ONLY_LFS = ("--only", "lfst_r_lfe2en2")
#: Hostile names: a Markdown image that would fetch from another host, and a phishing link.
IMAGE = "![t](http://evil.example/t.png) Oberbayern <b>x</b>"
LINK = "[Your session expired - sign in again](http://evil.example/phish) Austrian Cluster Platform"


# --- corruptions: real bytes in, damaged bytes out ----------------------------------------------------
def _tsv_lines(edit: Callable[[list[str]], list[str]]) -> Callable[[bytes], bytes]:
    def damage(real: bytes) -> bytes:
        lines = gzip.decompress(real).decode("utf-8").split("\n")
        return gzip.compress("\n".join(edit(lines)).encode("utf-8"), mtime=0)

    return damage


def _key(line: str, j: int, code: str) -> str:
    """``line`` with code ``j`` of its key replaced by ``code``."""
    key, rest = line.split("\t", 1)
    parts = key.split(",")
    parts[j] = code
    return ",".join(parts) + "\t" + rest


def inject_sector(lines: list[str]) -> list[str]:  # line 6: NACE Z99
    return [*lines[:5], _key(lines[1], 1, "Z99"), *lines[5:]]


def inject_region(lines: list[str]) -> list[str]:  # line 9: region QQ77
    return [*lines[:8], _key(lines[2], 3, "QQ77"), *lines[8:]]


def inject_both(lines: list[str]) -> list[str]:  # lines 6 and 9
    return inject_region(inject_sector(lines))


def short_line(lines: list[str]) -> list[str]:  # line 4 loses its last cell
    return [*lines[:3], lines[3].rsplit("\t", 1)[0], *lines[4:]]


def non_numeric(lines: list[str]) -> list[str]:  # line 3, column 2
    return [*lines[:2], lines[2].replace("\t5.2 u\t", "\tfive u\t", 1), *lines[3:]]


def unknown_flag(lines: list[str]) -> list[str]:  # line 2, column 9: flag 'q'
    return [lines[0], lines[1].replace("13.1 b", "13.1 q"), *lines[2:]]


def duplicate_key(lines: list[str]) -> list[str]:  # line 5 repeats line 2
    return [*lines[:4], lines[1], *lines[4:]]


def bad_header(lines: list[str]) -> list[str]:
    return ["unit,nace_r2,age,geo" + lines[0][lines[0].index("\t") :], *lines[1:]]


def truncated(real: bytes) -> bytes:
    return real[: len(real) // 2]


def bow_tie(region: str) -> Callable[[bytes], bytes]:
    """The region's polygon replaced by a bow tie over its bounding box (its rings cancel: area 0 as drawn)."""

    def damage(real: bytes) -> bytes:
        doc = json.loads(real)
        for f in doc["features"]:
            if f["properties"]["NUTS_ID"] == region:
                xs = [p[0] for p in _rings(f["geometry"])[0]]
                ys = [p[1] for p in _rings(f["geometry"])[0]]
                x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
                f["geometry"] = {
                    "type": "Polygon",
                    "coordinates": [[[x0, y0], [x1, y1], [x1, y0], [x0, y1], [x0, y0]]],
                }
        return json.dumps(doc).encode()

    return damage


def _rings(geometry: dict) -> list[list[list[float]]]:
    return geometry["coordinates"] if geometry["type"] == "Polygon" else geometry["coordinates"][0]


def hostile_regions(real: bytes) -> bytes:
    """DE21's name becomes a Markdown image plus HTML; DE300's ring gets a tiny loop that crosses itself."""
    doc = json.loads(real)
    for f in doc["features"]:
        p = f["properties"]
        if p["NUTS_ID"] == "DE21":
            p["NAME_LATN"] = p["NUTS_NAME"] = IMAGE
        if p["NUTS_ID"] == "DE300":
            ring = _rings(f["geometry"])[0]
            k = max(
                range(len(ring) - 1),
                key=lambda i: abs(ring[i + 1][0] - ring[i][0]) + abs(ring[i + 1][1] - ring[i][1]),
            )
            (ax, ay), (bx, by) = ring[k], ring[k + 1]
            a1 = (ax + 0.49 * (bx - ax), ay + 0.49 * (by - ay))
            a2 = (ax + 0.51 * (bx - ax), ay + 0.51 * (by - ay))
            ox, oy = -(by - ay) * 0.01, (bx - ax) * 0.01  # a small step across the edge
            loop = [list(a1), [a2[0] + ox, a2[1] + oy], [a1[0] + ox, a1[1] + oy], list(a2)]
            ring[k + 1 : k + 1] = loop
    return json.dumps(doc).encode()


def hostile_organisation(real: bytes) -> bytes:
    text = real.decode("utf-8")
    return text.replace("Austrian Cluster Platform (Nationale Clusterplattform)", LINK, 1).encode()


# --- the table ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Case:
    """One row: which files are corrupted how, how the ingest is run, and what it must say."""

    what: str
    files: dict[str, Callable[[bytes], bytes]]
    args: tuple[str, ...]
    exit_code: int
    said: tuple[str, ...]  # every fragment must be in the output


CASES: dict[str, Case] = {
    c.what: c
    for c in (
        Case(
            "unknown NACE code Z99",
            {LFS: _tsv_lines(inject_sector)},
            ONLY_LFS,
            1,
            (
                f"{LFS}: line 6: unknown sector code 'Z99' (not in the NACE Rev. 2 (nace_r2) code list; 8 rows)",
                "Dataset.tolerated",
            ),
        ),
        Case(
            "unknown region code QQ77",
            {LFS: _tsv_lines(inject_region)},
            ONLY_LFS,
            1,
            (
                f"{LFS}: line 9: unknown region code 'QQ77' (no NUTS 2013 geometry: no NUTS 2013 region of country 'QQ'",
            ),
        ),
        Case(
            "Z99 and QQ77 in one file",
            {LFS: _tsv_lines(inject_both)},
            ONLY_LFS,
            1,
            (
                f"{LFS}: line 6: unknown sector code 'Z99'",
                f"{LFS}: line 9: unknown region code 'QQ77'",
                "the file holds 2 code(s)",
            ),
        ),
        Case(
            "wrong field count", {LFS: _tsv_lines(short_line)}, ONLY_LFS, 1, ("line 4: 8 cells, expected 9",)
        ),
        Case(
            "non-numeric value",
            {LFS: _tsv_lines(non_numeric)},
            ONLY_LFS,
            1,
            ("line 3, column 2: 'five u' value 'five' is not a number or ':'",),
        ),
        Case(
            "unknown flag",
            {LFS: _tsv_lines(unknown_flag)},
            ONLY_LFS,
            1,
            ("line 2, column 9: '13.1 q' unknown flag(s) 'q'",),
        ),
        Case(
            "duplicate key",
            {LFS: _tsv_lines(duplicate_key)},
            ONLY_LFS,
            1,
            ("line 5, column 1: duplicate key 'THS,A,Y15-24,AT'",),
        ),
        Case(
            "bad header",
            {LFS: _tsv_lines(bad_header)},
            ONLY_LFS,
            1,
            ("line 1 'unit,nace_r2,age,geo' is not a Eurostat TSV header",),
        ),
        Case("truncated gzip", {LFS: truncated}, ONLY_LFS, 1, ("lfst_r_lfe2en2.tsv.gz: damaged gzip file",)),
        Case(
            "self-intersecting polygon (bow tie)",
            {NUTS2024: bow_tie("DE212")},
            (),
            1,
            (
                f"Invalid region geometry in {NUTS2024}",
                "'DE212': invalid geometry (Self-intersection",
                "more than the 1 % a repair may change",
            ),
        ),
        Case(
            "truncated NUTS2021.xlsx",
            {NUTS2021_XLSX: truncated},
            (),
            1,
            ("NUTS2021.xlsx: not a readable Excel workbook", "download it again"),
        ),
        Case(
            "empty organisations CSV",
            {EU_ORGS: lambda real: b""},
            (),
            1,
            ("eu_cluster_organisations.csv: the file is empty (0 bytes)",),
        ),
        Case(
            "names with markup, a tiny self-intersection",
            {NUTS2024: hostile_regions, EU_ORGS: hostile_organisation},
            (),
            0,
            ("gisco_nuts_2024: 1 invalid geometry repaired with make_valid", "DE300 (Self-intersection"),
        ),
    )
}


def corrupt_mirror(root: Path, mirror: Path, replaced: dict[str, bytes]) -> Path:
    """``root`` holding the mirror (entries linked, never copied) with the files of ``replaced`` written."""

    def fill(src: Path, dst: Path, names: dict[tuple[str, ...], bytes]) -> None:
        dst.mkdir(parents=True, exist_ok=True)
        heads = {n[0] for n in names}
        for entry in src.iterdir():
            if entry.name not in heads:
                (dst / entry.name).symlink_to(entry)
        for head in heads:
            inner = {n[1:]: b for n, b in names.items() if n[0] == head}
            if () in inner:
                (dst / head).write_bytes(inner[()])
            else:
                fill(src / head, dst / head, inner)

    fill(mirror, root, {Path(n).parts: b for n, b in replaced.items()})
    return root


def run_case(case: Case, mirror: Path, store: Path, work: Path) -> tuple[int, str, bool]:
    """Run one row: (exit code, what the CLI printed, whether the store is byte for byte unchanged)."""
    import contextlib
    import io

    root = corrupt_mirror(
        work / "mirror", mirror, {n: f((mirror / n).read_bytes()) for n, f in case.files.items()}
    )
    db = work / "store.duckdb"
    shutil.copy(store, db)
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["ingest", "--source", str(root), "--db", str(db), "--no-progress", *case.args])
    return code, out.getvalue() + err.getvalue(), hashlib.sha256(db.read_bytes()).hexdigest() == before


@pytest.mark.parametrize("what", list(CASES))
def test_bad_input(
    what: str, mirror: Path, mirror_store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    case = CASES[what]
    code, said, unchanged = run_case(case, mirror, mirror_store, tmp_path)
    said += capsys.readouterr().err  # typer writes the error to the real stderr
    assert code == case.exit_code, said
    assert "Traceback" not in said
    for fragment in case.said:
        assert fragment in said, said
    assert unchanged == (case.exit_code != 0)  # a failed ingest leaves the store byte for byte
    for name in case.files:  # the real mirror is never written to
        assert not (mirror / name).is_symlink() and (mirror / name).stat().st_size > 0
    if case.exit_code == 0:
        check_hostile_text(tmp_path / "store.duckdb")


def check_hostile_text(db: Path) -> None:
    """Names with Markdown and HTML are accepted as text: stored byte for byte, shown through plain();
    the tiny loop of DE300 was repaired and its repair recorded for the methodology page."""
    from cluster_map.store import database
    from cluster_map.ui.text import plain

    con = database.connect(db, read_only=True)
    try:
        region = database.query(con, "SELECT name FROM regions WHERE code = 'DE21' AND nuts_version = '2024'")
        org = database.query(con, "SELECT name FROM organisations WHERE name LIKE '%evil.example%'")
        notes = database.query(con, "SELECT notes FROM datasets WHERE code = 'gisco_nuts_2024'")
    finally:
        con.close()
    assert region["name"].tolist() == [IMAGE]
    assert org["name"].tolist() == [LINK]
    assert "DE300 (Self-intersection" in notes["notes"].iloc[0]
    for name in (IMAGE, LINK):
        shown = plain(name)
        assert "](http" not in shown and "<b>" not in shown  # no link, image or tag left to render


def table(mirror: Path, store: Path, work: Path) -> str:
    """The bad-input table as markdown: corruption, files, exit code, first line of the message, store kept."""
    rows = [
        "| corruption | file(s) | exit | message (the first problem named) | store unchanged |",
        "|---|---|---|---|---|",
    ]
    for i, case in enumerate(CASES.values()):
        code, said, unchanged = run_case(case, mirror, store, work / str(i))
        lines = [ln.strip() for ln in said.splitlines() if ln.strip()]
        first = next((ln for ln in lines if ln.startswith("Error:")), "")
        problem = next((ln for ln in lines[lines.index(first) + 1 :] if ":" in ln), "") if first else ""
        repaired = [ln for ln in lines if "repaired with make_valid" in ln or "(Self-intersection" in ln]
        message = (problem or first) if code else "; ".join(repaired)
        message = message.replace("|", "\\|")[:300]
        rows.append(
            f"| {case.what} | {', '.join(Path(n).name for n in case.files)} | {code} | {message} | "
            f"{'yes' if unchanged else 'no (rebuilt)'} |"
        )
    return "\n".join(rows)


if __name__ == "__main__":
    import tempfile

    from cluster_map.services.ingest import ingest

    mirror_dir = ROOT.parent / "shared" / "mirror"
    with tempfile.TemporaryDirectory() as tmp:
        base = ingest(source=str(mirror_dir), db=Path(tmp) / "base.duckdb", progress=False).db
        print(table(mirror_dir, base, Path(tmp)))
