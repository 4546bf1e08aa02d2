"""English (UK-flavoured): our own sentences, the language Hacker News threads are written in."""

FEMALE = ("Emma", "Olivia", "Sophie", "Charlotte", "Amelia", "Jessica", "Hannah", "Lucy", "Chloe",
          "Grace", "Megan", "Rachel")
MALE = ("James", "Oliver", "Harry", "Jack", "Thomas", "Daniel", "Matthew", "Ben", "Sam", "Chris",
        "Ryan", "Liam")
SURNAMES = ("Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Evans", "Thomas", "Walker",
            "Wright")
CITIES = ("in Manchester", "in Leeds", "in Bristol", "in Glasgow", "in Dublin", "in Birmingham",
          "in Cardiff", "in Brighton")
CURRENCY = "£{}"
MASTODON = ("mastodon.social", "fosstodon.org", "mastodon.online")
SUBREDDIT = "unitedkingdom"
PRODUCTS = {
    "Acme": ("wireless headphones", "running shoes", "espresso machine", "vacuum cleaner",
             "desk lamp", "backpack"),
    "Volta": ("Fibre 600", "Max 5G", "Green Power", "Home+TV"),
    "Kawka": ("oat latte", "flat white", "cappuccino", "cold brew", "matcha latte"),
}
AGENTS = {"Acme": ("Emma", "Tom"), "Volta": ("Hannah", "Ben"), "Kawka": ("Lucy", "Sam")}
PREFIXES = ("@{h} ", "Hey @{h}! ")

FRAMES = {
    "complaint": ("{X}.", "{X} and nobody answers.", "{X}. Third message now and still nothing.",
                  "{X}. Been waiting {days} days for a reply.", "Again: {x}. Unbelievable.",
                  "{X}. Is this how you treat customers?"),
    "complaint_b": ("{b}, {x}. Is anyone looking into this?", "Hello, {b}? {X} and nobody answers."),
    "outage": ("{X}.", "{X}?!", "Anyone else? {X}."),
    "question": ("{X}?", "{X}? Thanks in advance.", "Quick question: {x}?"),
    "question_b": ("{b}, {x}?",),
    "praise": ("{X}. Thank you!", "{X} 👏", "Credit where it's due: {x}."),
    "praise_b": ("{b}, {x}. Keep it up!",),
    "neutral": ("{X}.", "{X} 🤔"),
    "neutral_b": ("{b}: {x}.",),
}

CLAUSES = {
    "Acme": {
        "complaint": ("my parcel arrived damaged, the box completely crushed",
                      "order {order} was due yesterday and tracking hasn't moved in {days} days",
                      "the courier marked the parcel as 'nobody home' while someone was in all day",
                      "parcel {order} ({product}) had a completely different item inside",
                      "the refund for my return on order {order} still hasn't reached my account"),
        "outage": ("the app won't let me log in", "card payments fail and the basket empties itself",
                   "parcel tracking has been throwing errors for {hours} hours"),
        "question": ("how can I change the delivery address for order {order}",
                     "how long does a refund take once the parcel is sent back",
                     "when do weekend orders get delivered",
                     "where do I find the invoice for order {order}"),
        "praise": ("parcel arrived a day early, everything packed with care",
                   "return sorted in 10 minutes, no questions asked",
                   "the courier rang ahead and waited, brilliant service"),
        "neutral": ("looks like they've started Sunday deliveries",
                    "wonder if there'll be big Black Friday deals again this year",
                    "they've opened a new warehouse {in_city}"),
    },
    "Volta": {
        "complaint": ("this month's bill is {amount}, double the usual",
                      "the internet {in_city} drops every single evening",
                      "waiting {days} days for an engineer and the appointment got moved twice",
                      "porting my number was supposed to take a day and it's been {days} days",
                      "the helpline keeps you on hold for 40 minutes and then hangs up"),
        "outage": ("no internet {in_city} for {hours} hours now",
                   "my phone has no signal at all, only SOS",
                   "the whole street has been without power for {hours} hours"),
        "question": ("how do I switch to paperless billing",
                     "how much is it to move to the {product} plan",
                     "when do the new energy prices kick in",
                     "where can I see last month's usage"),
        "praise": ("the engineer turned up on time and had everything working in half an hour",
                   "the {product} plan is genuinely fast",
                   "the agent on chat fixed it straight away"),
        "neutral": ("apparently they're putting up a new mast {in_city}",
                    "new price list from next month, we'll see",
                    "the new advert is literally everywhere"),
    },
    "Kawka": {
        "complaint": ("order {order} ({product}) was paid in the app but the café had no idea about it",
                      "waited 25 minutes and the coffee came out cold",
                      "points from my last few purchases never showed up in the app",
                      "the card reader has been broken for a week, cash only",
                      "the app charged me twice for the same order"),
        "outage": ("the app won't take orders, it hangs at checkout",
                   "my loyalty points have vanished from the account",
                   "the QR code won't scan at the till"),
        "question": ("how do I use the points in the app", "when is the autumn menu coming out",
                     "how long is a gift card valid", "which cafés are open on Sunday {in_city}"),
        "praise": ("best flat white in town, no contest", "my app order was ready in three minutes",
                   "the staff are always cheerful and quick"),
        "neutral": ("a new café is opening {in_city}", "the autumn menu is out, pumpkin everywhere",
                    "wonder if they'll do the reusable cups again for Christmas"),
    },
}

FOLLOWUPS = {
    "waiting": ("Still no reply.", "Hello? It's been hours.", "Does anyone actually read these?"),
    "unresolved": ("Sent you a DM, still not sorted.", "Sadly it still doesn't work."),
    "thanks": ("Thanks, all working now!", "Sorted, thanks for the quick response.",
               "Great, thanks for the help 🙏"),
    "info": ("Worth adding this is the second time this month.", "Details are in the DM.",
             "Screenshot attached."),
}

REPLY_HELLO = ("Hi", "Hello", "Hey")
REPLY_FRAMES = ("{hi} {name}, {body} ^{agent}", "{hi} {name}! {Body} Best, {agent}")
REPLIES = {
    "complaint": ("we're so sorry about this. Please send us a DM and we'll look into it right away.",
                  "sorry this happened. We've passed it to the team and will get back to you by tomorrow at the latest.",
                  "thanks for letting us know and sorry for the wait. We're checking it now."),
    "outage": ("we know about the problem and we're already working on it. Sorry, we'll update you as soon as everything is back to normal.",),
    "question": ("good question! You'll find the details in the app under Help, and if anything's unclear just drop us a line.",
                 "yes, that's possible. DM us the details and we'll walk you through it step by step."),
    "praise": ("thank you so much, we'll pass this on to the team! 💙", "lovely to hear, see you next time!"),
    "neutral": ("thanks for thinking of us! If you have any questions, we're here.",),
}
