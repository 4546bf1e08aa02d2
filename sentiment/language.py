"""Language of a mention, as ISO 639-1, for storage, filtering and per-language reports.

lingua is restricted to the languages brands actually receive: fewer candidates means fewer
confusions between close languages (Romanian/Italian, Czech/Slovak) and a faster detector.
"""
from __future__ import annotations

import functools
import re

from lingua import IsoCode639_1, LanguageDetector, LanguageDetectorBuilder

LANGUAGES = (
    "pl", "ro", "el", "it", "en", "de", "es", "fr", "pt", "nl", "cs", "sk", "uk", "ru", "ar",
    "hi", "tr", "sv", "da", "nb", "fi", "hu", "bg", "hr", "ja", "zh", "ko", "he",
)
MIN_LETTERS = 3
MIN_MARGIN = 2.0  # the best language must be this many times likelier than the runner-up
_NOISE = re.compile(r"https?://\S+|@\w+|#|\d+", re.UNICODE)


@functools.lru_cache(maxsize=4)
def detector(languages: tuple[str, ...] = LANGUAGES) -> LanguageDetector:
    """Models load lazily on first use (~10 s for the Latin-script ones); the detector is kept
    for the life of the process."""
    codes = [getattr(IsoCode639_1, code.upper()) for code in languages]
    return LanguageDetectorBuilder.from_iso_codes_639_1(*codes).build()


def _clean(text: str) -> str:
    """Links, handles and numbers say nothing about the language and mislead on short posts."""
    return " ".join(_NOISE.sub(" ", text).split())


def _letters(text: str) -> int:
    return sum(ch.isalpha() for ch in text)


def detect_languages(texts: list[str], min_confidence: float = 0.25,
                     languages: tuple[str, ...] = LANGUAGES) -> list[str | None]:
    """ISO 639-1 code per text, or None when the text is too short or the detector unsure.

    lingua spreads its confidence over all candidate languages, so on a tweet-length text the
    winner often holds only 0.3-0.5: we ask for `min_confidence` and a clear margin instead.

    Uses lingua's multi-threaded batch API; identical texts are detected once.
    """
    cleaned = [_clean(t) for t in texts]
    unique = sorted({c for c in cleaned if _letters(c) >= MIN_LETTERS})
    if not unique:
        return [None] * len(texts)
    results = detector(languages).compute_language_confidence_values_in_parallel(unique)
    found: dict[str, str | None] = {}
    for text, values in zip(unique, results):
        best = values[0] if values else None
        second = values[1].value if len(values) > 1 else 0.0
        ok = best is not None and best.value >= min_confidence and best.value >= MIN_MARGIN * second
        found[text] = best.language.iso_code_639_1.name.lower() if ok else None
    return [found.get(c) for c in cleaned]


def detect_language(text: str, min_confidence: float = 0.25) -> str | None:
    return detect_languages([text], min_confidence)[0]
