"""A persistent, bounded, self-checking disk cache of drawn charts (opt-in, see `charts`).

One file per chart image, named by `entry_key`: a hash of everything the image depends on (the
chart spec, the alt text for an SVG, the PNG resolution, the format, matplotlib's and Typst's
versions, a digest of the drawing code and `charts.CHART_STYLE_VERSION`). A file holds a one-line
header, then the image:

    SGCHART1 <key> <sha256 of key and image>\\n<image bytes>

Nothing read back is trusted blindly. A file is used only when its header names the key asked
for and its checksum matches (a partial, corrupted, truncated or renamed file fails and the chart
is simply drawn again), and when the image itself passes a structural check: a PNG must be a
complete PNG of the expected size (every chunk's CRC checked); an SVG — inlined into HTML — must
be well-formed XML made only of the few elements and attributes matplotlib writes, with no
scripts, event handlers, external references, comments or entities. The checksum keeps out
accidents; the structural check keeps out a hostile file even when its author forged a checksum.
(What neither can stop is a well-formed chart with other numbers, written by someone who can
write the cache folder: that person can as well replace the reports next to it.)

Files are written atomically (temporary file + `os.replace`; no fsync: a torn file fails its
checksum). The folder is kept under `max_bytes`: when a write takes it over, the least recently
used files go until it is under 80 % of the limit. Reads refresh a file's time. Several build
processes can share one folder.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import re
import stat
import struct
import tempfile
import time
import zlib
from collections.abc import Callable
from pathlib import Path
from xml.etree import ElementTree

from seguimiento.atomic import TEMP_PREFIX

MAGIC = b"SGCHART1"
# The files that draw a chart: their digest is in every key.
DRAWING_CODE = ("charts.py", "chart_layout.py", "chart_svg.py", "chart_raster.py")
DEFAULT_MAX_BYTES = 256 * 1024 * 1024
_STALE_TEMPORARY_SECONDS = 3600
_MAX_ENTRY_BYTES = 16 * 1024 * 1024
_SVG_NS = "{http://www.w3.org/2000/svg}"
_XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
# What matplotlib's SVG backend writes for our charts (anything else is refused).
_SVG_TAGS = frozenset({"svg", "title", "defs", "style", "g", "path", "use", "clipPath", "rect"})
_SVG_TAGS |= frozenset({"text", "tspan"})
#: The style properties `chart_svg` writes as presentation attributes (all of them have one).
PRESENTATION_ATTRIBUTES = frozenset(
    {"fill", "fill-opacity", "fill-rule", "stroke", "stroke-width", "stroke-opacity"}
    | {"stroke-linecap", "stroke-linejoin", "stroke-miterlimit", "stroke-dasharray"}
    | {"stroke-dashoffset", "opacity", "clip-path", "font-family", "font-size", "font-style"}
    | {"font-weight", "text-anchor"}
)
_SVG_ATTRIBUTES = PRESENTATION_ATTRIBUTES | frozenset(
    {"width", "height", "viewBox", "version", "id", "d", "style", "x", "y", "transform"}
    | {"type", _XLINK_HREF}
)
_CSS_FORBIDDEN = re.compile(r"@import|expression|javascript:|\\|url\((?!#)|<|>", re.I)


@functools.cache
def _renderer_versions() -> str:
    """The versions of what draws the charts: matplotlib (SVG) and Typst (PNG)."""
    from importlib.metadata import version

    return f"{version('matplotlib')}+typst{version('typst')}"


def entry_key(style_version: int, fmt: str, spec_repr: str, alt: str = "", dpi: int = 0) -> str:
    """The cache key of one image: a SHA-256 of what it is drawn from and what draws it.

    Read the versions from package metadata, so a rebuild whose charts are all cached does
    not even import matplotlib."""
    version = f"{style_version}:{_renderer_versions()}:{_drawing_code()}"
    parts = (version, fmt, str(dpi), spec_repr, alt)
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()


@functools.cache
def _drawing_code() -> str:
    """A digest of the files of `DRAWING_CODE`: changed drawing code draws every chart again."""
    digest = hashlib.sha256()
    for name in DRAWING_CODE:
        digest.update((Path(__file__).parent / name).read_bytes())
    return digest.hexdigest()


def _checksum(key: str, data: bytes) -> bytes:
    return hashlib.sha256(key.encode("ascii") + b"\0" + data).hexdigest().encode("ascii")


def valid_png(data: bytes, width: int, height: int | None = None) -> bool:
    """A whole PNG `width` pixels wide (and `height` high, or any height up to 10 widths):
    signature, IHDR first, every chunk's CRC, IEND last and nothing after it."""
    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        return False
    position, first = 8, True
    while position + 12 <= len(data):
        length, kind = struct.unpack(">I4s", data[position : position + 8])
        end = position + 12 + length
        if end > len(data):
            return False
        body = data[position + 8 : end - 4]
        (crc,) = struct.unpack(">I", data[end - 4 : end])
        if zlib.crc32(kind + body) != crc:
            return False
        if first:
            if kind != b"IHDR" or len(body) != 13:
                return False
            found_width, found_height = struct.unpack(">II", body[:8])
            if found_width != width or not 0 < found_height <= (height or 10 * width):
                return False
            if height is not None and found_height != height:
                return False
        if kind == b"IEND":
            return end == len(data)
        position, first = end, False
    return False


