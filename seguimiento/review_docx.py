"""Read what reviewers did to a DOCX draft: comments and tracked insertions/deletions, each with
the place of the report it is anchored in.

A reviewed DOCX comes from outside and is not trusted. It is opened as a zip with limits (number
of members, total and per-member uncompressed size, compression ratio: zip bombs are refused), its
XML is parsed without DTDs, entities or network access, and a document with external
relationships other than hyperlinks is refused. Problems are raised as `ReviewFileError` with a
message for people.

Anchors: the DOCX writer puts a bookmark on every heading and on every commented proposal
(`art_5`, `proposal_9`, …). A comment or a tracked change is anchored in the last bookmark that
starts before its first text, and in the last heading before it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import zipfile
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
DC = "http://purl.org/dc/elements/1.1/"
REL = "http://schemas.openxmlformats.org/package/2006/relationships"
HYPERLINK = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"
MAX_MEMBERS = 2000
MAX_TOTAL = 200 * 1024 * 1024
MAX_MEMBER = 60 * 1024 * 1024
MAX_RATIO = 150
IGNORED_BOOKMARKS = ("_Toc", "_GoBack", "_Ref", "_Hlk")


class ReviewFileError(ValueError):
    """The DOCX cannot be read as a reviewed draft; the message says why and what to do."""


@dataclass(frozen=True)
class ReviewItem:
    """One comment or tracked change found in a reviewed draft."""

    kind: str  # comment | insertion | deletion
    author: str
    date: str
    text: str
    anchor: str
    section: str
    context: str = ""

    @property
    def id(self) -> str:
        """A stable id: the same comment imported twice gets the same id."""
        key = "\x1f".join((self.kind, self.author, self.date, self.text, self.anchor))
        return f"{self.kind[0]}-{hashlib.sha256(key.encode()).hexdigest()[:12]}"


@dataclass(frozen=True)
class ReviewedDraft:
    """What a reviewed draft says about itself and what reviewers added."""

    identifier: str
    items: tuple[ReviewItem, ...]

    def parts(self) -> tuple[str, str, str, str]:
        """(convention, report, period, lang) from the identifier the writer stored."""
        pieces = self.identifier.split(":")
        if len(pieces) != 5 or pieces[0] != "seguimiento":
            raise ReviewFileError(
                "this DOCX was not produced by seguimiento (no identifier in its properties); "
                "give --convention and --period"
            )
        return pieces[1], pieces[2], pieces[3], pieces[4]


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        dtd_validation=False,
    )


def _read_xml(archive: zipfile.ZipFile, name: str) -> etree._Element | None:
    try:
        data = archive.read(name)
    except KeyError:
        return None
    if b"<!DOCTYPE" in data[:2048] or b"<!ENTITY" in data:
        raise ReviewFileError(f"{name} declares a DTD or entities; refused (not a normal DOCX)")
    try:
        return etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as error:
        raise ReviewFileError(f"{name} is not well-formed XML ({error}); save it again") from None


def _open(path: Path) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as error:
        raise ReviewFileError(f"not a DOCX file ({error}); save the draft as .docx") from None
    members = archive.infolist()
    if len(members) > MAX_MEMBERS:
        raise ReviewFileError(f"{len(members)} parts inside the DOCX; refused as unsafe")
    total = 0
    for member in members:
        total += member.file_size
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > MAX_MEMBER or total > MAX_TOTAL or ratio > MAX_RATIO:
            raise ReviewFileError(
                f"{member.filename} unpacks to {member.file_size:,} bytes (ratio {ratio:.0f}:1); "
                "refused as a possible zip bomb"
            )
    return archive


def _check_relationships(archive: zipfile.ZipFile) -> None:
    for name in archive.namelist():
        if not name.endswith(".rels"):
            continue
        root = _read_xml(archive, name)
        for rel in root.iter(f"{{{REL}}}Relationship") if root is not None else ():
            external = rel.get("TargetMode") == "External"
            if external and rel.get("Type") != HYPERLINK:
                raise ReviewFileError(
                    f"{name} links to an external resource ({rel.get('Target', '')[:80]}); "
                    "refused: remove linked files or templates and save again"
                )


def _text(element: etree._Element) -> str:
    parts = [node.text or "" for node in element.iter(f"{{{W}}}t", f"{{{W}}}delText")]
    return "".join(parts).strip()


def _anchor_name(bookmark: str) -> str:
    return bookmark.replace("_", "-")


def _walk(body: etree._Element, comments: dict[str, tuple[str, str, str]]) -> list[ReviewItem]:
    """Walk the body in document order, anchoring comments and tracked changes."""
    items: list[ReviewItem] = []
    bookmark, heading = "", ""
    pending: dict[str, str] = {}  # comment id -> anchor fixed at its first text
    open_ranges: dict[str, list[str]] = {}
    contexts: dict[str, str] = {}
    anchors: dict[str, tuple[str, str]] = {}
    for element in body.iter():
        tag = etree.QName(element).localname if isinstance(element.tag, str) else ""
        if tag == "p":
            style = element.find(f"{{{W}}}pPr/{{{W}}}pStyle")
            if style is not None and style.get(f"{{{W}}}val", "").startswith("Heading"):
                heading = _text(element)
        elif tag == "bookmarkStart":
            name = element.get(f"{{{W}}}name", "")
            if name and not name.startswith(IGNORED_BOOKMARKS):
                bookmark = name
        elif tag == "commentRangeStart":
            cid = element.get(f"{{{W}}}id", "")
            pending[cid] = ""
            open_ranges[cid] = []
        elif tag == "commentRangeEnd":
            cid = element.get(f"{{{W}}}id", "")
            contexts[cid] = "".join(open_ranges.pop(cid, [])).strip()
        elif tag in ("t", "delText"):
            for cid in [c for c, a in pending.items() if not a]:
                pending[cid] = bookmark or "-"
                anchors[cid] = (bookmark, heading)
            for words in open_ranges.values():
                words.append(element.text or "")
        elif tag in ("ins", "del") and element.getparent() is not None:
            if etree.QName(element.getparent()).localname == "rPr":
                continue  # a formatting mark, not a tracked change of text
            text = _text(element)
            if text:
                items.append(
                    ReviewItem(
                        kind="insertion" if tag == "ins" else "deletion",
                        author=element.get(f"{{{W}}}author", ""),
                        date=element.get(f"{{{W}}}date", "")[:10],
                        text=text,
                        anchor=_anchor_name(bookmark),
                        section=heading,
                    )
                )
        if tag == "commentReference":
            cid = element.get(f"{{{W}}}id", "")
            if cid in comments:
                author, date, text = comments[cid]
                mark, section = anchors.get(cid, (bookmark, heading))
                context = contexts.get(cid, "")[:300]
                items.append(
                    ReviewItem("comment", author, date, text, _anchor_name(mark), section, context)
                )
    return items


def read_reviewed_docx(path: Path) -> ReviewedDraft:
    """Every comment and tracked change of a reviewed draft, in document order."""
    with _open(path) as archive:
        _check_relationships(archive)
        document = _read_xml(archive, "word/document.xml")
        if document is None:
            raise ReviewFileError("no word/document.xml inside; this is not a Word document")
        core = _read_xml(archive, "docProps/core.xml")
        identifier = ""
        if core is not None:
            found = core.find(f"{{{DC}}}identifier")
            identifier = (found.text or "") if found is not None else ""
        comments: dict[str, tuple[str, str, str]] = {}
        root = _read_xml(archive, "word/comments.xml")
        for comment in root.iter(f"{{{W}}}comment") if root is not None else ():
            paragraphs = [_text(p) for p in comment.iter(f"{{{W}}}p")]
            comments[comment.get(f"{{{W}}}id", "")] = (
                comment.get(f"{{{W}}}author", ""),
                comment.get(f"{{{W}}}date", "")[:10] or dt.date.today().isoformat(),
                "\n".join(p for p in paragraphs if p),
            )
        body = document.find(f"{{{W}}}body")
        items = _walk(body if body is not None else document, comments)
    return ReviewedDraft(identifier, tuple(items))
