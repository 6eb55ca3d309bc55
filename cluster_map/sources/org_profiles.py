"""Structured fields of a cluster organisation read from the directory's free text.

Directories state members and labels as text ("130 companies + 33 RDI/education organisations",
"silver 2016; gold (by 2018)") and sectors as keywords ("aeronautics; space"). This module turns
them into fields that can be filtered and compared, and leaves a field empty where the text does
not say it:

* :func:`parse_members`: total, companies, SMEs, large firms, research organisations, whether the
  total is exact, a lower bound (``>250``) or approximate (``around 70``), and the year when the
  text names one;
* :func:`parse_label`: the latest ESCA label level (bronze/silver/gold) and its year;
* :func:`sector_keys`: the :data:`cluster_map.catalogue.SECTOR_TERMS` an organisation's keywords
  and US clusters belong to, with their NACE divisions;
* :func:`org_kind`: the class of its stated type (:data:`cluster_map.catalogue.ORG_KINDS`);
* :func:`stem` and :func:`search_terms`: the stemmed words an organisation is found by.

The stemmer is a light English suffix stripper (plural ``-s``/``-es``/``-ies``, ``-ing``, ``-ed``,
a final ``-e``, after folding accents and case): enough that ``clusters``/``cluster`` and
``technologies``/``technology`` meet; sectors that are different words (``aeronautics`` and
``aerospace``) meet through the vocabulary, not the stemmer.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Final

from cluster_map.catalogue import LABEL_LEVELS, ORG_KINDS, SECTOR_TERMS, SectorTerm

_WORD: Final = re.compile(r"[a-z0-9]+(?:[&.][a-z0-9]+)*")


def fold(text: str) -> str:
    """Lower-case, accent-free text (``Pôle`` -> ``pole``)."""
    t = unicodedata.normalize("NFKD", str(text))
    return "".join(ch for ch in t if not unicodedata.combining(ch)).casefold()


def stem(word: str) -> str:
    """The light English stem of one (folded) word.

    >>> [stem(w) for w in ("clusters", "technologies", "technology", "aeronautics", "manufacturing", "cars")]
    ['cluster', 'technology', 'technology', 'aeronautic', 'manufactur', 'car']
    """
    w = fold(word)
    if len(w) <= 3:
        return w
    if w.endswith("ies") and len(w) > 4:
        w = w[:-3] + "y"
    elif w.endswith("sses"):
        w = w[:-2]
    elif w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    if w.endswith("ing") and len(w) > 5:
        w = w[:-3]
    elif w.endswith("ed") and len(w) > 5:
        w = w[:-2]
    if w.endswith("e") and len(w) > 5:
        w = w[:-1]
    return w


def words(text: object) -> list[str]:
    """The stemmed words of a text, in order (``None`` and NaN give none)."""
    if not isinstance(text, str) or not text:
        return []
    return [stem(w) for w in _WORD.findall(fold(text))]


def phrase(text: str) -> str:
    """A keyword or phrase as its stemmed words joined by spaces (how vocabulary words are compared)."""
    return " ".join(words(text))


@cache
def _vocabulary() -> dict[str, tuple[str, ...]]:
    """Stemmed phrase -> keys of the sector terms it means."""
    out: dict[str, list[str]] = {}
    for term in SECTOR_TERMS:
        for w in (term.key, term.label, *term.words):
            out.setdefault(phrase(w), [])
            if term.key not in out[phrase(w)]:
                out[phrase(w)].append(term.key)
    return {k: tuple(v) for k, v in out.items() if k}


def terms_of_phrase(text: str) -> tuple[str, ...]:
    """Keys of the sector terms a keyword or phrase means (``'aeronautics'`` -> ``('aerospace',)``)."""
    return _vocabulary().get(phrase(text), ())


def keyword_list(text: object) -> list[str]:
    """The ``;``-separated keywords of a cell, trimmed (commas separate too)."""
    if not isinstance(text, str):
        return []
    return [k.strip() for k in text.replace(",", ";").split(";") if k.strip()]


def sector_keys(sectors: object, clusters: object = None) -> tuple[str, ...]:
    """The sector terms of an organisation's keywords and (US) cluster names, in vocabulary order.

    >>> sector_keys("aeronautics; space; embedded systems")
    ('aerospace',)
    """
    found: set[str] = set()
    for keyword in keyword_list(sectors):
        found.update(terms_of_phrase(keyword))
    if isinstance(clusters, str):
        for name in clusters.split(";"):
            found.update(terms_of_phrase(name.strip()))
    return tuple(t.key for t in SECTOR_TERMS if t.key in found)


def nace_of(keys: Iterable[str]) -> tuple[str, ...]:
    """The NACE divisions of sector terms, sorted and without repeats."""
    by_key = {t.key: t for t in SECTOR_TERMS}
    return tuple(sorted({code for k in keys for code in by_key[k].nace}))


def terms(keys: Iterable[str]) -> tuple[SectorTerm, ...]:
    """The :class:`SectorTerm` records of ``keys``."""
    wanted = set(keys)
    return tuple(t for t in SECTOR_TERMS if t.key in wanted)


def expand_query_word(word: str) -> tuple[str, ...]:
    """What one stemmed query word matches: itself and ``~key`` for each sector term that names it.

    A NACE division typed as a code (``c30``) matches organisations whose sectors map to it.
    """
    out = [word]
    out.extend(f"~{k}" for k in _vocabulary().get(word, ()))
    if re.fullmatch(r"[a-u]\d\d", word):
        out.append(f"#{word}")
    return tuple(dict.fromkeys(out))


def query_groups(text: str) -> list[tuple[str, ...]]:
    """The groups a search text must all match: one per word, multi-word vocabulary phrases as one.

    >>> query_groups("life sciences Lyon")[0][-1]
    '~biotech'
    """
    ws = words(text)
    groups: list[tuple[str, ...]] = []
    i = 0
    vocab = _vocabulary()
    while i < len(ws):
        for n in (4, 3, 2):  # longest vocabulary phrase first
            joined = " ".join(ws[i : i + n])
            if i + n <= len(ws) and joined in vocab:
                groups.append((*(f"~{k}" for k in vocab[joined]), joined.replace(" ", "_")))
                i += n
                break
        else:
            groups.append(expand_query_word(ws[i]))
            i += 1
    return groups


def search_terms(*texts: object, keys: Iterable[str] = (), nace: Iterable[str] = ()) -> list[str]:
    """What an organisation is found by: stemmed words of its texts, ``~key`` of its sector terms,
    ``#c30`` of its NACE divisions, sorted without repeats."""
    out: set[str] = set()
    for text in texts:
        out.update(words(text))
    out.update(f"~{k}" for k in keys)
    out.update(f"#{c.lower()}" for c in nace)
    return sorted(out)


