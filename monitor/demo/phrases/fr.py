"""French: our own sentences, with the space before ? ! : that French typing uses."""

FEMALE = ("Camille", "Léa", "Manon", "Chloé", "Emma", "Inès", "Julie", "Sarah", "Pauline", "Marion",
          "Clara", "Lucie")
MALE = ("Hugo", "Lucas", "Thomas", "Nicolas", "Julien", "Antoine", "Maxime", "Louis", "Théo",
        "Romain", "Mathieu", "Alexandre")
SURNAMES = ("Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand",
            "Leroy", "Moreau")
CITIES = ("à Paris", "à Lyon", "à Marseille", "à Toulouse", "à Lille", "à Bordeaux", "à Nantes",
          "à Strasbourg")
CURRENCY = "{} €"
MASTODON = ("mastodon.social", "piaille.fr", "framapiaf.org")
SUBREDDIT = "france"
PRODUCTS = {
    "Acme": ("casque sans fil", "chaussures de running", "machine à expresso", "aspirateur",
             "lampe de bureau", "sac à dos"),
    "Volta": ("Fibre 600", "Max 5G", "Électricité Verte", "Maison+TV"),
    "Kawka": ("latte avoine", "flat white", "cappuccino", "cold brew", "matcha latte"),
}
AGENTS = {"Acme": ("Camille", "Hugo"), "Volta": ("Julie", "Antoine"), "Kawka": ("Léa", "Théo")}
PREFIXES = ("@{h} ", "Salut @{h} ! ")

FRAMES = {
    "complaint": ("{X}.", "{X} et personne ne répond.", "{X}. Troisième message et toujours rien.",
                  "{X}. J'attends une réponse depuis {days} jours.", "Encore une fois : {x}. Incroyable.",
                  "{X}. C'est comme ça que vous traitez vos clients ?"),
    "complaint_b": ("{b}, {x}. Quelqu'un s'en occupe ?", "Allô {b} ? {X} et personne ne répond."),
    "outage": ("{X}.", "{X} ?!", "Il n'y a que moi ? {X}."),
    "question": ("{X} ?", "{X} ? Merci d'avance.", "Petite question : {x} ?"),
    "question_b": ("{b}, {x} ?",),
    "praise": ("{X}. Merci !", "{X} 👏", "Il faut le dire : {x}."),
    "praise_b": ("{b}, {x}. Continuez comme ça !",),
    "neutral": ("{X}.", "{X} 🤔"),
    "neutral_b": ("{b} : {x}.",),
}

