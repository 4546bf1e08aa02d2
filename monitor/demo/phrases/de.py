"""German: our own sentences. Clauses start with an article, pronoun or adverb, never a noun, so
the writer can lower or raise their first letter without breaking German capitalisation."""

FEMALE = ("Anna", "Lena", "Laura", "Julia", "Sarah", "Lisa", "Katharina", "Sophie", "Marie",
          "Hannah", "Johanna", "Miriam")
MALE = ("Lukas", "Jonas", "Felix", "Maximilian", "Tobias", "Florian", "Jan", "Stefan", "Simon",
        "Moritz", "Philipp", "Niklas")
SURNAMES = ("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker",
            "Hoffmann", "Schäfer")
CITIES = ("in Berlin", "in Hamburg", "in München", "in Köln", "in Leipzig", "in Frankfurt",
          "in Wien", "in Dresden")
CURRENCY = "{} €"
MASTODON = ("mastodon.social", "chaos.social", "norden.social")
SUBREDDIT = "de"
PRODUCTS = {
    "Acme": ("Bluetooth-Kopfhörer", "Laufschuhe", "Siebträgermaschine", "Staubsauger",
             "Schreibtischlampe", "Rucksack"),
    "Volta": ("Glasfaser 600", "Max 5G", "Ökostrom", "Home+TV"),
    "Kawka": ("Hafer-Latte", "Flat White", "Cappuccino", "Cold Brew", "Matcha Latte"),
}
AGENTS = {"Acme": ("Lena", "Jonas"), "Volta": ("Felix", "Miriam"), "Kawka": ("Marie", "Tobias")}
PREFIXES = ("@{h} ", "Hallo @{h}! ")

FRAMES = {
    "complaint": ("{X}.", "{X} und niemand antwortet.", "{X}. Schon die dritte Nachricht und nichts.",
                  "{X}. Ich warte seit {days} Tagen auf eine Antwort.", "Schon wieder: {X}. Unglaublich.",
                  "{X}. So geht man mit Kunden um?"),
    "complaint_b": ("{b}, {x}. Kümmert sich jemand darum?", "Hallo, {b}? {X} und niemand antwortet."),
    "outage": ("{X}.", "{X}?!", "Geht's nur mir so? {X}."),
    "question": ("{X}?", "{X}? Danke im Voraus.", "Kurze Frage: {X}?"),
    "question_b": ("{b}, {x}?",),
    "praise": ("{X}. Danke!", "{X} 👏", "Muss mal gesagt werden: {X}."),
    "praise_b": ("{b}, {x}. Weiter so!",),
    "neutral": ("{X}.", "{X} 🤔"),
    "neutral_b": ("{b}: {X}.",),
}

