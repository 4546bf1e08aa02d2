"""Italian: our own sentences. The word "volta" appears only as the brand: "una volta" would match
the Volta query, which real Italian data does, but the demo should show clean matches."""

FEMALE = ("Giulia", "Francesca", "Chiara", "Sara", "Martina", "Valentina", "Federica", "Elisa",
          "Alessia", "Silvia", "Laura", "Giorgia")
MALE = ("Marco", "Luca", "Andrea", "Matteo", "Alessandro", "Francesco", "Davide", "Lorenzo",
        "Simone", "Federico", "Giuseppe", "Stefano")
SURNAMES = ("Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci",
            "Marino", "Greco")
CITIES = ("a Milano", "a Roma", "a Torino", "a Napoli", "a Bologna", "a Firenze", "a Bari",
          "a Palermo", "a Verona")
CURRENCY = "{} €"
MASTODON = ("mastodon.uno", "mastodon.social")
SUBREDDIT = "italy"
PRODUCTS = {
    "Acme": ("cuffie wireless", "scarpe da corsa", "macchina per espresso", "aspirapolvere",
             "lampada da scrivania", "zaino"),
    "Volta": ("Fibra 600", "Max 5G", "Luce Verde", "Casa+TV"),
    "Kawka": ("latte d'avena", "flat white", "cappuccino", "cold brew", "matcha latte"),
}
AGENTS = {"Acme": ("Giulia", "Luca"), "Volta": ("Marco", "Chiara"), "Kawka": ("Sara", "Matteo")}
PREFIXES = ("@{h} ", "Ciao @{h}! ")

FRAMES = {
    "complaint": ("{X}.", "{X} e nessuno risponde.", "{X}. È il terzo messaggio che mando e niente.",
                  "{X}. Aspetto una risposta da {days} giorni.", "Di nuovo: {x}. Assurdo.",
                  "{X}. Ma è così che trattate i clienti?"),
    "complaint_b": ("{b}, {x}. Qualcuno se ne occupa?", "Pronto, {b}? {X} e nessuno risponde."),
    "outage": ("{X}.", "{X}?!", "Solo a me? {X}."),
    "question": ("{X}?", "{X}? Grazie in anticipo.", "Domanda: {x}?"),
    "question_b": ("{b}, {x}?",),
    "praise": ("{X}. Grazie!", "{X} 👏", "Devo fare i complimenti: {x}."),
    "praise_b": ("{b}, {x}. Continuate così!",),
    "neutral": ("{X}.", "{X} 🤔"),
    "neutral_b": ("{b}: {x}.",),
}