# -- members ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Members:
    """Member figures stated in a directory's text (None where the text does not say)."""

    total: int | None = None
    companies: int | None = None
    smes: int | None = None
    large: int | None = None
    research: int | None = None
    bound: str | None = None  # 'exact' | 'at least' | 'about'
    year: int | None = None


_NUMBER: Final = re.compile(
    r"(?P<q>>=?|≥|more than|over|around|about|approx(?:\.|imately)?|c\.|~|almost|nearly)?\s*"
    r"(?P<n>\d{1,3}(?:[,.]\d{3})+|\d+)(?!\s*%)\s*(?P<unit>[^\d+;,()]*)",
    re.IGNORECASE,
)
_YEAR: Final = re.compile(r"(?<!\d)(19[5-9]\d|20[0-4]\d)(?!\d)")
_SMES: Final = ("sme", "small and medium", "small")
_LARGE: Final = ("large", "big")
_COMPANIES: Final = (
    "compan",
    "firm",
    "enterprise",
    "business",
    "industr",
    "manufactur",
    "supplier",
    "startup",
)
_RESEARCH: Final = (
    "research",
    "rdi",
    "r&d",
    "academ",
    "universit",
    "institut",
    "education",
    "lab",
    "rto",
    "scien",
    "school",
    "higher",
)


def _int(text: str) -> int:
    return int(re.sub(r"[,.]", "", text))


def _category(unit: str) -> str:
    u = unit.casefold()
    if " and " in u or "/" in u and any(w in u for w in _COMPANIES) and any(w in u for w in _RESEARCH):
        return "members"  # a mixed count ("64 companies and research institutes") is a total only
    if any(w in u for w in _SMES):
        return "smes"
    if any(w in u for w in _LARGE):
        return "large"
    if any(w in u for w in _RESEARCH):
        return "research"
    if any(w in u for w in _COMPANIES):
        return "companies"
    return "members"


def _bound(q: str | None) -> str:
    if not q:
        return "exact"
    q = q.casefold()
    return "at least" if q.startswith((">", "≥", "more", "over")) else "about"


