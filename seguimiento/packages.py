"""Zip packages (DOCX, XLSX) dated with the report's date, not the clock's.

python-docx and openpyxl date every zip entry with the time they write it (and openpyxl also
the workbook's "modified" property), so the same document written twice differs in those bytes.
`stamp_entries` rewrites the two date fields of each zip record in place (re-packing the M
report's DOCX would cost 45 to 110 ms; this, under 10 ms); `repack` writes a small package again
with its entries dated, after a change to an entry's content.
"""

from __future__ import annotations

import datetime as dt
import io
import struct
import zipfile
from collections.abc import Callable


def stamp_entries(package: bytes, when: dt.datetime) -> bytes:
    """The zip `package` with every entry dated `when` (to the even second, as zip dates go)
    instead of the moment it was written: the same document gives the same bytes. Only
    the two date fields of each local header and central directory record change; no checksum
    covers them."""
    stamp = struct.pack(
        "<HH",
        (when.hour << 11) | (when.minute << 5) | (when.second // 2),
        ((max(when.year, 1980) - 1980) << 9) | (when.month << 5) | when.day,
    )
    data = bytearray(package)
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        infos = archive.infolist()
    for info in infos:  # local file headers: signature, then the time and date at 10..14
        at = info.header_offset
        if data[at : at + 4] != b"PK\x03\x04":
            raise ValueError("unexpected zip layout")
        data[at + 10 : at + 14] = stamp
    end = package.rfind(b"PK\x05\x06")  # end of central directory: count and offset
    count, _size, at = struct.unpack("<HII", package[end + 10 : end + 20])
    for _ in range(count):  # central directory records: the time and date at 12..16
        if data[at : at + 4] != b"PK\x01\x02":
            raise ValueError("unexpected zip layout")
        data[at + 12 : at + 16] = stamp
        name, extra, comment = struct.unpack("<HHH", data[at + 28 : at + 34])
        at += 46 + name + extra + comment
    return bytes(data)


def repack(package: bytes, when: dt.datetime, change: Callable[[str, bytes], bytes]) -> bytes:
    """The zip `package` written again: each entry's content through `change(name, content)`,
    every entry dated `when` and compressed."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(package)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=_dos_time(when))
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = info.external_attr
            target.writestr(entry, change(info.filename, source.read(info)))
    return out.getvalue()


def _dos_time(when: dt.datetime) -> tuple[int, int, int, int, int, int]:
    return (max(when.year, 1980), when.month, when.day, when.hour, when.minute, when.second)
