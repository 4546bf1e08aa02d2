"""HTML to text, and people's names without e-mail addresses."""
from __future__ import annotations

import pytest

from networks.text import html_to_text, person_name


def test_a_wordless_link_keeps_its_title_and_address() -> None:
    markup = ('<p><a href="https://acme.example/p/1"><img src="https://cdn.example/1.png" alt=""></a> '
              '<a href="https://acme.example/p/2" title="Acme price list"></a> '
              '<a href="https://acme.example/p/3">the shop</a></p>')
    assert html_to_text(markup) == "https://acme.example/p/1 Acme price list (https://acme.example/p/2) the shop"


def test_a_linked_image_lends_the_link_its_alt_text() -> None:
    markup = '<a href="https://acme.example/k"><img src="k.jpg" alt="Acme kettle, lid open"></a>'
    assert html_to_text(markup) == "Acme kettle, lid open (https://acme.example/k)"


@pytest.mark.parametrize(("raw", "name"), [
    ("Anthony (noreply@blogger.com)", "Anthony"),
    ("noreply@blogger.com (Anthony)", "Anthony"),
    ("Jan Kowalski <jan.kowalski@example.pl>", "Jan Kowalski"),
    ("jan@example.pl", ""),
    ("Anna (Acme fan)", "Anna (Acme fan)"),
    (None, ""),
])
def test_person_name_drops_email_addresses(raw, name) -> None:
    assert person_name(raw) == name
