"""Spanish (Spain): our own sentences; questions open with ¿ in the frame, outside the clause."""

FEMALE = ("Lucía", "María", "Paula", "Laura", "Marta", "Carmen", "Sara", "Elena", "Claudia",
          "Andrea", "Irene", "Alba")
MALE = ("Pablo", "Javier", "Daniel", "Alejandro", "Carlos", "David", "Sergio", "Adrián", "Álvaro",
        "Diego", "Jorge", "Rubén")
SURNAMES = ("García", "Martínez", "López", "Sánchez", "González", "Pérez", "Rodríguez", "Fernández",
            "Gómez", "Ruiz")
CITIES = ("en Madrid", "en Barcelona", "en Valencia", "en Sevilla", "en Bilbao", "en Málaga",
          "en Zaragoza", "en Granada")
CURRENCY = "{} €"
MASTODON = ("mastodon.social", "mastodon.world")
SUBREDDIT = "spain"
PRODUCTS = {
    "Acme": ("auriculares inalámbricos", "zapatillas de running", "cafetera espresso", "aspiradora",
             "lámpara de escritorio", "mochila"),
    "Volta": ("Fibra 600", "Max 5G", "Luz Verde", "Hogar+TV"),
    "Kawka": ("latte de avena", "flat white", "capuchino", "cold brew", "matcha latte"),
}
AGENTS = {"Acme": ("Lucía", "Pablo"), "Volta": ("Javier", "Marta"), "Kawka": ("Alba", "Diego")}
PREFIXES = ("@{h} ", "¡Hola @{h}! ")

FRAMES = {
    "complaint": ("{X}.", "{X} y nadie contesta.", "{X}. Es el tercer mensaje y nada.",
                  "{X}. Llevo {days} días esperando respuesta.", "Otra vez: {x}. Increíble.",
                  "{X}. ¿Así tratáis a los clientes?"),
    "complaint_b": ("{b}, {x}. ¿Alguien se encarga?", "¿Hola, {b}? {X} y nadie contesta."),
    "outage": ("{X}.", "¡{X}!", "¿Le pasa a alguien más? {X}."),
    "question": ("¿{X}?", "¿{X}? Gracias de antemano.", "Una pregunta: ¿{x}?"),
    "question_b": ("{b}, ¿{x}?",),
    "praise": ("{X}. ¡Gracias!", "{X} 👏", "Hay que decirlo: {x}."),
    "praise_b": ("{b}, {x}. ¡Seguid así!",),
    "neutral": ("{X}.", "{X} 🤔"),
    "neutral_b": ("{b}: {x}.",),
}

