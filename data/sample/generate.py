#!/usr/bin/env python3
"""Writes the nertool sample corpus (train/valid/test.txt) from the hand-written templates and names below.

Every sentence pattern and every name here was written for nertool; none is taken from CoNLL-2003, OntoNotes or
any other annotated corpus. Output: two columns (token, IOB2 label), -DOCSTART- lines between documents.
Deterministic: `python3 data/sample/generate.py` rewrites the same files.
"""
import os
import random

PER = ["Maria Lindqvist", "Tomas Okafor", "Hiroshi Tanabe", "Elena Vasquez", "Piotr Nowak", "Amara Diallo",
       "James Whitfield", "Sofia Marchetti", "Lukas Brenner", "Aisha Rahman", "Daniel Kowalczyk", "Ingrid Solberg",
       "Rafael Domingues", "Chen Wei", "Olga Petrenko", "Samuel Adeyemi", "Claire Dubois", "Mehmet Yilmaz",
       "Anna Horvath", "Kofi Mensah", "Okafor", "Lindqvist", "Tanabe", "Marchetti", "Nina Castellano",
       "Viktor Hallberg", "Grace Nakamura", "Jean-Paul Moreau", "Yusuf Karimi", "Helen O'Connell"]
ORG = ["Northwind Bank", "Helios Energy", "Kestrel Airlines", "Baltic Shipping Group", "Vantara Motors",
       "Meridian Health", "Atlas Telecom", "Greenway Foods", "Orion Press", "Solano Mining", "Blue Harbor Insurance",
       "Alpine Rail", "Corvid Systems", "Tasman Steel", "the Ministry of Transport", "Lumen Pharmaceuticals"]
CLUB = ["Riverside", "Port Albion", "Dynamo Kestrel", "Union Solvay", "Real Marisco", "Sporting Vale",
        "Atletico Bravo", "FC Nordhavn"]
UNI = ["Copperfield University", "the Institute of Applied Science", "Easton College", "Halvard University"]
LOC = ["Lisbon", "Nairobi", "Oslo", "Manila", "Montreal", "Cairo", "Santiago", "Hamburg", "Osaka", "Brazil",
       "Kenya", "Norway", "Canada", "Vietnam", "Portugal", "Poland", "New Zealand", "South Africa", "Lake Victoria",
       "the Andes", "Rotterdam", "Buenos Aires", "Chile", "Turkey", "Ghana", "Bergen"]
COUNTRY = ["Brazil", "Kenya", "Norway", "Canada", "Vietnam", "Portugal", "Poland", "Chile", "Turkey", "Ghana",
           "Japan", "Italy"]
ADJ = ["French", "German", "Brazilian", "Japanese", "Kenyan", "Norwegian", "Canadian", "Polish", "Chilean",
       "Turkish", "Ghanaian", "Italian"]
PEOPLE = ["Germans", "Brazilians", "Canadians", "Italians", "Norwegians", "Poles"]
EVENT = ["World Cup", "Nobel Prize", "Olympic Games", "Grand Prix", "Booker Prize", "Winter Games",
         "Lisbon Film Festival", "Nordic Cup", "Atlantic Open", "Copa Serrana"]
DAY = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

