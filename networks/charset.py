"""The character encoding of a document that does not say what it is (or says it wrongly).

Many feeds still come in a legacy encoding (ISO-8859-2 and windows-1250 in Poland and Romania,
ISO-8859-7 in Greece, KOI8-R, Shift_JIS, EUC-JP, EUC-KR, GB2312, windows-1255) with neither a
`charset` in the Content-Type nor an XML declaration. Guessing windows-1252 then (feedparser's
last resort) stores mojibake. Detection is a guess, so it is narrowed by what the document says
about its language (`<language>`, `xml:lang`, Content-Language, the country's domain) and checked
for letters that came out as symbols, the tell-tale of a wrong single-byte code page.
"""
from __future__ import annotations

import codecs
import re
from urllib.parse import urlsplit

import charset_normalizer

# Encodings people actually serve, per language, most common first.
_BY_LANGUAGE: dict[str, tuple[str, ...]] = {
    "pl": ("cp1250", "iso8859_2"), "cs": ("cp1250", "iso8859_2"), "sk": ("cp1250", "iso8859_2"),
    "hu": ("cp1250", "iso8859_2"), "sl": ("cp1250", "iso8859_2"), "hr": ("cp1250", "iso8859_2"),
    "ro": ("cp1250", "iso8859_2"), "el": ("iso8859_7", "cp1253"),
    "ru": ("cp1251", "koi8_r"), "uk": ("cp1251", "koi8_u"), "bg": ("cp1251",),
    "ja": ("shift_jis", "euc_jp", "iso2022_jp"), "ko": ("euc_kr",), "zh": ("gb18030", "big5"),
    "he": ("cp1255", "iso8859_8"), "tr": ("cp1254", "iso8859_9"), "ar": ("cp1256",),
    "th": ("cp874",), "vi": ("cp1258",), "lt": ("cp1257", "iso8859_13"), "lv": ("cp1257", "iso8859_13"),
}
_WESTERN = ("cp1252", "iso8859_15")
_ANY = tuple(dict.fromkeys([*(e for codes in _BY_LANGUAGE.values() for e in codes), *_WESTERN]))
_DOMAIN_LANGUAGE = {"pl": "pl", "cz": "cs", "sk": "sk", "hu": "hu", "si": "sl", "hr": "hr", "ro": "ro",
                    "gr": "el", "ru": "ru", "ua": "uk", "bg": "bg", "jp": "ja", "kr": "ko", "cn": "zh",
                    "tw": "zh", "il": "he", "tr": "tr", "th": "th", "vn": "vi", "lt": "lt", "lv": "lv"}
_DECLARED_LANGUAGE = re.compile(
    rb"<(?:dc:)?language>\s*([a-zA-Z]{2})|xml:lang\s*=\s*[\"']([a-zA-Z]{2})", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"^\s*<\?xml[^>]*encoding\s*=\s*[\"']([\w.:-]+)")
# What letters of another code page turn into when read in the wrong one: C1 controls and
# symbols that rarely appear in prose (ISO-8859-2 "ą" read as windows-1250 is "±").
_MISREAD = re.compile("[\x80-\x9f\u00a1-\u00a6\u00a8\u00aa\u00ac\u00af\u00b1-\u00b6\u00b8-\u00ba\u00bc-\u00bf]")

_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_KANA = re.compile("[\u3041-\u30ff]")


def declared_charset(content_type: str | None) -> str | None:
    """The `charset` of a Content-Type header, if it names one Python knows."""
    match = re.search(r"charset\s*=\s*[\"']?([\w.:-]+)", content_type or "", re.IGNORECASE)
    return match.group(1) if match and _known(match.group(1)) else None


def declared(content: bytes, content_type: str | None) -> str | None:
    """The encoding the document names, as RFC 3023 ranks them: the header's `charset`, else a
    byte-order mark, else the XML declaration; None when it names none Python knows."""
    named = declared_charset(content_type)
    if named:
        return named
    for mark, code in _BOMS:
        if content.startswith(mark):
            return code
    match = _XML_ENCODING.match(content[:200])
    if match and _known(match.group(1).decode("ascii")):
        return match.group(1).decode("ascii")
    return None


def decodes(content: bytes, code: str) -> bool:
    """True when every byte of `content` is valid in `code` (a named encoding that is not is a
    misdeclared one: a windows-1250 feed whose declaration says UTF-8)."""
    try:
        content.decode(code)
        return True
    except (UnicodeDecodeError, LookupError):
        return False


def detect(content: bytes, url: str = "", content_language: str | None = None) -> str:
    """The encoding `content` is most likely in: UTF-8 if it decodes as such, else the best
    candidate for the document's language (or any common one), preferring fewer misread letters."""
    try:
        content.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    language = _language(content, url, content_language)
    candidates = _BY_LANGUAGE.get(language, _WESTERN) if language else _ANY
    ranked = [match.encoding for match in charset_normalizer.from_bytes(content, cp_isolation=list(candidates))]
    ranked += [code for code in candidates if code not in ranked and decodes(content, code)]
    if not ranked:
        return "windows-1252"
    # min() keeps the first of equals: charset-normalizer's order decides between equally clean readings.
    return min(ranked, key=lambda code: _doubt(content.decode(code, errors="replace"), code))


def _doubt(text: str, code: str) -> int:
    """How wrong a reading looks: letters turned into symbols; and Japanese prose always has
    kana, which Chinese code pages never produce from Japanese bytes (EUC-JP read as Big5)."""
    doubt = len(_MISREAD.findall(text))
    if code in _BY_LANGUAGE["ja"] and _KANA.search(text):
        doubt -= 1000
    return doubt


def _language(content: bytes, url: str, content_language: str | None) -> str | None:
    match = _DECLARED_LANGUAGE.search(content[:4096])
    if match:
        return (match.group(1) or match.group(2)).decode("ascii").lower()
    if content_language:
        return content_language.strip()[:2].lower()
    top = (urlsplit(url).hostname or "").rpartition(".")[2]
    return _DOMAIN_LANGUAGE.get(top)


def _known(name: str) -> bool:
    try:
        codecs.lookup(name)
        return True
    except LookupError:
        return False
