"""Where source bytes come from: the official URL, a URL base, or a local mirror directory.

The same reader code runs on every origin: a reader asks ``SourceResolver.fetch(name, url)`` for a
file by its *mirror-relative name* (e.g. ``eurostat/bulk/sbs_r_nuts06_r2.tsv.gz``) and its official
URL, and gets back a local path plus provenance (what was read, from where, its sha256).

Origins (``Settings.source``):

* empty (default): the official URL of each file. If the first download fails (no internet) and
  the mirror directory exists, every file is read from the mirror instead, and that is said once.
* ``http(s)://...``: a URL base; the file is ``<base>/<name>``.
* a directory: a local mirror with the official file names; the file is ``<dir>/<name>``.
"""

from __future__ import annotations

import hashlib
import shutil
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from cluster_map.errors import SourceError


@dataclass(frozen=True)
class Fetched:
    """A source file made available locally, with its provenance."""

    name: str  # mirror-relative name
    path: Path  # local file to read
    retrieved_from: str  # the URL or local path actually read
    official_url: str
    sha256: str

    def read_bytes(self) -> bytes:
        return self.path.read_bytes()


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


@dataclass
class SourceResolver:
    """Resolves source files to local paths (see module docstring)."""

    source: str = ""
    mirror: Path | None = None
    cache_dir: Path | None = None
    timeout: float = 5.0
    notify: Callable[[str], None] = print
    _offline: bool = field(default=False, init=False)

    @property
    def origin(self) -> str:
        """A one-line description of where files are read from."""
        if self.source:
            return self.source
        if self._offline:
            return f"local mirror {self.mirror} (official URLs unreachable)"
        return "official URLs"

    def fetch(self, name: str, url: str) -> Fetched:
        if self.source and not _is_url(self.source):
            return self._from_directory(Path(self.source), name, url)
        if self.source:
            return self._download(self.source.rstrip("/") + "/" + name, name, url)
        if not self._offline:
            try:
                return self._download(url, name, url)
            except SourceError:
                if self.mirror is None or not Path(self.mirror).is_dir():
                    raise
                self._offline = True
                self.notify(
                    f"Official URLs cannot be reached; reading the local mirror at {self.mirror} instead."
                )
        assert self.mirror is not None
        return self._from_directory(Path(self.mirror), name, url)

    # -- origins ---------------------------------------------------------------------------------
    def _from_directory(self, root: Path, name: str, url: str) -> Fetched:
        path = root / name
        if not path.is_file():
            raise SourceError(
                f"Source file {name!r} not found in {root}. Point CLUSTER_MAP_SOURCE at a directory "
                f"that holds the official files under the same names, or unset it to download {url}."
            )
        return Fetched(name=name, path=path, retrieved_from=str(path), official_url=url,
                       sha256=sha256_of(path))

    def _download(self, address: str, name: str, url: str) -> Fetched:
        cache = Path(self.cache_dir) if self.cache_dir else Path(".cluster_map_cache")
        target = cache / name
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(target.name + ".part")
        try:
            req = urllib.request.Request(address, headers={"User-Agent": "cluster-map"})
            with urllib.request.urlopen(req, timeout=self.timeout) as resp, tmp.open("wb") as out:
                shutil.copyfileobj(resp, out)
        except (urllib.error.URLError, OSError, ValueError) as exc:
            tmp.unlink(missing_ok=True)
            raise SourceError(
                f"Cannot download {address!r} ({exc}). Check the network, or set CLUSTER_MAP_SOURCE "
                f"to a local mirror directory with the official file names."
            ) from exc
        tmp.replace(target)
        return Fetched(name=name, path=target, retrieved_from=address, official_url=url,
                       sha256=sha256_of(target))


def _is_url(s: str) -> bool:
    return s.startswith(("http://", "https://"))
