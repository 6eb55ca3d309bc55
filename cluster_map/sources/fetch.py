"""Where source bytes come from: the official URL, a URL base, or a local mirror directory.

The same reader code runs on every origin: a reader asks ``SourceResolver.fetch(name, url)`` for a
file by its *mirror-relative name* (e.g. ``eurostat/bulk/sbs_r_nuts06_r2.tsv.gz``) and its official
URL, and gets back a local path plus provenance: what was read, from where (:attr:`Fetched.origin`,
decided per file), its sha256 and, for a download, the server's ``Last-Modified`` date.

Origins (``Settings.source``):

* empty (default): the official URL of each file. When a download fails and the mirror directory
  exists, *that* file is read from the mirror, and its provenance says so. After the first failure
  to connect at all (no network, DNS, refused, timeout) further URLs are not tried; that is said
  once. A store read this way is labelled 'official URLs', 'local mirror ...' or 'mixed'
  (:attr:`SourceResolver.origin`) and :meth:`SourceResolver.files` lists which file came from where.
* ``http(s)://...``: a URL base (a mirror served over HTTP); the file is ``<base>/<name>``.
* a directory: a local mirror with the official file names; the file is ``<dir>/<name>``.

Compiled files with no official feed (the cluster organisation directories, the US benchmark
totals) are read from the mirror directly with :meth:`SourceResolver.fetch_compiled`, never tried
online. Provenance never carries an absolute local path: a mirror file is ``mirror:<name>``.
"""

from __future__ import annotations

import hashlib
import shutil
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Literal

from cluster_map.errors import SourceError

Origin = Literal["url", "mirror", "user"]
#: ``retrieved_from`` prefix of a file read from a mirror directory (followed by its mirror-relative name).
MIRROR_PREFIX = "mirror:"


@dataclass(frozen=True)
class Fetched:
    """A source file made available locally, with its provenance."""

    name: str  # mirror-relative name
    path: Path  # local file to read (never stored in provenance)
    retrieved_from: str  # the URL actually read, or 'mirror:<mirror-relative name>'
    official_url: str
    sha256: str
    origin: Origin = "mirror"  # where this file really came from
    mirror_name: str = ""  # mirror-relative path (never an absolute local path)
    last_update: datetime | None = None  # the server's Last-Modified (UTC, naive) when downloaded
    compiled: bool = False  # a compiled file with no official feed (read from the shipped file)

    def read_bytes(self) -> bytes:
        return self.path.read_bytes()


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


class _Unreachable(SourceError):
    """A download that could not connect at all (no network, DNS, refused, timeout)."""