CLAUSES = {
    "Acme": {
        "complaint": ("il pacco è arrivato danneggiato, scatola completamente schiacciata",
                      "l'ordine {order} doveva arrivare ieri e lo stato è fermo da {days} giorni",
                      "il corriere ha segnato il pacco come non consegnato, ma c'era qualcuno in casa tutto il giorno",
                      "nel pacco {order} ({product}) c'era un prodotto completamente diverso",
                      "il rimborso per il reso dell'ordine {order} non è ancora arrivato sul conto"),
        "outage": ("l'app non mi fa accedere", "il pagamento con carta non passa e il carrello si svuota",
                   "il tracciamento delle spedizioni dà errore da {hours} ore"),
        "question": ("come posso cambiare l'indirizzo di consegna per l'ordine {order}",
                     "quanto ci vuole per il rimborso dopo aver rispedito il pacco",
                     "quando arrivano gli ordini fatti nel weekend",
                     "dove trovo la fattura dell'ordine {order}"),
        "praise": ("il pacco è arrivato con un giorno di anticipo, tutto imballato con cura",
                   "reso gestito in 10 minuti, senza nessuna domanda",
                   "il corriere ha chiamato prima e ha aspettato, servizio impeccabile"),
        "neutral": ("vedo che hanno introdotto le consegne anche la domenica",
                    "chissà se anche quest'anno ci saranno grandi sconti per il Black Friday",
                    "hanno aperto un nuovo magazzino {in_city}"),
    },
    "Volta": {
        "complaint": ("la bolletta di questo mese è di {amount}, il doppio del solito",
                      "internet {in_city} cade ogni sera",
                      "aspetto il tecnico da {days} giorni e l'appuntamento è stato spostato di nuovo",
                      "la portabilità del numero doveva durare un giorno e sono già {days} giorni",
                      "al servizio clienti si aspetta 40 minuti e poi cade la linea"),
        "outage": ("niente internet {in_city} da {hours} ore",
                   "il telefono non ha campo, compare solo SOS",
                   "manca la corrente in tutto il quartiere da {hours} ore"),
        "question": ("come si passa alla bolletta digitale",
                     "quanto costa passare all'offerta {product}",
                     "quando entrano in vigore le nuove tariffe della luce",
                     "dove si vedono i consumi dell'ultimo mese"),
        "praise": ("il tecnico è arrivato puntuale e in mezz'ora funzionava tutto",
                   "l'offerta {product} va davvero alla grande",
                   "l'operatrice in chat ha risolto il problema subito"),
        "neutral": ("pare che stiano mettendo una nuova antenna {in_city}",
                    "dal mese prossimo cambia il listino, vedremo",
                    "la nuova pubblicità è ovunque"),
    },
    "Kawka": {
        "complaint": ("l'ordine {order} ({product}) è pagato nell'app, ma al bar nessuno ne sa niente",
                      "ho aspettato 25 minuti e il caffè è arrivato freddo",
                      "i punti degli ultimi acquisti non compaiono nell'app",
                      "il POS non funziona da una settimana, solo contanti",
                      "l'app ha addebitato due pagamenti per lo stesso ordine"),
        "outage": ("l'app non accetta ordini, si blocca al pagamento",
                   "i punti fedeltà sono spariti dal profilo",
                   "il codice QR non si legge alla cassa"),
        "question": ("come si usano i punti dell'app", "quando esce il menù autunnale",
                     "quanto dura la gift card", "quali locali sono aperti la domenica {in_city}"),
        "praise": ("il miglior flat white della città, senza dubbio",
                   "l'ordine dall'app era pronto in tre minuti",
                   "il personale è sempre sorridente e veloce"),
        "neutral": ("apre un nuovo locale {in_city}", "è uscito il menù autunnale, zucca ovunque",
                    "chissà se a Natale rifaranno le tazze riutilizzabili"),
    },
}

FOLLOWUPS = {
    "waiting": ("Ancora nessuna risposta.", "Pronto? Sono passate già diverse ore.",
                "Qualcuno legge questi messaggi?"),
    "unresolved": ("Ho scritto in privato, ancora niente di risolto.", "Purtroppo ancora non funziona."),
    "thanks": ("Grazie, adesso funziona tutto!", "Risolto, grazie per la risposta veloce.",
               "Perfetto, grazie dell'aiuto 🙏"),
    "info": ("Aggiungo che è già il secondo caso questo mese.", "I dettagli sono in privato.",
             "Allego uno screenshot."),
}

REPLY_HELLO = ("Ciao", "Buongiorno", "Salve")
REPLY_FRAMES = ("{hi} {name}, {body} ^{agent}", "{hi} {name}! {Body} Un saluto, {agent}")
REPLIES = {
    "complaint": ("ci dispiace molto per il disagio. Scrivici in privato e controlliamo subito.",
                  "ci dispiace che sia successo. Abbiamo passato la segnalazione al team e ti ricontattiamo entro domani.",
                  "grazie per la segnalazione e scusa per l'attesa. Stiamo già verificando."),
    "outage": ("sappiamo del problema e ci stiamo già lavorando. Ci scusiamo, ti aggiorniamo appena tutto torna a funzionare.",),
    "question": ("bella domanda! Trovi tutti i dettagli nell'app, nella sezione Aiuto, e se qualcosa non è chiaro scrivici pure.",
                 "sì, si può fare. Mandaci i dettagli in privato e ti guidiamo passo passo."),
    "praise": ("grazie mille, lo diciamo subito al team! 💙", "che bello leggerlo, alla prossima!"),
    "neutral": ("grazie per averci pensato! Se hai domande, siamo qui.",),
}
