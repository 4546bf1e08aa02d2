import pytest

from sentiment.language import detect_language, detect_languages

CASES = [
    ("Paczka przyszła uszkodzona i nikt nie odpowiada na maile.", "pl"),
    ("Coletul a ajuns spart și nimeni nu răspunde la telefon.", "ro"),
    ("Το δέμα έφτασε σπασμένο και κανείς δεν απαντά.", "el"),
    ("Il pacco è arrivato rotto e nessuno risponde alle email.", "it"),
    ("The parcel arrived broken and nobody answers my emails.", "en"),
    ("Das Paket kam kaputt an und niemand antwortet auf meine E-Mails.", "de"),
    ("El paquete llegó roto y nadie responde a mis correos.", "es"),
    ("Le colis est arrivé cassé et personne ne répond à mes e-mails.", "fr"),
    ("Посылка пришла сломанной, и никто не отвечает.", "ru"),
    ("Kargo kırık geldi ve kimse cevap vermiyor.", "tr"),
]


def test_batch_detection_in_input_order():
    texts = [t for t, _ in CASES]
    assert detect_languages(texts) == [lang for _, lang in CASES]


@pytest.mark.parametrize("text", ["", "ok", "@user http://t.co/x 123", "!!!", "👍👍"])
def test_too_short_or_noise_is_none(text):
    assert detect_language(text) is None


def test_duplicates_and_links_do_not_confuse():
    text = "@acme_pl Dzięki za szybką pomoc, wszystko działa https://t.co/abc"
    assert detect_languages([text, text, "ok"]) == ["pl", "pl", None]