@dataclass
class SourceResolver:
    """Resolves source files to local paths (see module docstring)."""

    source: str = ""
    mirror: Path | None = None
    cache_dir: Path | None = None
    timeout: float = 5.0
    notify: Callable[[str], None] = print
    _unreachable: bool = field(default=False, init=False)
    _files: dict[str, Fetched] = field(default_factory=dict, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    # -- what was read ---------------------------------------------------------------------------
    @property
    def origin(self) -> str:
        """Where the files were read from: 'official URLs', 'local mirror <path>' or 'mixed'.

        Compiled files (no official feed) do not count: an online build that also reads the shipped
        organisation directories is still 'official URLs'.
        """
        if self.source:
            return f"mirror {self.source}" if _is_url(self.source) else f"local mirror {self.source}"
        with self._lock:
            kinds = {f.origin for f in self._files.values() if not f.compiled}
        if kinds == {"url", "mirror"}:
            return "mixed"
        if kinds == {"mirror"} or (not kinds and self._unreachable):
            return f"local mirror {self.mirror}"
        return "official URLs"

    @property
    def online(self) -> bool:
        """False once a download could not connect (further files come from the mirror)."""
        return not self._unreachable and (not self.source or _is_url(self.source))

    def files(self) -> list[tuple[str, str, str]]:
        """``(mirror-relative name, origin, retrieved_from)`` of every file read so far, by name.

        ``origin`` is 'url', 'mirror', 'user' or 'compiled' (a shipped file with no official feed).
        """
        with self._lock:
            got = sorted(self._files.values(), key=lambda f: f.name)
        return [(f.name, "compiled" if f.compiled else f.origin, f.retrieved_from) for f in got]

    def exists(self, name: str) -> bool:
        """Whether ``name`` can be read without the network (from the source directory or the mirror).

        A URL base source answers True (it cannot be asked without a request). With the official URLs
        as the source, the mirror decides: an optional dataset absent from it is read online or skipped.
        """
        if self.source:
            return _is_url(self.source) or (Path(self.source) / name).is_file()
        return self.mirror is not None and (Path(self.mirror) / name).is_file()

    # -- reading ---------------------------------------------------------------------------------
    def fetch(self, name: str, url: str) -> Fetched:
        """The file ``name`` (mirror-relative), from ``url`` or the mirror as the source says."""
        if self.source and not _is_url(self.source):
            return self._record(self._from_directory(Path(self.source), name, url))
        if self.source:
            return self._record(
                self._download(self.source.rstrip("/") + "/" + name, name, url, origin="mirror")
            )
        if url and not self._unreachable:
            try:
                return self._record(self._download(url, name, url, origin="url"))
            except SourceError as exc:
                if not self._has_mirror():
                    raise
                self._fell_back(exc, name)
        if not self._has_mirror():
            raise SourceError(
                f"Source file {name!r} has no official URL and no mirror is configured; set "
                f"CLUSTER_MAP_MIRROR or CLUSTER_MAP_SOURCE to a directory that holds it."
            )
        assert self.mirror is not None
        return self._record(self._from_directory(Path(self.mirror), name, url))

    def fetch_first(self, names: Sequence[str], url: str) -> Fetched:
        """The first of several mirror names that can be had (e.g. ``eurostat/api/<code>.tsv.gz`` then
        ``eurostat/bulk/<code>.tsv.gz``); the official URL is tried once, before the mirror.

        Raises :class:`SourceError` listing every name tried when none can be read.
        """
        if not names:
            raise SourceError(f"No mirror file names given for {url!r}.")
        tried: list[str] = []
        if not self.source and url and not self._unreachable:
            try:
                return self._record(self._download(url, names[0], url, origin="url"))
            except SourceError as exc:
                tried.append(f"{url}: {exc}")
                if not self._has_mirror():
                    raise SourceError(f"Cannot read {names[0]!r}; tried:", tried) from exc
                self._fell_back(exc, names[0])
        for name in names:
            if not self.source or not _is_url(self.source):
                root = Path(self.source) if self.source else self.mirror
                if root is None or not (Path(root) / name).is_file():
                    tried.append(f"{name}: not in {'the source directory' if self.source else 'the mirror'}")
                    continue
            try:
                return (
                    self.fetch(name, url)
                    if self.source
                    else self._record(self._from_directory(Path(self.mirror), name, url))  # type: ignore[arg-type]
                )
            except SourceError as exc:
                tried.append(f"{name}: {exc}")
        raise SourceError(
            f"None of the files {', '.join(map(repr, names))} could be read. Point "
            f"CLUSTER_MAP_SOURCE at a mirror with the official file names, or go online.",
            tried,
        )

    def fetch_compiled(self, name: str) -> Fetched:
        """A compiled file with no official feed, read from the shipped file (never tried online).

        A directory or URL base source is used as it is; with the official URLs as the source the
        file is read from the mirror.
        """
        if self.source and _is_url(self.source):
            got = self._download(self.source.rstrip("/") + "/" + name, name, "", origin="mirror")
        else:
            root = Path(self.source) if self.source else self.mirror
            if root is None or not Path(root).is_dir():
                raise SourceError(
                    f"{name!r} is a compiled directory with no official download; set "
                    "CLUSTER_MAP_SOURCE or CLUSTER_MAP_MIRROR to a directory that holds it."
                )
            got = self._from_directory(Path(root), name, "")
        return self._record(replace(got, compiled=True))

    # -- origins ---------------------------------------------------------------------------------
    def _has_mirror(self) -> bool:
        return self.mirror is not None and Path(self.mirror).is_dir()

    def _record(self, got: Fetched) -> Fetched:
        with self._lock:
            self._files[got.name] = got
        return got

    def _fell_back(self, exc: SourceError, name: str) -> None:
        """Say why ``name`` comes from the mirror: once when the network is gone, else per file."""
        if isinstance(exc, _Unreachable):
            with self._lock:
                first, self._unreachable = not self._unreachable, True
            if first:
                self.notify(
                    f"Official URLs cannot be reached ({_reason(exc)}); reading {name!r} and every "
                    f"further file from the local mirror at {self.mirror} (each dataset's provenance "
                    f"says where it came from)."
                )
        else:
            self.notify(f"Cannot download {name!r} ({_reason(exc)}); reading it from the local mirror.")

    def _from_directory(self, root: Path, name: str, url: str) -> Fetched:
        path = root / name
        if not path.is_file():
            raise SourceError(
                f"Source file {name!r} not found in {root}. Point CLUSTER_MAP_SOURCE at a directory "
                f"that holds the official files under the same names, or unset it to download "
                f"{url or 'it from its official URL'}."
            )
        return Fetched(
            name=name,
            path=path,
            retrieved_from=MIRROR_PREFIX + name,
            official_url=url,
            sha256=sha256_of(path),
            origin="mirror",
            mirror_name=name,
        )

    def _download(self, address: str, name: str, url: str, *, origin: Origin) -> Fetched:
        cache = Path(self.cache_dir) if self.cache_dir else Path(".cluster_map_cache")
        target = cache / name
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f"{target.name}.{threading.get_ident()}.part")
        modified: str | None = None
        try:
            req = urllib.request.Request(address, headers={"User-Agent": "cluster-map"})
            with urllib.request.urlopen(req, timeout=self.timeout) as resp, tmp.open("wb") as out:
                modified = resp.headers.get("Last-Modified") if resp.headers is not None else None
                shutil.copyfileobj(resp, out)
        except urllib.error.HTTPError as exc:  # the server answered: this file only
            tmp.unlink(missing_ok=True)
            raise SourceError(
                f"Cannot download {address!r} (HTTP {exc.code} {exc.reason}). Check the address, "
                f"or set CLUSTER_MAP_SOURCE to a local mirror directory."
            ) from exc
        except (urllib.error.URLError, OSError, ValueError) as exc:
            tmp.unlink(missing_ok=True)
            raise _Unreachable(
                f"Cannot download {address!r} ({exc}). Check the network, or set CLUSTER_MAP_SOURCE "
                f"to a local mirror directory with the official file names."
            ) from exc
        tmp.replace(target)
        return Fetched(
            name=name,
            path=target,
            retrieved_from=address,
            official_url=url,
            sha256=sha256_of(target),
            origin=origin,
            mirror_name=name,
            last_update=_http_date(modified),
        )


