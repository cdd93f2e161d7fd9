"""Stream packing: WeasyPrint writes uncompressed, the finished PDF has every stream but the XMP
compressed, its objects in object streams, and no stream end that reads two ways (data ending in
CR right before the EOL that precedes `endstream`)."""

from __future__ import annotations

import io
import zlib

import pikepdf
import pypdf
import pytest
from pikepdf import Name
from test_pdf import CSV, TEMPLATES, sample_document

from seguimiento.writers import pdf as writer
from seguimiento.writers import pdf_streams as streams
from seguimiento.writers.html import render_html


def ending_in_cr(prefix: bytes) -> bytes:
    """`prefix` plus four bytes such that its Flate data ends in CR (the Adler-32's last byte)."""
    for n in range(100_000):
        data = prefix + n.to_bytes(4, "big")
        if zlib.compress(data)[-1:] == b"\r":
            return data
    raise AssertionError("no such padding")


def test_every_stream_but_the_xmp_is_compressed_byte_for_byte() -> None:
    font = b"\x00\x01\x00\x00 a font file\r"
    document = pikepdf.new()
    document.Root.Font = document.make_stream(font, Length1=len(font))
    document.Root.Metadata = document.make_stream(
        b"<x:xmpmeta/>", Type=Name.Metadata, Subtype=Name.XML
    )
    with pikepdf.open(io.BytesIO(streams.save_packed(document))) as pdf:
        assert pdf.Root.Font.Filter == Name.FlateDecode
        assert pdf.Root.Font.read_bytes() == font
        assert "/Filter" not in pdf.Root.Metadata
        assert pdf.Root.Metadata.read_raw_bytes() == b"<x:xmpmeta/>"


def test_data_ending_in_cr_is_followed_by_a_cr_eol_and_nothing_moves() -> None:
    content = ending_in_cr(b"q 0 0 1 rg 10 10 50 50 re f Q ")
    document = pikepdf.new()
    document.add_blank_page()
    document.pages[0].obj.Contents = document.make_stream(
        zlib.compress(content), Filter=Name.FlateDecode
    )
    plain = io.BytesIO()
    document.save(
        plain,
        object_stream_mode=pikepdf.ObjectStreamMode.generate,
        fix_metadata_version=False,
        deterministic_id=True,
    )
    assert streams.AMBIGUOUS_END in plain.getvalue()  # what qpdf alone writes

    data = streams.save_packed(document)
    assert streams.AMBIGUOUS_END not in data and streams.UNAMBIGUOUS_END in data
    assert len(data) == len(plain.getvalue())  # a byte changed, none added: offsets hold
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert pdf.check_pdf_syntax() == []
        assert pdf.pages[0].obj.Contents.read_bytes() == content
        assert pdf.pages[0].obj.Contents.read_raw_bytes()[-1:] == b"\r"
    reader = pypdf.PdfReader(io.BytesIO(data), strict=True)
    assert reader.pages[0].get_contents().get_data() == content


@pytest.fixture(scope="module")
def finished_and_raw() -> tuple[bytes, bytes]:
    """The sample report finished by the PDF writer, and what WeasyPrint handed over."""
    raw: list[bytes] = []
    finish = writer._finish

    def keep(data: bytes, *rest) -> bytes:
        raw.append(data)
        return finish(data, *rest)

    writer._finish = keep
    try:
        html = render_html(sample_document(), TEMPLATES)
        attachments = (writer.Attachment("datos.csv", CSV, "text/csv"),)
        finished = writer.write_pdf(html, TEMPLATES, attachments)
    finally:
        writer._finish = finish
    return finished, raw[0]


def test_weasyprint_hands_over_an_uncompressed_pdf(finished_and_raw) -> None:
    _, raw = finished_and_raw
    assert b"/ObjStm" not in raw
    with pikepdf.open(io.BytesIO(raw)) as pdf:
        assert all("/Filter" not in page.obj.Contents for page in pdf.pages)


def test_the_finished_pdf_is_packed(finished_and_raw) -> None:
    finished, raw = finished_and_raw
    assert b"/ObjStm" in finished
    assert streams.AMBIGUOUS_END not in finished
    assert len(finished) < len(raw) / 2
    with pikepdf.open(io.BytesIO(finished)) as pdf:
        found = [o for o in pdf.objects if isinstance(o, pikepdf.Stream)]
        unfiltered = [o for o in found if "/Filter" not in o]
        assert [o.get("/Type") for o in unfiltered] == [Name.Metadata]
        assert pdf.attachments["datos.csv"].get_file().read_bytes() == CSV
