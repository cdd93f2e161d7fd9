"""Link annotations described for PDF/UA readers (pikepdf): WeasyPrint sets a link's
`/Contents` to its raw target (a URL or an anchor name); `describe_links` sets it to what the
reader saw, the text of the link in the page (`link_texts`, read from the tree WeasyPrint laid
out): for an anchor, the heading it leads to; for a URL, the link's text with the URL when they
differ. Part of `pdf_tags.finish_tags`.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pikepdf
from pikepdf import Name

_HEADINGS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6"))


def _text(element: ET.Element) -> str:
    return re.sub(r"\s+", " ", "".join(element.itertext())).strip()


def link_texts(page: ET.Element) -> dict[str, str]:
    """Target (URL or `#anchor`) → a description of the links to it in `page` (the HTML page's
    tree, as WeasyPrint parsed it): for an anchor, the text of the heading it points to (else of
    the first link to it); for a URL, the link's text with the URL, or the URL alone when links
    with different texts point to it."""
    links: dict[str, list[str]] = {}
    headings: dict[str, str] = {}
    for element in page.iter():
        tag = element.tag
        if tag == "a":
            href = element.get("href")
            if href:
                links.setdefault(href, []).append(_text(element))
        elif tag in _HEADINGS:
            anchor = element.get("id")
            if anchor:
                headings[anchor] = _text(element)
    out: dict[str, str] = {}
    for href, texts in links.items():
        named = [t for t in texts if t]
        if href.startswith("#"):
            text = headings.get(href[1:]) or (named[0] if named else "")
        elif len(set(named)) == 1 and href not in named[0]:
            text = f"{named[0]} ({href})"
        else:
            text = named[0] if len(set(named)) == 1 else href
        if text:
            out[href] = text
    return out


def describe_links(pdf, texts: dict[str, str]) -> int:
    """Set each link annotation's /Contents to a description of the link; returns how many."""
    count = 0
    for page in pdf.pages:
        for annotation in page.obj.get("/Annots", ()):
            if annotation.get("/Subtype") != Name.Link:
                continue
            action = annotation.get("/A")
            if isinstance(action, pikepdf.Dictionary) and action.get("/S") == Name.URI:
                url = str(action.URI)
                description = texts.get(url, url)
            else:
                target = annotation.get("/Dest")
                if target is None and isinstance(action, pikepdf.Dictionary):
                    target = action.get("/D")
                if not isinstance(target, pikepdf.String | pikepdf.Name):
                    continue
                description = texts.get("#" + str(target).lstrip("/"), "")
            if description:
                annotation.Contents = pikepdf.String(description)
                count += 1
    return count