def _http_date(value: str | None) -> datetime | None:
    """An HTTP date (``Last-Modified``) as a naive UTC datetime; None when absent or unreadable."""
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if parsed.tzinfo is None:
        return parsed
    return parsed.astimezone(UTC).replace(tzinfo=None)


def _reason(exc: BaseException) -> str:
    cause = exc.__cause__
    if isinstance(cause, urllib.error.URLError) and not isinstance(cause, urllib.error.HTTPError):
        return str(cause.reason)
    return str(cause or exc).split(". ")[0]


def _is_url(s: str) -> bool:
    return s.startswith(("http://", "https://"))


def get_text(url: str, *, timeout: float = 10.0) -> str:
    """The body of ``url`` as UTF-8 text (a listing such as Eurostat's table of contents; not cached).

    Raises :class:`SourceError` when it cannot be had (no network, HTTP error), naming the URL.
    """
    try:
        req = urllib.request.Request(url, headers={"User-Agent": "cluster-map"})
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            body: bytes = resp.read()
    except urllib.error.HTTPError as exc:
        raise SourceError(f"Cannot read {url!r} (HTTP {exc.code} {exc.reason}).") from exc
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
        raise _Unreachable(f"Cannot reach {url!r} ({reason}).") from exc
    return body.decode("utf-8", errors="replace")