CLAUSES = {
    "Acme": {
        "complaint": ("el paquete llegó dañado, con la caja totalmente aplastada",
                      "el pedido {order} tenía que llegar ayer y el seguimiento lleva {days} días parado",
                      "el repartidor marcó el paquete como «ausente» y había alguien en casa todo el día",
                      "en el paquete {order} ({product}) venía un producto totalmente distinto",
                      "el reembolso de la devolución del pedido {order} todavía no ha llegado a la cuenta"),
        "outage": ("la app no me deja iniciar sesión", "el pago con tarjeta no pasa y el carrito se vacía",
                   "el seguimiento de envíos da error desde hace {hours} horas"),
        "question": ("cómo cambio la dirección de entrega del pedido {order}",
                     "cuánto tarda el reembolso después de devolver el paquete",
                     "cuándo llegan los pedidos hechos el fin de semana",
                     "dónde encuentro la factura del pedido {order}"),
        "praise": ("el paquete llegó un día antes, todo embalado con mimo",
                   "devolución resuelta en 10 minutos, sin ninguna pregunta",
                   "el repartidor llamó antes y esperó, un servicio de diez"),
        "neutral": ("veo que ya hacen entregas también los domingos",
                    "a ver si este año vuelve a haber buenas ofertas en Black Friday",
                    "han abierto un almacén nuevo {in_city}"),
    },
    "Volta": {
        "complaint": ("la factura de este mes es de {amount}, el doble de lo normal",
                      "internet {in_city} se cae todas las noches",
                      "llevo {days} días esperando al técnico y ya han cambiado la cita dos veces",
                      "la portabilidad del número iba a tardar un día y ya van {days} días",
                      "en atención al cliente te tienen 40 minutos esperando y luego se corta"),
        "outage": ("no hay internet {in_city} desde hace {hours} horas",
                   "el móvil no tiene nada de cobertura, solo sale SOS",
                   "toda la calle lleva {hours} horas sin luz"),
        "question": ("cómo me paso a la factura electrónica",
                     "cuánto cuesta cambiar a la tarifa {product}",
                     "cuándo entran en vigor los nuevos precios de la luz",
                     "dónde veo el consumo del último mes"),
        "praise": ("el técnico llegó puntual y en media hora todo funcionaba",
                   "la tarifa {product} va de maravilla",
                   "la chica del chat lo solucionó al momento"),
        "neutral": ("dicen que están poniendo una antena nueva {in_city}",
                    "el mes que viene cambian los precios, ya veremos",
                    "el anuncio nuevo sale por todas partes"),
    },
    "Kawka": {
        "complaint": ("el pedido {order} ({product}) estaba pagado en la app, pero en la cafetería nadie sabía nada",
                      "esperé 25 minutos y el café llegó frío",
                      "los puntos de las últimas compras no aparecen en la app",
                      "el datáfono lleva una semana roto, solo efectivo",
                      "la app cobró dos veces el mismo pedido"),
        "outage": ("la app no acepta pedidos, se queda colgada en el pago",
                   "los puntos de fidelidad han desaparecido de la cuenta",
                   "el código QR no se lee en caja"),
        "question": ("cómo uso los puntos de la app", "cuándo sale la carta de otoño",
                     "cuánto tiempo vale una tarjeta regalo",
                     "qué cafeterías abren el domingo {in_city}"),
        "praise": ("el mejor flat white de la ciudad, sin discusión",
                   "el pedido de la app estaba listo en tres minutos",
                   "el personal siempre es simpático y rápido"),
        "neutral": ("abren una cafetería nueva {in_city}", "ya está la carta de otoño, calabaza por todas partes",
                    "a ver si en Navidad vuelven los vasos reutilizables"),
    },
}

FOLLOWUPS = {
    "waiting": ("Sigo sin respuesta.", "¿Hola? Ya han pasado varias horas.", "¿Alguien lee esto?"),
    "unresolved": ("Os escribí por privado y sigue sin resolverse.", "Por desgracia sigue sin funcionar."),
    "thanks": ("¡Gracias, ya funciona todo!", "Solucionado, gracias por la rapidez.",
               "Genial, gracias por la ayuda 🙏"),
    "info": ("Añado que es la segunda vez este mes.", "Los datos están en el mensaje privado.",
             "Adjunto captura de pantalla."),
}

REPLY_HELLO = ("Hola", "Buenas", "Buenos días")
REPLY_FRAMES = ("{hi} {name}, {body} ^{agent}", "¡{hi} {name}! {Body} Un saludo, {agent}")
REPLIES = {
    "complaint": ("sentimos mucho las molestias. Escríbenos por privado y lo revisamos enseguida.",
                  "lamentamos lo ocurrido. Hemos pasado el caso al equipo y te decimos algo como muy tarde mañana.",
                  "gracias por avisarnos y perdona la espera. Ya lo estamos revisando."),
    "outage": ("conocemos la incidencia y ya estamos trabajando en ella. Perdona las molestias, te avisamos en cuanto todo vuelva a la normalidad.",),
    "question": ("¡buena pregunta! Tienes todos los detalles en la app, en el apartado Ayuda, y si algo no queda claro, escríbenos.",
                 "sí, se puede. Mándanos los datos por privado y te guiamos paso a paso."),
    "praise": ("¡muchas gracias, se lo pasamos al equipo! 💙", "¡qué alegría leerlo, hasta la próxima!"),
    "neutral": ("¡gracias por acordarte de nosotros! Si tienes dudas, aquí estamos.",),
}
