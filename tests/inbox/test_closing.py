"""Thank-yous and goodbyes in the eight languages the care team answers in, and look-alikes."""
from __future__ import annotations

import pytest

from monitor.inbox.closing import THANKS, is_closing

CLOSING = {
    "pl": ["dzięki", "Dziękuję!", "Super, dzięki za pomoc", "wielkie dzięki 🙏", "@acme dziękuję bardzo"],
    "en": ["thanks", "Thank you :)", "ok thanks", "Thanks a lot, works now!", "thank you so much for your help"],
    "de": ["Danke", "danke schön!", "Vielen Dank für die Hilfe"],
    "fr": ["merci", "Merci beaucoup !", "Merci pour l’aide"],
    "es": ["gracias", "¡Muchas gracias!", "Perfecto, gracias por la ayuda"],
    "it": ["grazie", "Grazie mille!", "Perfetto, grazie"],
    "ro": ["mulțumesc", "multumesc", "Mulțumesc frumos!"],
    "el": ["ευχαριστώ", "ευχαριστω", "Ευχαριστώ πολύ!"],
}
NOT_CLOSING = [
    "dzięki, ale dalej nie działa?", "dzięki, ale dalej nie działa", "thanks for nothing", "thanks?",
    "ok", "super", "nie działa", "danke, aber es geht immer noch nicht", "merci mais toujours rien",
    "gracias por nada", "grazie, ma non funziona", "mulțumesc, dar tot nu merge", "ευχαριστώ, αλλά δεν λειτουργεί",
    "😡", "thanks 😡", "", None, "thanks https://evil.example/?x=1",
]


@pytest.mark.parametrize(("lang", "text"), [(lang, t) for lang, texts in CLOSING.items() for t in texts])
def test_thanks_and_goodbyes_are_closing(lang, text):
    assert lang in THANKS and is_closing(text)


@pytest.mark.parametrize("text", ["👍", "🙏", "👍🙏", "👍🏻", "🙏🙏🙏"])
def test_closing_emoji_alone_are_closing(text):
    assert is_closing(text)


@pytest.mark.parametrize("text", NOT_CLOSING)
def test_questions_complaints_and_sarcasm_are_not(text):
    assert not is_closing(text)