def valid_svg(data: bytes) -> bool:
    """An SVG safe to inline in HTML: one <svg> element of the elements and attributes that
    matplotlib writes, local references only, no script, handler, comment, CDATA or doctype."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    if not text.startswith("<svg") or not text.rstrip().endswith("</svg>"):
        return False
    if "<!" in text or "<?" in text:  # comment, CDATA, doctype (entities), processing instruction
        return False
    try:
        root = ElementTree.fromstring(text)
    except ElementTree.ParseError:
        return False
    if root.tag != _SVG_NS + "svg":
        return False
    for element in root.iter():
        if not element.tag.startswith(_SVG_NS) or element.tag[len(_SVG_NS) :] not in _SVG_TAGS:
            return False
        for name, value in element.attrib.items():
            if name not in _SVG_ATTRIBUTES:
                return False
            if name == _XLINK_HREF and not value.startswith("#"):
                return False
            if (name == "style" or name in PRESENTATION_ATTRIBUTES) and _CSS_FORBIDDEN.search(
                value
            ):
                return False
        if element.tag == _SVG_NS + "style" and _CSS_FORBIDDEN.search(element.text or ""):
            return False
    return True


class DiskCache:
    """Chart images in `folder`, looked up by `entry_key`; see the module docstring."""

    def __init__(self, folder: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.folder = Path(folder)
        self.max_bytes = max_bytes
        self._size: int | None = None  # bytes in the folder, counted at the first write

    def _path(self, key: str, fmt: str) -> Path:
        return self.folder / f"{key}.{fmt}"

    def get(self, key: str, fmt: str, check: Callable[[bytes], bool]) -> bytes | None:
        """The cached image, or None when it is missing, damaged, or fails `check`."""
        try:  # a regular file only: no symlink followed, no FIFO waited on, nothing huge
            fd = os.open(self._path(key, fmt), os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        except OSError:
            return None
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode) or info.st_size > _MAX_ENTRY_BYTES:
                return None
            with os.fdopen(os.dup(fd), "rb") as stream:
                content = stream.read(_MAX_ENTRY_BYTES + 1)
            valid = self._unwrap(key, content, check)
            if valid is not None:
                with contextlib.suppress(OSError):
                    os.utime(fd)  # most recently used: pruned last
            return valid
        except OSError:
            return None
        finally:
            os.close(fd)

    @staticmethod
    def _unwrap(key: str, content: bytes, check: Callable[[bytes], bool]) -> bytes | None:
        header, newline, data = content.partition(b"\n")
        parts = header.split(b" ")
        if (
            not newline
            or len(parts) != 3
            or parts[0] != MAGIC
            or parts[1] != key.encode("ascii")
            or parts[2] != _checksum(key, data)
            or not check(data)
        ):
            return None
        return data

    def put(self, key: str, fmt: str, data: bytes) -> None:
        """Store an image; never fails the build (a cache that cannot be written is no cache)."""
        content = b" ".join((MAGIC, key.encode("ascii"), _checksum(key, data))) + b"\n" + data
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=self.folder)
            try:
                with os.fdopen(handle, "wb") as stream:
                    stream.write(content)
                os.replace(temporary, self._path(key, fmt))
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(temporary)
                raise
        except OSError:
            return
        if self._size is None:
            self._size = self._scan()[1]
        else:
            self._size += len(content)
        if self._size > self.max_bytes:
            self.prune(int(self.max_bytes * 0.8))

    def _scan(self) -> tuple[list[tuple[float, int, str]], int]:
        """(mtime, size, path) of every entry, and their total size; drops stale temporaries."""
        entries: list[tuple[float, int, str]] = []
        total, now = 0, time.time()
        with contextlib.suppress(OSError), os.scandir(self.folder) as listing:
            for item in listing:
                with contextlib.suppress(OSError):
                    info = item.stat(follow_symlinks=False)
                    if item.name.startswith(TEMP_PREFIX):
                        if now - info.st_mtime > _STALE_TEMPORARY_SECONDS:
                            os.unlink(item.path)
                        continue
                    if item.is_file(follow_symlinks=False):
                        entries.append((info.st_mtime, info.st_size, item.path))
                        total += info.st_size
        return entries, total

    def prune(self, target_bytes: int) -> None:
        """Remove the least recently used files until the folder holds at most `target_bytes`."""
        entries, total = self._scan()
        for _mtime, size, path in sorted(entries):
            if total <= target_bytes:
                break
            with contextlib.suppress(OSError):
                os.unlink(path)
                total -= size
        self._size = total


class ChartStore:
    """Drawn chart images by `entry_key`: in memory for the process, and in a `DiskCache` when
    `disk` is set. Only what comes from disk is checked: memory holds what this process drew."""

    def __init__(self) -> None:
        self.memory: dict[str, bytes] = {}
        self.disk: DiskCache | None = None

    def get(self, key: str, fmt: str, check: Callable[[bytes], bool]) -> bytes | None:
        """The image, or None when it has to be drawn."""
        data = self.memory.get(key)
        if data is None and self.disk is not None:
            data = self.disk.get(key, fmt, check)
            if data is not None:
                self.memory[key] = data
        return data

    def put(self, key: str, fmt: str, data: bytes) -> None:
        """Keep a drawn image in memory and, when there is one, in the disk cache."""
        self.memory[key] = data
        if self.disk is not None:
            self.disk.put(key, fmt, data)