CLAUSES = {
    "Acme": {
        "complaint": ("le colis est arrivé abîmé, le carton complètement écrasé",
                      "la commande {order} devait arriver hier et le suivi n'a pas bougé depuis {days} jours",
                      "le livreur a marqué « absent » alors qu'il y avait quelqu'un à la maison toute la journée",
                      "dans le colis {order} ({product}) il y avait un tout autre article",
                      "le remboursement du retour de la commande {order} n'est toujours pas arrivé sur le compte"),
        "outage": ("l'appli ne me laisse pas me connecter",
                   "le paiement par carte ne passe pas et le panier se vide",
                   "le suivi des colis affiche une erreur depuis {hours} heures"),
        "question": ("comment changer l'adresse de livraison de la commande {order}",
                     "combien de temps prend le remboursement après le renvoi du colis",
                     "quand sont livrées les commandes passées le week-end",
                     "où trouver la facture de la commande {order}"),
        "praise": ("colis arrivé un jour en avance, tout emballé avec soin",
                   "retour réglé en 10 minutes, sans aucune question",
                   "le livreur a appelé avant et a attendu, service au top"),
        "neutral": ("on dirait qu'ils livrent aussi le dimanche maintenant",
                    "je me demande s'il y aura encore de grosses promos pour le Black Friday cette année",
                    "ils ont ouvert un nouvel entrepôt {in_city}"),
    },
    "Volta": {
        "complaint": ("la facture de ce mois-ci est de {amount}, deux fois plus que d'habitude",
                      "internet {in_city} coupe tous les soirs",
                      "j'attends le technicien depuis {days} jours et le rendez-vous a encore été décalé",
                      "la portabilité du numéro devait prendre un jour et ça fait déjà {days} jours",
                      "au service client on attend 40 minutes puis ça raccroche"),
        "outage": ("plus d'internet {in_city} depuis {hours} heures",
                   "le téléphone n'a plus aucun réseau, juste SOS",
                   "tout le quartier est sans électricité depuis {hours} heures"),
        "question": ("comment passer à la facture électronique",
                     "combien coûte le passage à l'offre {product}",
                     "quand entrent en vigueur les nouveaux tarifs d'électricité",
                     "où voir la consommation du mois dernier"),
        "praise": ("le technicien est arrivé à l'heure et en une demi-heure tout marchait",
                   "l'offre {product} est vraiment rapide",
                   "la conseillère sur le chat a réglé le problème tout de suite"),
        "neutral": ("apparemment ils installent une nouvelle antenne {in_city}",
                    "nouvelle grille tarifaire le mois prochain, on verra",
                    "la nouvelle pub est vraiment partout"),
    },
    "Kawka": {
        "complaint": ("la commande {order} ({product}) était payée dans l'appli, mais au café personne n'était au courant",
                      "25 minutes d'attente et le café est arrivé froid",
                      "les points de mes derniers achats ne s'affichent pas dans l'appli",
                      "le terminal de paiement est en panne depuis une semaine, espèces uniquement",
                      "l'appli a débité deux fois la même commande"),
        "outage": ("l'appli n'accepte plus les commandes, elle bloque au paiement",
                   "mes points de fidélité ont disparu du compte",
                   "le QR code ne passe pas en caisse"),
        "question": ("comment utiliser les points de l'appli", "quand sort la carte d'automne",
                     "la carte cadeau est valable combien de temps",
                     "quels cafés sont ouverts le dimanche {in_city}"),
        "praise": ("le meilleur flat white de la ville, sans discussion",
                   "ma commande sur l'appli était prête en trois minutes",
                   "l'équipe est toujours souriante et rapide"),
        "neutral": ("un nouveau café ouvre {in_city}", "la carte d'automne est sortie, de la citrouille partout",
                    "je me demande s'ils referont les gobelets réutilisables à Noël"),
    },
}

FOLLOWUPS = {
    "waiting": ("Toujours pas de réponse.", "Allô ? Ça fait des heures.", "Quelqu'un lit ces messages ?"),
    "unresolved": ("Je vous ai écrit en privé, toujours pas réglé.", "Malheureusement ça ne marche toujours pas."),
    "thanks": ("Merci, tout fonctionne maintenant !", "Réglé, merci pour la réactivité.",
               "Super, merci pour l'aide 🙏"),
    "info": ("J'ajoute que c'est la deuxième fois ce mois-ci.", "Les détails sont en message privé.",
             "Capture d'écran en pièce jointe."),
}

REPLY_HELLO = ("Bonjour", "Salut", "Hello")
REPLY_FRAMES = ("{hi} {name}, {body} ^{agent}", "{hi} {name} ! {Body} Belle journée, {agent}")
REPLIES = {
    "complaint": ("nous sommes vraiment désolés pour ce souci. Écrivez-nous en message privé et nous vérifions tout de suite.",
                  "désolés que ce soit arrivé. Nous avons transmis à l'équipe et revenons vers vous au plus tard demain.",
                  "merci pour le signalement et désolés pour l'attente. Nous vérifions dès maintenant."),
    "outage": ("nous sommes au courant du problème et travaillons déjà dessus. Désolés, nous vous tiendrons au courant dès que tout est rétabli.",),
    "question": ("bonne question ! Vous trouverez tous les détails dans l'appli, rubrique Aide, et si quelque chose n'est pas clair, écrivez-nous.",
                 "oui, c'est possible. Envoyez-nous les détails en privé et on vous guide pas à pas."),
    "praise": ("merci beaucoup, on transmet à l'équipe ! 💙", "ça fait plaisir, à la prochaine !"),
    "neutral": ("merci de penser à nous ! Si vous avez des questions, on est là.",),
}
