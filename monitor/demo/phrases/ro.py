"""Romanian: the second audience. Our own sentences, with comma-below ș and ț as people type them."""

FEMALE = ("Ioana", "Maria", "Andreea", "Elena", "Alexandra", "Cristina", "Ana", "Mihaela", "Raluca",
          "Diana", "Bianca", "Larisa")
MALE = ("Andrei", "Alexandru", "Mihai", "Ionuț", "Cristian", "Bogdan", "Vlad", "Adrian", "Radu",
        "Florin", "George", "Ștefan")
SURNAMES = ("Popescu", "Ionescu", "Popa", "Dumitru", "Stan", "Stoica", "Gheorghe", "Matei",
            "Ciobanu", "Rusu")
CITIES = ("în București", "în Cluj", "în Iași", "în Timișoara", "în Constanța", "în Brașov",
          "în Craiova", "în Oradea")
CURRENCY = "{} lei"
MASTODON = ("mastodon.social", "mas.to")
SUBREDDIT = "Romania"
PRODUCTS = {
    "Acme": ("căști wireless", "pantofi sport", "espressor", "aspirator", "lampă de birou", "rucsac"),
    "Volta": ("Fibra 600", "Max 5G", "Energie Verde", "Casa+TV"),
    "Kawka": ("latte cu ovăz", "flat white", "cappuccino", "cold brew", "matcha latte"),
}
AGENTS = {"Acme": ("Ioana", "Andrei"), "Volta": ("Mihai", "Elena"), "Kawka": ("Bianca", "Radu")}
PREFIXES = ("@{h} ", "Salut @{h}! ")

FRAMES = {
    "complaint": ("{X}.", "{X} și nu răspunde nimeni.", "{X}. Vă scriu a treia oară și nimic.",
                  "{X}. Aștept un răspuns de {days} zile.", "Iar: {x}. Incredibil.",
                  "{X}. Chiar așa vă tratați clienții?"),
    "complaint_b": ("{b}, {x}. Se ocupă cineva?", "Alo, {b}? {X} și nu răspunde nimeni."),
    "outage": ("{X}.", "{X}?!", "Doar la mine? {X}."),
    "question": ("{X}?", "{X}? Mulțumesc anticipat.", "Întrebare: {x}?"),
    "question_b": ("{b}, {x}?",),
    "praise": ("{X}. Mulțumesc!", "{X} 👏", "Trebuie să laud: {x}."),
    "praise_b": ("{b}, {x}. Tot așa!",),
    "neutral": ("{X}.", "{X} 🤔"),
    "neutral_b": ("{b}: {x}.",),
}

