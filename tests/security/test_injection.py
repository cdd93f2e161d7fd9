"""Hostile text in the data: printed literally in DOCX and PDF, nothing fetched or embedded."""

from __future__ import annotations

import http.server
import re
import threading
from pathlib import Path

import pytest
import yaml
from docx import Document
from pypdf import PdfReader

from seguimiento.cli import main

HOSTILE = (
    "Texto {{ 7*7 }} y {% include 'progress.md.j2' %} <script>alert(1)</script> "
    '<img src="file:///etc/passwd"> ![x](file:///etc/passwd) '
    "![y](http://127.0.0.1:PORT/x.png) [enlace](javascript:alert(1))"
)


class _Recorder(http.server.BaseHTTPRequestHandler):
    requests: list[str] = []

    def do_GET(self):  # noqa: N802 - http.server's name
        _Recorder.requests.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()

    def log_message(self, *args):
        return None


@pytest.fixture
def server():
    httpd = http.server.HTTPServer(("127.0.0.1", 0), _Recorder)
    _Recorder.requests = []
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd.server_address[1]
    httpd.shutdown()


def _inject(root: Path, text: str) -> None:
    path = root / "indicators" / "uncac" / "assessments.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["assessments"][0]["period"] = "2025"
    data["assessments"][0]["advances"] = {"es": text, "en": text}
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def test_hostile_text_is_literal_and_nothing_is_fetched(small_project, server, tmp_path, capsys):
    text = HOSTILE.replace("PORT", str(server))
    _inject(small_project, text)
    out = tmp_path / "out"
    code = main(["--root", str(small_project), "uncac", "--format", "docx,pdf", "--out", str(out)])
    assert code == 0
    err = capsys.readouterr().err
    assert _Recorder.requests == []  # the loopback server saw no request
    docx_text = "\n".join(
        p.text for p in Document(str(out / "uncac/2025/progress.es.docx")).paragraphs
    )
    pdf = PdfReader(out / "uncac/2025/progress.es.pdf")
    pdf_text = re.sub(r"\s+", " ", " ".join(page.extract_text() for page in pdf.pages))
    for literal in ("{{ 7*7 }}", "{% include 'progress.md.j2' %}", "<script>alert(1)</script>"):
        assert literal in docx_text
        assert literal in pdf_text
    assert "49" not in docx_text.split("{{ 7*7 }}")[1][:4]
    # Images from data are never embedded: the only images are our charts.
    images = [
        name
        for name in Document(str(out / "uncac/2025/progress.es.docx")).part.package.parts
        if "media" in str(name.partname)
    ]
    assert all(str(part.partname).endswith(".png") for part in images)
    for page in pdf.pages:
        resources = page.get("/Resources") or {}
        assert "/XObject" not in resources or all(
            "passwd" not in str(obj) for obj in resources["/XObject"].values()
        )
    assert "passwd" not in pdf_text.replace("file:///etc/passwd", "")
    # No live javascript: link, and a warning that names the file and the line.
    for page in pdf.pages:
        for annotation in page.get("/Annots") or []:
            uri = str(annotation.get_object().get("/A", {}).get("/URI", ""))
            assert not uri.startswith("javascript")
    assert "javascript:alert(1)" in err and "file:///etc/passwd" in err
    assert "indicators/uncac/assessments.yaml:" in err or "assessments.yaml" in err