def parse_members(text: object, year: object = None) -> Members:
    """Member figures of a ``members`` cell (and its ``members_year`` cell, when the directory has one).

    The first ``;``-clause counts the organisation's own members: parts joined by ``+`` add up to
    the total, a part in brackets breaks the total down (``150 (120 companies)``). Units put a part
    in companies, SMEs, large firms or research organisations; other units (members, clusters,
    partners) count in the total only; after "incl."/"including"/"of which" they break it down. A year in the text (``16 clusters (June 2017)``) is the
    year of the figure unless ``year`` is given.

    >>> parse_members("130 companies + 33 RDI/education organisations")
    Members(total=163, companies=130, smes=None, large=None, research=33, bound='exact', year=None)
    >>> parse_members(">250 companies").bound
    'at least'
    """
    stated_year = _year(year)
    if not isinstance(text, str) or not text.strip():
        return Members(year=stated_year)
    first = text.split(";")[0]
    found_year = stated_year
    if found_year is None:
        m = _YEAR.search(first)
        found_year = int(m.group(1)) if m else None
    body = _YEAR.sub(" ", first) if found_year is not None and stated_year is None else first
    outside = re.sub(r"\([^)]*\)", " ", body)
    inside = " ".join(re.findall(r"\(([^)]*)\)", body))
    head, *breakdown = re.split(
        r"\b(?:incl\.?|including|of which|among them)", outside, maxsplit=1, flags=re.I
    )
    outside, inside = head, " ".join([inside, *breakdown])
    parts = [
        (m.group("q"), _int(m.group("n")), _category(m.group("unit"))) for m in _NUMBER.finditer(outside)
    ]
    extra = [(m.group("q"), _int(m.group("n")), _category(m.group("unit"))) for m in _NUMBER.finditer(inside)]
    if not parts:
        return Members(year=found_year)
    fields: dict[str, int] = {}
    for _, n, cat in parts + extra:
        if cat != "members":
            fields[cat] = fields.get(cat, 0) + n
    bounds = {_bound(q) for q, _, _ in parts}
    bound = "at least" if "at least" in bounds else ("about" if "about" in bounds else "exact")
    return Members(
        total=sum(n for _, n, _ in parts),
        companies=fields.get("companies"),
        smes=fields.get("smes"),
        large=fields.get("large"),
        research=fields.get("research"),
        bound=bound,
        year=found_year,
    )


def _year(value: object) -> int | None:
    if value is None or value != value:  # None or NaN
        return None
    m = _YEAR.search(str(value))
    return int(m.group(1)) if m else None


# -- labels ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Label:
    """The latest ESCA Cluster Management Excellence label stated (None where none is)."""

    level: str | None = None  # bronze | silver | gold
    year: int | None = None


def parse_label(text: object) -> Label:
    """The latest label of an ``esca_label`` cell: the entry with the latest year (a year after
    'valid to' or 'until' is an expiry, not an award); an entry without a level word (``renewed
    2023``) keeps the level before it; undated entries count only when none is dated.

    >>> parse_label("silver 2016; gold (by 2018)")
    Label(level='gold', year=2018)
    >>> parse_label("gold 2014; gold 2019; gold (4th consecutive, valid to end 2027)")
    Label(level='gold', year=2019)
    """
    if not isinstance(text, str) or not text.strip():
        return Label()
    entries: list[tuple[int | None, str]] = []
    level: str | None = None
    for part in text.split(";"):
        folded = part.casefold()
        named = [lv for lv in LABEL_LEVELS if lv in folded]
        if named:
            level = max(named, key=LABEL_LEVELS.index)
        if level is None:
            continue
        cleaned = re.sub(r"(valid|until|expir\w*)\D{0,12}(19|20)\d\d", " ", folded)
        years = [int(y) for y in _YEAR.findall(cleaned)]
        entries.append((max(years) if years else None, level))
    if not entries:
        return Label()
    dated = [e for e in entries if e[0] is not None]
    if dated:
        year, lv = max(dated, key=lambda e: (e[0], LABEL_LEVELS.index(e[1])))
        return Label(lv, year)
    return Label(max((e[1] for e in entries), key=LABEL_LEVELS.index), None)


def org_kind(org_type: object, *, name: object = None) -> str:
    """The :data:`ORG_KINDS` key of a stated type (``not_stated`` when there is none).

    A type that starts with "cluster organisation" is a cluster organisation whatever its legal form.
    """
    t = fold(org_type) if isinstance(org_type, str) else ""
    if not t.strip():
        return "not_stated"
    if t.startswith("cluster organisation"):
        return "cluster"
    for kind in ORG_KINDS:
        if any(fold(w) in t for w in kind.words):
            return kind.key
    return "other"
