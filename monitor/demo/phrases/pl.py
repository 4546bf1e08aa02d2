"""Polish: the largest audience, so the widest choice of phrasings. Our own sentences.

Clauses avoid gendered first-person verbs ("zamówiłem/zamówiłam"), so any author can say them, and
brand names only stand where Polish leaves them uninflected (address, apposition, after a colon).
"""

FEMALE = ("Anna", "Katarzyna", "Magdalena", "Agnieszka", "Ola", "Monika", "Joanna", "Karolina",
          "Natalia", "Zuzanna", "Ewa", "Marta")
MALE = ("Piotr", "Tomasz", "Paweł", "Michał", "Krzysztof", "Jakub", "Łukasz", "Marcin", "Kamil",
        "Bartek", "Adam", "Mateusz")
SURNAMES = (("Kowalski", "Kowalska"), "Nowak", ("Wiśniewski", "Wiśniewska"), "Wójcik",
            ("Kamiński", "Kamińska"), ("Lewandowski", "Lewandowska"), ("Zieliński", "Zielińska"),
            ("Szymański", "Szymańska"), ("Dąbrowski", "Dąbrowska"), "Mazur")
CITIES = ("w Warszawie", "w Krakowie", "we Wrocławiu", "w Gdańsku", "w Poznaniu", "w Łodzi",
          "w Lublinie", "w Katowicach", "w Szczecinie", "w Białymstoku")
CURRENCY = "{} zł"
MASTODON = ("pol.social", "mastodon.social", "101010.pl")
SUBREDDIT = "Polska"
PRODUCTS = {
    "Acme": ("słuchawki bezprzewodowe", "buty do biegania", "ekspres do kawy", "odkurzacz",
             "lampka biurkowa", "plecak"),
    "Volta": ("Światłowód 600", "Max 5G", "Zielony Prąd", "Dom+TV"),
    "Kawka": ("latte owsiane", "flat white", "cappuccino", "cold brew", "matcha latte"),
}
AGENTS = {"Acme": ("Ola", "Marek", "Kasia"), "Volta": ("Piotr", "Agata"), "Kawka": ("Zosia", "Kuba")}
PREFIXES = ("@{h} ", "Hej @{h}! ")

FRAMES = {
    "complaint": ("{X}.", "{X} i nikt nie odpowiada.", "{X}. Piszę już trzeci raz i cisza.",
                  "{X}. Na odpowiedź czekam od {days} dni.", "No i znowu: {x}. Masakra.",
                  "{X}. Serio, tak się traktuje klientów?"),
    "complaint_b": ("{b}, {x}. Zajmie się tym ktoś?", "Halo, {b}? {X} i nikt nie odpowiada."),
    "outage": ("{X}.", "{X}?!", "Czy tylko u mnie {x}?"),
    "question": ("{X}?", "{X}? Z góry dzięki.", "Pytanie: {x}?"),
    "question_b": ("{b}, {x}?",),
    "praise": ("{X}. Dzięki!", "{X} 👏", "Muszę pochwalić: {x}."),
    "praise_b": ("{b}, {x}. Tak trzymać!",),
    "neutral": ("{X}.", "{X} 🤔"),
    "neutral_b": ("{b}: {x}.",),
}

