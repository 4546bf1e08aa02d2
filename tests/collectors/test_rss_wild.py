"""Feeds as they come in the wild: undeclared legacy encodings, misread dates, Blogger's authors.

The feeds are encoded here, in the test, in the encoding a site would serve them in."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from collectors.rss import RssCollector, RssSettings
from tests.http_kit import LOCAL, Answer, Replayer

FEED = f"{LOCAL}/feed.rss"

# (encoding, language, title, body): what a customer might write on a local forum or blog.
FEEDS = [
    ("iso-8859-2", "pl", "Acme: zwrot pieniędzy", "Zażółć gęślą jaźń: od dwóch tygodni czekam na zwrot, "
                                                  "a infolinia Acme milczy. Świetnie."),
    ("windows-1250", "pl", "Aplikacja Acme nie działa", "Po aktualizacji aplikacja Acme się wyłącza. Proszę o "
                                                       "pomoc, żadna opcja nie działa, próbowałem już wszystkiego."),
    ("windows-1250", "ro", "Aplicaţia Acme nu funcţionează", "Comanda mea Acme a întârziat două săptămâni şi "
                                                            "nimeni nu răspunde la telefon. Vă rog să mă ajutaţi."),
    ("iso-8859-7", "el", "Η εφαρμογή Acme δεν λειτουργεί", "Η παραγγελία μου από την Acme άργησε δύο εβδομάδες "
                                                          "και κανείς δεν απαντά. Παρακαλώ βοηθήστε."),
    ("koi8-r", "ru", "Приложение Acme не работает", "Заказ Acme задерживается уже две недели, поддержка не "
                                                   "отвечает. Помогите, пожалуйста."),
    ("shift_jis", "ja", "Acmeのアプリが動きません", "注文したAcmeの商品が二週間も届いていません。サポートに"
                                                 "連絡しても返事がありません。"),
    ("euc-jp", "ja", "Acmeの返品について", "Acmeのやかんのふたが閉まりません。交換してもらえますか。"),
    ("euc-kr", "ko", "Acme 앱이 작동하지 않습니다", "주문한 Acme 제품이 이주째 도착하지 않았어요. 고객센터도 "
                                                "답이 없습니다."),
    ("gb2312", "zh", "Acme应用程序无法使用", "我在Acme订的水壶两周了还没到，客服也不回复。请帮帮我。"),
    ("windows-1255", "he", "האפליקציה של Acme לא עובדת", "ההזמנה שלי מ-Acme מתעכבת כבר שבועיים ואף אחד לא "
                                                        "עונה. בבקשה עזרו לי."),
]


def rss(title: str, body: str, language: str | None, pub_dates: tuple[str, ...] = ("Tue, 12 Nov 2024 09:00:00 GMT",),
        built: str | None = "Tue, 12 Nov 2024 10:00:00 GMT") -> str:
    """An RSS 2.0 document with no encoding in its XML declaration."""
    items = "".join(f"<item><title>{title}</title><description>{body}</description><guid>post-{n}</guid>"
                    f"<link>https://forum.example/t/{n}</link><pubDate>{date}</pubDate></item>"
                    for n, date in enumerate(pub_dates))
    lang = f"<language>{language}</language>" if language else ""
    build = f"<lastBuildDate>{built}</lastBuildDate>" if built else ""
    return (f'<?xml version="1.0"?>\n<rss version="2.0"><channel><title>Forum</title>'
            f"<link>https://forum.example/</link>{lang}{build}{items}</channel></rss>")


def collect(body: bytes, content_type: str = "application/rss+xml", **headers: str):
    replayer = Replayer({"GET /feed.rss": [Answer(200, body, {"content-type": content_type, **headers})]})
    collector = RssCollector(RssSettings(type="rss", name="forum", url=FEED), replayer.client())
    return collector.fetch({}, [])


@pytest.mark.parametrize("with_language", [True, False], ids=["language declared", "no language"])
@pytest.mark.parametrize(("encoding", "language", "title", "body"), FEEDS, ids=[f"{f[0]}-{f[1]}" for f in FEEDS])
def test_undeclared_legacy_encodings_are_detected(encoding, language, title, body, with_language) -> None:
    """No charset in the Content-Type, none in the XML declaration: once stored as mojibake."""
    (mention,) = collect(rss(title, body, language if with_language else None).encode(encoding)).mentions
    assert mention.text == f"{title}\n\n{body}"


@pytest.mark.parametrize("content_type", ["text/xml", "application/xml", "text/html"])
def test_undeclared_encoding_is_detected_whatever_the_media_type(content_type) -> None:
    _, language, title, body = FEEDS[1]
    (mention,) = collect(rss(title, body, language).encode("windows-1250"), content_type).mentions
    assert mention.text == f"{title}\n\n{body}"


def test_the_country_domain_narrows_an_undeclared_encoding() -> None:
    _, _, title, body = FEEDS[0]
    replayer = Replayer({"GET /feed.rss": [Answer(200, rss(title, body, None).encode("iso-8859-2"),
                                                  {"content-type": "application/rss+xml"})]})
    settings = RssSettings(type="rss", name="forum", url="http://forum.example.pl/feed.rss")
    (mention,) = RssCollector(settings, replayer.client()).fetch({}, []).mentions
    assert mention.text == f"{title}\n\n{body}"


def test_the_content_type_charset_is_what_feedparser_reads() -> None:
    """A declared charset is believed, even over a wrong XML declaration (RFC 3023)."""
    _, language, title, body = FEEDS[3]
    document = rss(title, body, language).replace('<?xml version="1.0"?>', '<?xml version="1.0" encoding="utf-8"?>')
    (mention,) = collect(document.encode("iso-8859-7"), "application/rss+xml; charset=ISO-8859-7").mentions
    assert mention.text == f"{title}\n\n{body}"


def test_an_xml_declaration_is_believed_when_the_header_says_nothing() -> None:
    _, language, title, body = FEEDS[4]
    document = rss(title, body, language).replace('<?xml version="1.0"?>', '<?xml version="1.0" encoding="KOI8-R"?>')
    (mention,) = collect(document.encode("koi8-r"), "text/xml").mentions
    assert mention.text == f"{title}\n\n{body}"


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


def test_slash_dates_are_read_as_written_not_as_december(monkeypatch) -> None:
    """feedparser reads `2020/1/10 14:33:00` as 2020-12-01 00:00, the same for every entry."""
    monkeypatch.setattr("networks.times.now", lambda: at(2020, 1, 10, 16, 0))
    document = rss("Acme", "Acme kettle", "en", ("2020/1/10 14:33:00", "2020/1/9 8:05:00", "09.01.2020 07:30"),
                   built="2020/1/10 15:00:00")
    dates = [m.created_at for m in collect(document.encode()).mentions]
    assert dates == [at(2020, 1, 10, 14, 33), at(2020, 1, 9, 8, 5), at(2020, 1, 9, 7, 30)]


def test_unbelievable_dates_fall_back_to_the_feeds_date_with_a_warning(monkeypatch, caplog) -> None:
    monkeypatch.setattr("networks.times.now", lambda: at(2024, 11, 12, 12, 0))
    document = rss("Acme", "Acme kettle", "en", ("Sat, 10 Jan 2037 10:00:00 GMT",  # the future
                                                 "Thu, 01 Jan 1970 00:00:00 GMT",  # years before the feed
                                                 "Tue, 12 Nov 2024 11:30:00 GMT",  # a day-ahead skew: believed
                                                 "Tue, 12 Nov 2024 09:00:00 GMT"))
    dates = [m.created_at for m in collect(document.encode()).mentions]
    assert dates == [at(2024, 11, 12, 10, 0), at(2024, 11, 12, 10, 0), at(2024, 11, 12, 11, 30),
                     at(2024, 11, 12, 9, 0)]
    assert caplog.text.count("is not believable") == 2 and "'Sat, 10 Jan 2037 10:00:00 GMT'" in caplog.text


def test_without_a_feed_date_the_time_collected_stands_in(monkeypatch) -> None:
    monkeypatch.setattr("networks.times.now", lambda: at(2024, 11, 12, 12, 0))
    document = rss("Acme", "Acme kettle", "en", ("Sat, 10 Jan 2037 10:00:00 GMT", "Tue, 12 Nov 2024 09:00:00 GMT"),
                   built=None)
    dates = [m.created_at for m in collect(document.encode()).mentions]
    assert dates == [at(2024, 11, 12, 9, 0), at(2024, 11, 12, 9, 0)]  # newest believable entry


@pytest.mark.parametrize("fixture", ["blogger.atom", "blogger.rss"])
def test_blogger_authors_lose_their_noreply_address(fixture) -> None:
    """Blogger writes "Anthony (noreply@blogger.com)" (Atom, via feedparser) and
    "noreply@blogger.com (Anthony)" (RSS)."""
    replayer = Replayer({"GET /feed.rss": [Answer(200, fixture, {"content-type": "application/xml"}, network="rss")]})
    (post,) = RssCollector(RssSettings(type="rss", name="blog", url=FEED), replayer.client()).fetch({}, []).mentions
    assert post.author.handle == "Anthony" and post.author.name == "Anthony"
    assert post.created_at == at(2024, 11, 12, 10, 0)
    assert post.text == "Three weeks with the Acme kettle\n\nThe Acme kettle boils fast, but the lid squeaks."


def test_an_author_given_only_as_an_address_becomes_the_feed() -> None:
    document = rss("Acme", "Acme kettle", "en").replace("<guid>", "<author>jan@example.pl</author><guid>")
    (post,) = collect(document.encode()).mentions
    assert post.author.handle == "Forum"


def test_a_declaration_the_bytes_contradict_is_not_believed(caplog) -> None:
    """A windows-1250 feed whose XML declaration (copied from a template) says UTF-8."""
    _, language, title, body = FEEDS[1]
    document = rss(title, body, language).replace('<?xml version="1.0"?>', '<?xml version="1.0" encoding="UTF-8"?>')
    (mention,) = collect(document.encode("windows-1250")).mentions
    assert mention.text == f"{title}\n\n{body}"
    assert "says it is UTF-8 but is not; read as cp1250" in caplog.text