CLAUSES = {
    "Acme": {
        "complaint": ("das Paket kam beschädigt an, der Karton völlig zerdrückt",
                      "die Bestellung {order} sollte gestern kommen und die Sendungsverfolgung steht seit {days} Tagen still",
                      "der Bote hat „nicht angetroffen“ eingetragen, obwohl den ganzen Tag jemand zu Hause war",
                      "im Paket {order} ({product}) war ein völlig anderer Artikel",
                      "die Erstattung für die Retoure von Bestellung {order} ist immer noch nicht auf dem Konto"),
        "outage": ("die App lässt mich nicht einloggen",
                   "die Kartenzahlung geht nicht durch und der Warenkorb leert sich",
                   "die Sendungsverfolgung zeigt seit {hours} Stunden nur Fehler"),
        "question": ("wie ändere ich die Lieferadresse für Bestellung {order}",
                     "wie lange dauert die Erstattung, nachdem das Paket zurückgeschickt wurde",
                     "wann werden Bestellungen vom Wochenende geliefert",
                     "wo finde ich die Rechnung zur Bestellung {order}"),
        "praise": ("das Paket kam einen Tag früher, alles sorgfältig verpackt",
                   "die Retoure war in 10 Minuten erledigt, ganz ohne Rückfragen",
                   "der Bote hat vorher angerufen und gewartet, top Service"),
        "neutral": ("sieht so aus, als gäbe es jetzt auch Lieferungen am Sonntag",
                    "mal sehen, ob es dieses Jahr wieder große Black-Friday-Angebote gibt",
                    "die haben ein neues Lager {in_city} eröffnet"),
    },
    "Volta": {
        "complaint": ("die Rechnung diesen Monat liegt bei {amount}, doppelt so viel wie sonst",
                      "das Internet {in_city} bricht jeden Abend zusammen",
                      "seit {days} Tagen warte ich auf den Techniker und der Termin wurde schon zweimal verschoben",
                      "die Rufnummernmitnahme sollte einen Tag dauern, jetzt sind es schon {days} Tage",
                      "in der Hotline hängt man 40 Minuten in der Warteschleife und dann fliegt man raus"),
        "outage": ("seit {hours} Stunden kein Internet {in_city}",
                   "das Handy hat überhaupt keinen Empfang, nur SOS",
                   "in der ganzen Straße ist seit {hours} Stunden der Strom weg"),
        "question": ("wie stelle ich auf Online-Rechnung um",
                     "was kostet der Wechsel in den Tarif {product}",
                     "ab wann gelten die neuen Strompreise",
                     "wo sehe ich den Verbrauch vom letzten Monat"),
        "praise": ("der Techniker war pünktlich und nach einer halben Stunde lief alles",
                   "der Tarif {product} ist wirklich schnell",
                   "die Mitarbeiterin im Chat hat das Problem sofort gelöst"),
        "neutral": ("angeblich wird {in_city} ein neuer Mast gebaut",
                    "ab nächstem Monat gibt es eine neue Preisliste, mal sehen",
                    "die neue Werbung läuft wirklich überall"),
    },
    "Kawka": {
        "complaint": ("die Bestellung {order} ({product}) war in der App bezahlt, aber im Café wusste niemand davon",
                      "nach 25 Minuten Warten kam der Kaffee kalt",
                      "die Punkte von den letzten Einkäufen sind nie in der App angekommen",
                      "das Kartenterminal ist seit einer Woche kaputt, nur Barzahlung",
                      "die App hat dieselbe Bestellung zweimal abgebucht"),
        "outage": ("die App nimmt keine Bestellungen an, sie hängt beim Bezahlen",
                   "meine Treuepunkte sind aus dem Konto verschwunden",
                   "der QR-Code lässt sich an der Kasse nicht scannen"),
        "question": ("wie löse ich die Punkte in der App ein", "wann kommt die Herbstkarte",
                     "wie lange ist ein Gutschein gültig", "welche Cafés haben sonntags {in_city} offen"),
        "praise": ("der beste Flat White der Stadt, ohne Diskussion",
                   "meine App-Bestellung war nach drei Minuten fertig",
                   "das Team ist immer freundlich und schnell"),
        "neutral": ("bald eröffnet ein neues Café {in_city}", "die Herbstkarte ist da, überall Kürbis",
                    "mal sehen, ob es zu Weihnachten wieder die Mehrwegbecher gibt"),
    },
}

FOLLOWUPS = {
    "waiting": ("Immer noch keine Antwort.", "Hallo? Das ist jetzt Stunden her.",
                "Liest das hier überhaupt jemand?"),
    "unresolved": ("Habe euch per DM geschrieben, immer noch nicht gelöst.",
                   "Leider geht es immer noch nicht."),
    "thanks": ("Danke, jetzt funktioniert alles!", "Erledigt, danke für die schnelle Reaktion.",
               "Super, danke für die Hilfe 🙏"),
    "info": ("Ergänzung: Das ist schon das zweite Mal diesen Monat.", "Details stehen in der DM.",
             "Screenshot hängt an."),
}

REPLY_HELLO = ("Hallo", "Hi", "Guten Tag")
REPLY_FRAMES = ("{hi} {name}, {body} ^{agent}", "{hi} {name}! {Body} Viele Grüße, {agent}")
REPLIES = {
    "complaint": ("das tut uns sehr leid. Schreib uns bitte eine DM, wir schauen uns das sofort an.",
                  "schade, dass das passiert ist. Wir haben es ans Team weitergegeben und melden uns spätestens morgen.",
                  "danke für den Hinweis und sorry für die Wartezeit. Wir prüfen das gerade."),
    "outage": ("wir kennen das Problem und arbeiten bereits daran. Entschuldige bitte, wir melden uns, sobald alles wieder läuft.",),
    "question": ("gute Frage! Alle Details findest du in der App unter Hilfe, und wenn etwas unklar ist, schreib uns einfach.",
                 "ja, das geht. Schick uns die Details per DM, dann führen wir dich Schritt für Schritt durch."),
    "praise": ("vielen Dank, das geben wir direkt ans Team weiter! 💙", "das freut uns sehr, bis zum nächsten Mal!"),
    "neutral": ("danke, dass du an uns denkst! Bei Fragen sind wir da.",),
}
