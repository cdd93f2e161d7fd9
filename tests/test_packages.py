"""Zip packages dated with the report's date: every record of the zip, and nothing else."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest

from seguimiento.packages import repack, stamp_entries

WHEN = dt.datetime(2026, 3, 2, 14, 30, 17, tzinfo=dt.UTC)


def _package(comment: bytes = b"") -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        info = zipfile.ZipInfo("word/document.xml", date_time=(2031, 1, 1, 1, 1, 1))
        info.extra = b"\xca\xfe\x04\x00abcd"  # an extra field: the records are longer
        archive.writestr(info, "<w:document/>" * 100)
        archive.writestr("word/media/image1.png", bytes(range(256)))
        archive.comment = comment
    return out.getvalue()


@pytest.mark.parametrize("comment", [b"", b"a comment"])
def test_every_entry_is_dated_and_nothing_else_changes(comment):
    package = _package(comment)
    stamped = stamp_entries(package, WHEN)
    assert len(stamped) == len(package)
    with (
        zipfile.ZipFile(io.BytesIO(stamped)) as after,
        zipfile.ZipFile(io.BytesIO(package)) as before,
    ):
        assert after.testzip() is None
        assert {info.date_time for info in after.infolist()} == {(2026, 3, 2, 14, 30, 16)}
        for old, new in zip(before.infolist(), after.infolist(), strict=True):
            assert (new.filename, new.CRC, new.extra) == (old.filename, old.CRC, old.extra)
            assert after.read(new) == before.read(old)
        assert after.comment == comment
    different = sum(a != b for a, b in zip(package, stamped, strict=True))
    assert 0 < different <= 3 * 2 * 4  # at most the 4 date bytes of 2 records per entry


def test_a_file_that_is_not_a_plain_zip_is_refused():
    package = bytearray(_package())
    package[0:4] = b"XXXX"  # the first local header's signature
    with pytest.raises((ValueError, zipfile.BadZipFile)):
        stamp_entries(bytes(package), WHEN)


def test_repack_changes_the_content_asked_and_dates_every_entry():
    def change(name: str, content: bytes) -> bytes:
        return b"<Types changed/>" if name == "[Content_Types].xml" else content

    packed = repack(_package(), WHEN, change)
    with zipfile.ZipFile(io.BytesIO(packed)) as archive:
        assert archive.read("[Content_Types].xml") == b"<Types changed/>"
        assert archive.read("word/media/image1.png") == bytes(range(256))
        assert {info.date_time for info in archive.infolist()} == {(2026, 3, 2, 14, 30, 16)}
    assert repack(_package(), WHEN, change) == packed