CLAUSES = {
    "Acme": {
        "complaint": ("paczka przyszła uszkodzona, karton całkiem zgnieciony",
                      "zamówienie {order} miało być wczoraj, a status stoi od {days} dni",
                      "kurier wpisał, że nikogo nie było w domu, a ktoś był cały dzień",
                      "w paczce {order} ({product}) był zupełnie inny produkt",
                      "pieniądze za zwrot zamówienia {order} wciąż nie wróciły na konto"),
        "outage": ("aplikacja nie pozwala się zalogować",
                   "płatność kartą nie przechodzi, a koszyk się czyści",
                   "śledzenie przesyłek od {hours} godzin pokazuje błąd"),
        "question": ("jak zmienić adres dostawy dla zamówienia {order}",
                     "ile trwa zwrot pieniędzy po odesłaniu paczki",
                     "kiedy dochodzą zamówienia złożone w weekend",
                     "gdzie znajdę fakturę do zamówienia {order}"),
        "praise": ("paczka przyszła dzień przed terminem, wszystko starannie zapakowane",
                   "zwrot załatwiony w 10 minut, bez żadnych pytań",
                   "kurier zadzwonił wcześniej i poczekał, obsługa na medal"),
        "neutral": ("widzę, że wprowadzili dostawy w niedziele",
                    "ciekawe, czy w tym roku znowu będą duże promocje na Black Friday",
                    "otworzyli nowy magazyn {in_city}"),
    },
    "Volta": {
        "complaint": ("rachunek za ten miesiąc to {amount}, dwa razy więcej niż zwykle",
                      "internet {in_city} co wieczór pada",
                      "od {days} dni czekam na technika, a termin przesunęli już drugi raz",
                      "przeniesienie numeru miało trwać dzień, a trwa już {days} dni",
                      "na infolinii czeka się 40 minut, a potem rozłącza"),
        "outage": ("od {hours} godzin nie ma internetu {in_city}",
                   "telefon w ogóle nie ma zasięgu, pokazuje tylko SOS",
                   "na całym osiedlu od {hours} godzin nie ma prądu"),
        "question": ("jak przejść na e-fakturę", "ile kosztuje zmiana pakietu na {product}",
                     "od kiedy obowiązuje nowy cennik prądu",
                     "gdzie sprawdzić zużycie z ostatniego miesiąca"),
        "praise": ("technik przyjechał punktualnie i po pół godzinie wszystko działało",
                   "pakiet {product} naprawdę śmiga",
                   "konsultantka na czacie rozwiązała problem od ręki"),
        "neutral": ("podobno stawiają nowy maszt {in_city}",
                    "od przyszłego miesiąca nowy cennik, zobaczymy",
                    "nowa reklama leci dosłownie wszędzie"),
    },
    "Kawka": {
        "complaint": ("zamówienie {order} ({product}) opłacone w aplikacji, a w kawiarni nikt o nim nie wie",
                      "czekanie trwało 25 minut, a kawa przyszła zimna",
                      "punkty z ostatnich zakupów nie naliczyły się w aplikacji",
                      "terminal od tygodnia nie działa, tylko gotówka",
                      "aplikacja pobrała pieniądze dwa razy za to samo zamówienie"),
        "outage": ("aplikacja nie przyjmuje zamówień, wisi na płatności",
                   "punkty lojalnościowe zniknęły z konta",
                   "kod QR nie skanuje się przy kasie"),
        "question": ("jak wykorzystać punkty z aplikacji", "kiedy wchodzi jesienne menu",
                     "jak długo ważna jest karta podarunkowa",
                     "które kawiarnie są otwarte w niedzielę {in_city}"),
        "praise": ("najlepsze flat white w mieście, bez dyskusji",
                   "zamówienie z aplikacji było gotowe po trzech minutach",
                   "obsługa zawsze uśmiechnięta i szybka"),
        "neutral": ("otwierają nową kawiarnię {in_city}", "jest już jesienne menu, dynia wszędzie",
                    "ciekawe, czy na święta znowu będą kubki wielorazowe"),
    },
}

FOLLOWUPS = {
    "waiting": ("Nadal brak odpowiedzi.", "Halo? Minęło już kilka godzin.",
                "Czyta to ktoś w ogóle?"),
    "unresolved": ("Wysłane w DM, dalej nic się nie zmieniło.", "Niestety dalej nie działa."),
    "thanks": ("Dzięki, już wszystko działa!", "Załatwione, dziękuję za szybką reakcję.",
               "Super, dzięki za pomoc 🙏"),
    "info": ("Dodam, że to już drugi raz w tym miesiącu.", "Szczegóły są w wiadomości prywatnej.",
             "Zrzut ekranu w załączniku."),
}

REPLY_HELLO = ("Cześć", "Dzień dobry", "Hej")
REPLY_FRAMES = ("{hi} {name}, {body} ^{agent}", "{hi} {name}! {Body} Pozdrawiam, {agent}")
REPLIES = {
    "complaint": ("przepraszamy za kłopot. Napisz nam proszę w wiadomości prywatnej, sprawdzimy to od razu.",
                  "przykro nam, że tak wyszło. Przekazaliśmy sprawę do zespołu i odezwiemy się najpóźniej jutro.",
                  "dziękujemy za zgłoszenie i przepraszamy za czekanie. Już to sprawdzamy."),
    "outage": ("wiemy o problemie i już nad nim pracujemy. Przepraszamy, damy znać, gdy wszystko wróci do normy.",),
    "question": ("dobre pytanie! Szczegóły znajdziesz w aplikacji w zakładce Pomoc, a jeśli coś będzie niejasne, pisz śmiało.",
                 "tak, da się to zrobić. Podeślij nam szczegóły w DM, a przeprowadzimy Cię krok po kroku."),
    "praise": ("dziękujemy za miłe słowa, przekażemy je zespołowi! 💙",
               "bardzo nam miło, do zobaczenia następnym razem!"),
    "neutral": ("dzięki, że o nas pamiętasz! Jeśli będą pytania, jesteśmy tutaj.",),
}
