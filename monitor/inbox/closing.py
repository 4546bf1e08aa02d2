"""Is a customer's message only a thank-you or a goodbye ("dzięki", "thanks!", "👍")?

After our reply such a message does not need an answer: the queue offers the conversation for
closing and ranks it below every message that does. Being wrong costs more one way than the
other (a complaint ranked at the bottom waits for days), so the test is strict: the whole
message, folded (case and diacritics removed, `monitor.query.fold`), must be made of the closing
phrases and fillers below, with at least one thank-you in it, no question mark and no emoji
outside the closing ones. "dzięki, ale dalej nie działa?" and "thanks for nothing" are not
closing: "?", "ale", "for nothing" are not in the lists.

Phrases are written folded (no diacritics, lower case), one tuple per language.
"""
from __future__ import annotations

import re

from monitor.query.fold import fold

#: Thank-you and goodbye phrases; a closing message holds at least one.
THANKS: dict[str, tuple[str, ...]] = {
    "pl": ("dzieki", "dziekuje", "dziekujemy", "dziekuje bardzo", "wielkie dzieki", "dzieks", "dzieki wielkie",
           "serdecznie dziekuje", "pozdrawiam", "pozdrawiamy"),
    "en": ("thanks", "thank you", "thank u", "thx", "cheers", "many thanks", "thanks a lot",
           "thank you so much", "thanks so much", "much appreciated", "appreciate it", "bye"),
    "de": ("danke", "danke schon", "vielen dank", "danke sehr", "besten dank", "herzlichen dank", "dankeschon"),
    "fr": ("merci", "merci beaucoup", "merci bien", "mille mercis", "je vous remercie"),
    "es": ("gracias", "muchas gracias", "mil gracias", "muchisimas gracias"),
    "it": ("grazie", "grazie mille", "molte grazie", "grazie tante"),
    "ro": ("multumesc", "multumim", "mersi", "multumesc frumos", "multumiri", "multumesc mult"),
    "el": ("ευχαριστω", "ευχαριστουμε", "ευχαριστω πολυ", "σας ευχαριστω", "ευχαριστω πολυ πολυ"),
}

#: Words that may stand beside a thank-you without making it a new request.
FILLERS: dict[str, tuple[str, ...]] = {
    "pl": ("super", "ok", "okej", "spoko", "dobrze", "swietnie", "za pomoc", "za odpowiedz", "za szybka odpowiedz",
           "bardzo", "juz dziala", "dziala", "wszystko jasne", "jasne", "rozumiem", "i", "oraz"),
    "en": ("ok", "okay", "great", "super", "awesome", "perfect", "cool", "for the help", "for your help",
           "for helping", "for the quick reply", "for the reply", "again", "all good", "works now", "got it",
           "very much", "so much", "a lot", "and", "guys", "team", "sorted", "solved"),
    "de": ("super", "ok", "alles klar", "perfekt", "fur die hilfe", "fur ihre hilfe", "klappt", "jetzt", "und"),
    "fr": ("super", "ok", "parfait", "pour l'aide", "pour votre aide", "ca marche", "top", "et"),
    "es": ("super", "ok", "vale", "perfecto", "genial", "por la ayuda", "por tu ayuda", "por su ayuda", "y"),
    "it": ("super", "ok", "perfetto", "ottimo", "per l'aiuto", "per il vostro aiuto", "e"),
    "ro": ("super", "ok", "perfect", "pentru ajutor", "si"),
    "el": ("τελεια", "οκ", "ok", "για τη βοηθεια", "για την βοηθεια", "και"),
}

#: Emoji that say thanks or "fine"; any other emoji (😡) makes a message not closing.
EMOJI = "👍🙏👌❤💙💚🙂😊😀😃😄🤝✅🎉💪🥰😍"
_EMOJI_MARKS = "\ufe0f\u200d" + "".join(chr(c) for c in range(0x1F3FB, 0x1F400))  # variation, skin tones
_HANDLE_OR_LINK = re.compile(r"(?:@[\w.@-]+|https?://\S+)")
_PUNCTUATION = re.compile(r"[\s.,!¡;:\-–—()…\"„”“*~]+")


def _phrases(table: dict[str, tuple[str, ...]]) -> list[tuple[str, ...]]:
    words = {tuple(phrase.split()) for phrases in table.values() for phrase in phrases}
    return sorted(words, key=len, reverse=True)  # longest first: "thank you" before "ty"


_THANKS = _phrases(THANKS)
_ALLOWED = _phrases({lang: THANKS[lang] + FILLERS[lang] for lang in THANKS})


def _words(folded: str) -> list[str] | None:
    """The message's words, or None when it holds something no closing message holds."""
    text = _HANDLE_OR_LINK.sub(" ", folded)
    emoji = sum(text.count(e) for e in EMOJI)
    text = "".join(" " if c in EMOJI or c in _EMOJI_MARKS else c for c in text)
    words = [w for w in _PUNCTUATION.split(text) if w]
    if any(not all(c.isalnum() or c == "'" for c in w) for w in words):
        return None  # another emoji or symbol: read it as a person would
    if not words and not emoji:
        return None
    return words


def is_closing(text: str | None) -> bool:
    """True for a message that only thanks or says goodbye (see the module's docstring)."""
    if not text or "?" in text:
        return False
    words = _words(fold(text))
    if words is None:
        return False
    if not words:
        return True  # closing emoji only
    thanked, position = False, 0
    while position < len(words):
        for phrase in _ALLOWED:
            if tuple(words[position:position + len(phrase)]) == phrase:
                thanked = thanked or phrase in _THANKS
                position += len(phrase)
                break
        else:
            return False  # a word no closing message needs: "ale", "nothing", "still"
    return thanked