CLAUSES = {
    "Acme": {
        "complaint": ("coletul a ajuns deteriorat, cu cutia complet strivită",
                      "comanda {order} trebuia să ajungă ieri, iar statusul nu s-a mișcat de {days} zile",
                      "curierul a marcat coletul ca neridicat, deși a fost cineva acasă toată ziua",
                      "în coletul {order} ({product}) era cu totul alt produs",
                      "banii pentru returul comenzii {order} încă nu au intrat în cont"),
        "outage": ("aplicația nu mă lasă să mă loghez",
                   "plata cu cardul nu trece și coșul se golește",
                   "urmărirea coletelor dă eroare de {hours} ore"),
        "question": ("cum pot schimba adresa de livrare pentru comanda {order}",
                     "cât durează rambursarea după ce trimit coletul înapoi",
                     "când ajung comenzile plasate în weekend",
                     "unde găsesc factura pentru comanda {order}"),
        "praise": ("coletul a ajuns cu o zi mai devreme, totul împachetat cu grijă",
                   "returul s-a rezolvat în 10 minute, fără nicio întrebare",
                   "curierul a sunat înainte și a așteptat, servicii de nota 10"),
        "neutral": ("văd că au introdus livrări și duminica",
                    "oare și anul ăsta vor fi reduceri mari de Black Friday",
                    "au deschis un depozit nou {in_city}"),
    },
    "Volta": {
        "complaint": ("factura pe luna asta e {amount}, dublu față de de obicei",
                      "internetul {in_city} pică în fiecare seară",
                      "aștept tehnicianul de {days} zile, iar programarea a fost mutată a doua oară",
                      "portarea numărului trebuia să dureze o zi și durează deja de {days} zile",
                      "la call center aștepți 40 de minute și apoi se închide apelul"),
        "outage": ("nu e internet {in_city} de {hours} ore",
                   "telefonul nu are deloc semnal, apare doar SOS",
                   "nu e curent în tot cartierul de {hours} ore"),
        "question": ("cum trec la factura electronică",
                     "cât costă schimbarea abonamentului la {product}",
                     "când intră în vigoare noile tarife la energie",
                     "unde pot vedea consumul din ultima lună"),
        "praise": ("tehnicianul a venit punctual și în jumătate de oră totul funcționa",
                   "abonamentul {product} chiar merge excelent",
                   "colega de pe chat mi-a rezolvat problema pe loc"),
        "neutral": ("se pare că pun o antenă nouă {in_city}",
                    "de luna viitoare vine noua listă de prețuri, vedem",
                    "reclama nouă e peste tot, nu ai cum să n-o vezi"),
    },
    "Kawka": {
        "complaint": ("comanda {order} ({product}) e plătită în aplicație, dar la cafenea nu știe nimeni de ea",
                      "am așteptat 25 de minute și cafeaua a venit rece",
                      "punctele de la ultimele cumpărături nu au apărut în aplicație",
                      "terminalul de card nu merge de o săptămână, doar cash",
                      "aplicația mi-a luat banii de două ori pentru aceeași comandă"),
        "outage": ("aplicația nu mai primește comenzi, se blochează la plată",
                   "punctele de fidelitate au dispărut din cont",
                   "codul QR nu se scanează la casă"),
        "question": ("cum folosesc punctele din aplicație", "când apare meniul de toamnă",
                     "cât timp e valabil cardul cadou",
                     "ce cafenele sunt deschise duminica {in_city}"),
        "praise": ("cel mai bun flat white din oraș, fără discuție",
                   "comanda din aplicație a fost gata în trei minute",
                   "personalul e mereu zâmbitor și rapid"),
        "neutral": ("se deschide o cafenea nouă {in_city}",
                    "a apărut meniul de toamnă, dovleac peste tot",
                    "mă întreb dacă vor avea iar căni reutilizabile de Crăciun"),
    },
}

FOLLOWUPS = {
    "waiting": ("Tot niciun răspuns.", "Alo? Au trecut deja câteva ore.",
                "Citește cineva mesajele astea?"),
    "unresolved": ("V-am scris în privat, tot nu s-a rezolvat.", "Din păcate tot nu merge."),
    "thanks": ("Mulțumesc, acum merge totul!", "Rezolvat, mersi pentru reacția rapidă.",
               "Super, mulțumesc pentru ajutor 🙏"),
    "info": ("Adaug că e a doua oară luna asta.", "Detaliile sunt în mesaj privat.",
             "Am atașat o captură de ecran."),
}

REPLY_HELLO = ("Salut", "Bună ziua", "Bună")
REPLY_FRAMES = ("{hi} {name}, {body} ^{agent}", "{hi} {name}! {Body} Cu drag, {agent}")
REPLIES = {
    "complaint": ("ne pare rău pentru neplăcere. Trimite-ne te rog un mesaj privat și verificăm imediat.",
                  "ne pare rău că s-a întâmplat asta. Am transmis cazul echipei și revenim cel târziu mâine.",
                  "mulțumim pentru semnalare și scuze pentru așteptare. Verificăm acum."),
    "outage": ("știm de problemă și lucrăm deja la ea. Ne pare rău, revenim când totul funcționează normal.",),
    "question": ("întrebare bună! Găsești detaliile în aplicație, la secțiunea Ajutor, iar dacă ceva nu e clar, scrie-ne.",
                 "da, se poate. Trimite-ne detaliile în privat și te ghidăm pas cu pas."),
    "praise": ("mulțumim frumos, transmitem echipei! 💙", "ne bucurăm mult, pe data viitoare!"),
    "neutral": ("mersi că te gândești la noi! Dacă ai întrebări, suntem aici.",),
}
