"""HTML to the plain text people read, for networks that send posts as HTML.

Mastodon `content`, Discourse `cooked`, Hacker News comments and feed summaries are HTML; the
query language and the sentiment model need words, with paragraph breaks kept as newlines.
A link with no words of its own (a video embed, a linked image) keeps its title or address, so a
post made only of links still reads as something and can match a query.
"""
from __future__ import annotations

import html
import re
from html.parser import HTMLParser

_BLOCK = {"p", "div", "li", "blockquote", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "aside"}
_SKIP = {"script", "style", "template"}
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


class _TextParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0
        self.links: list[_Link] = []  # open <a> elements, innermost last

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        given = {key: value or "" for key, value in attrs}
        if tag == "a":
            self.links.append(_Link(given.get("href", ""), given.get("title", ""), len(self.parts)))
        elif tag == "img" and self.links and not self.links[-1].title:
            self.links[-1].title = given.get("title") or given.get("alt") or ""
        if tag in _SKIP:
            self.skipping += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag in _BLOCK:
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self.links:
            link = self.links.pop()
            if not "".join(self.parts[link.start:]).strip() and not self.skipping:
                self.parts.append(f" {link.label()} ")
        if tag in _SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in _BLOCK:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


class _Link:
    def __init__(self, href: str, title: str, start: int) -> None:
        self.href, self.title, self.start = href.strip(), title.strip(), start

    def label(self) -> str:
        """What a wordless link stands for: its title and address, or whichever it has."""
        if self.title and self.href:
            return f"{self.title} ({self.href})"
        return self.title or self.href


def html_to_text(markup: str | None) -> str:
    """Plain text of an HTML fragment: tags out, entities decoded, paragraphs as blank lines."""
    if not markup:
        return ""
    if "<" not in markup:
        return html.unescape(markup).strip()
    parser = _TextParser()
    parser.feed(markup)
    parser.close()
    text = "".join(parser.parts).replace("\xa0", " ")
    text = re.sub(r"[ \t\r\f\v]+", " ", text)
    text = re.sub(r" *\n *", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def person_name(raw: str | None) -> str:
    """A display name without e-mail addresses: feeds write authors as "Anthony
    (noreply@blogger.com)", "noreply@blogger.com (Anthony)" or "Anthony <a@b.c>"; an address is
    never a name (and storing it is storing contact data nobody asked us to keep)."""
    if not raw:
        return ""
    text = _EMAIL.sub("", raw)
    text = re.sub(r"\(\s*\)|<\s*>|\[\s*\]", "", text)
    text = " ".join(text.split())
    if text.startswith("(") and text.endswith(")"):
        text = text[1:-1].strip()
    return text.strip(" ,;-")
