"""Link annotations described for PDF/UA readers (pikepdf): WeasyPrint sets a link's
`/Contents` to its raw target (a URL or an anchor name); `describe_links` sets it to what the
reader saw, the text of the link in the HTML (`link_texts`): for an anchor, the heading it leads
to; for a URL, the link's text with the URL when they differ. Part of `pdf_tags.finish_tags`.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pikepdf
from pikepdf import Name


class _LinkCollector(HTMLParser):
    """Collects the text of every `<a href>` (by target) and of every heading with an id."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: dict[str, list[str]] = {}
        self.headings: dict[str, str] = {}
        self.open: list[tuple[str, str, list[str]]] = []  # (tag, key, text parts)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        values = dict(attrs)
        if tag == "a" and values.get("href"):
            self.open.append(("a", values["href"], []))
        elif tag in ("h1", "h2", "h3", "h4", "h5", "h6") and values.get("id"):
            self.open.append((tag, values["id"], []))

    def handle_endtag(self, tag: str) -> None:
        if self.open and self.open[-1][0] == tag:
            _, key, parts = self.open.pop()
            text = re.sub(r"\s+", " ", "".join(parts)).strip()
            if tag == "a":
                self.links.setdefault(key, []).append(text)
            else:
                self.headings[key] = text

    def handle_data(self, data: str) -> None:
        for _, _, parts in self.open:
            parts.append(data)


def link_texts(html: str) -> dict[str, str]:
    """Target (URL or `#anchor`) → a description of the links to it in `html`: for an anchor,
    the text of the heading it points to (else of the first link to it); for a URL, the link's
    text with the URL, or the URL alone when links with different texts point to it."""
    collector = _LinkCollector()
    collector.feed(html)
    collector.close()
    out: dict[str, str] = {}
    for href, texts in collector.links.items():
        named = [t for t in texts if t]
        if href.startswith("#"):
            text = collector.headings.get(href[1:]) or (named[0] if named else "")
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