# Slots: {PER} {ORG} {CLUB} {UNI} {LOC} {COUNTRY} {ADJ} {PEOPLE} {EVENT} {DAY} {N} {YEAR}.
TEMPLATES = [
    "{PER} , the chief executive of {ORG} , said on {DAY} that profits rose {N} percent .",
    "{ORG} shares fell {N} percent in {LOC} trading on {DAY} .",
    "{PER} scored twice as {CLUB} beat {CLUB} {N}-{N} in {LOC} .",
    "The {ADJ} government announced new rules for farmers in {LOC} .",
    "{PER} will travel to {LOC} next week for talks with {PER} .",
    "Heavy rain caused flooding near {LOC} , officials said .",
    "{ORG} agreed to buy {ORG} for {N} million dollars .",
    "{PER} won the {EVENT} after a close race against {PER} .",
    "The {EVENT} will be held in {LOC} in {YEAR} .",
    "Police in {LOC} arrested two men on {DAY} .",
    "{PER} ( {COUNTRY} ) {N} {N} {N}",
    "{COUNTRY} beat {COUNTRY} {N}-{N} in a friendly match on {DAY} .",
    "{ADJ} striker {PER} joined {CLUB} on a three-year contract .",
    "A spokesman for {ORG} declined to comment .",
    "{PER} told reporters in {LOC} that the deal was fair .",
    "Exports from {COUNTRY} to {COUNTRY} grew strongly last year .",
    "{ORG} said it would open a new office in {LOC} .",
    "The {ADJ} central bank kept interest rates unchanged .",
    "{PER} , who studied at {UNI} , holds a {ADJ} passport .",
    "Prices were steady on {DAY} after a quiet session .",
    "The index closed {N} points higher at {N} .",
    "{PER} said : \" We are very happy with the result . \"",
    "Fans in {LOC} celebrated late into the night .",
    "{ORG} reported a net loss of {N} million euros for the quarter .",
    "TENNIS - {PER} BEATS {PER} IN {LOC}",
    "{COUNTRY} 's foreign minister , {PER} , arrived in {LOC} on {DAY} .",
    "Workers at {ORG} went on strike over pay on {DAY} .",
    "{PER} and {PER} will meet at the {EVENT} in {YEAR} .",
    "{CLUB} will play {CLUB} in the {EVENT} final .",
    "According to {ORG} , inflation in {COUNTRY} fell to {N} percent .",
    "{PER} was elected mayor of {LOC} with {N} percent of the vote .",
    "Many {PEOPLE} visit {LOC} every summer .",
    "{ORG} fined {ORG} {N} million for breaking competition rules .",
    "The {ADJ} team arrived in {LOC} on {DAY} .",
    "{PER} denied the reports .",
    "Results of the {EVENT} on {DAY} :",
    "Temperatures in {LOC} reached {N} degrees .",
    "The talks ended without agreement , a diplomat said .",
    "{PER} , {N} , has coached {CLUB} since {YEAR} .",
    "Trading in {ORG} was suspended pending an announcement .",
    "{ORG} and {ORG} signed a supply deal worth {N} million dollars .",
    "{PER} finished second behind {PER} in the {EVENT} .",
    "The {ADJ} prime minister met {PER} in {LOC} on {DAY} .",
    "Floods have cut the road between {LOC} and {LOC} .",
    "{PER} of {CLUB} was sent off in the {N}th minute .",
]

PUNCT_TYPES = {"PER": PER, "ORG": ORG, "CLUB": CLUB, "UNI": UNI, "LOC": LOC, "COUNTRY": COUNTRY, "ADJ": ADJ,
               "PEOPLE": PEOPLE, "EVENT": EVENT}
LABEL = {"PER": "PER", "ORG": "ORG", "CLUB": "ORG", "UNI": "ORG", "LOC": "LOC", "COUNTRY": "LOC", "ADJ": "MISC",
         "PEOPLE": "MISC", "EVENT": "MISC"}


def words_of(name):
    # "the Ministry of Transport": a leading "the" is not part of the entity, as in CoNLL-2003.
    words = name.split()
    if words[0] == "the":
        return ["the"], words[1:]
    return [], words


def realise(template, rng):
    tokens, labels = [], []
    upper = template.isupper() or template.startswith("TENNIS")
    for piece in template.split():
        if piece.startswith("{") and "}" in piece:
            slot = piece[1:piece.index("}")]
            rest = piece[piece.index("}") + 1:]
            if slot in PUNCT_TYPES:
                before, ent = words_of(rng.choice(PUNCT_TYPES[slot]))
                for w in before:
                    tokens.append(w)
                    labels.append("O")
                for i, w in enumerate(ent):
                    tokens.append(w.upper() if upper else w)
                    labels.append(("B-" if i == 0 else "I-") + LABEL[slot])
            elif slot == "DAY":
                tokens.append(rng.choice(DAY))
                labels.append("O")
            elif slot == "YEAR":
                tokens.append(str(rng.randint(2019, 2031)))
                labels.append("O")
            elif slot == "N":
                n = str(rng.randint(1, 99))
                if rest.startswith("-{N}"):
                    n += "-" + str(rng.randint(0, 5))
                    rest = rest[4:]
                tokens.append(n + rest)
                labels.append("O")
                continue
            if rest:
                tokens.append(rest)
                labels.append("O")
        else:
            tokens.append(piece)
            labels.append("O")
    if tokens and tokens[0] == "the":
        tokens[0] = "The"
    return tokens, labels


def write(path, sentences, rng):
    with open(path, "w", encoding="utf-8") as out:
        i = 0
        while i < len(sentences):
            out.write("-DOCSTART- O\n\n")
            n = rng.randint(5, 12)
            for tokens, labels in sentences[i:i + n]:
                for t, l in zip(tokens, labels):
                    out.write(f"{t} {l}\n")
                out.write("\n")
            i += n


def main():
    rng = random.Random(20261122)
    here = os.path.dirname(os.path.abspath(__file__))
    sentences = [realise(rng.choice(TEMPLATES), rng) for _ in range(230)]
    write(os.path.join(here, "train.txt"), sentences[:150], rng)
    write(os.path.join(here, "valid.txt"), sentences[150:190], rng)
    write(os.path.join(here, "test.txt"), sentences[190:], rng)


if __name__ == "__main__":
    main()
