"""English -> Swedish glossary of the domain, for questions asked in English.

The documents are Swedish, so of an English question BM25 can match only names
and numbers, and e5-small's cross-lingual match is weak on a 4-bit model. This
glossary turns the English question's content words into the Swedish terms the
municipal documents use (dictionary-based query translation), which the lexical
signals then match as usual.

It covers the field (school, social services, police, secrecy and cooperation,
municipal governance), not the questions of any suite: a word missing here only
leaves that word to the dense signal. Phrases are matched before single words;
English inflections (-s, -es, -ies, -ed, -ing) are reduced before lookup.
"""
from __future__ import annotations

import re

# phrases first (longest match wins), then words; values are Swedish text
PHRASES: dict[str, str] = {
    "social services": "socialtjänsten",
    "hear back": "återkoppling",
    "heard back": "återkoppling",
    "social service": "socialtjänsten",
    "social worker": "socialsekreterare",
    "social secretary": "socialsekreterare",
    "case worker": "socialsekreterare handläggare",
    "caseworker": "socialsekreterare handläggare",
    "child welfare": "barn- och ungdomsvård socialtjänst",
    "child protection": "barnskydd barn som far illa",
    "children at risk": "barn som far illa riskerar",
    "at risk": "riskerar fara illa",
    "being harmed": "far illa",
    "being abused": "far illa misshandel",
    "harmed": "far illa",
    "report of concern": "orosanmälan",
    "concern report": "orosanmälan",
    "duty to report": "anmälningsplikt",
    "mandatory reporting": "anmälningsplikt",
    "pupil health": "elevhälsa",
    "student health": "elevhälsa",
    "school nurse": "skolsköterska",
    "school counsellor": "kurator",
    "school counselor": "kurator",
    "head teacher": "rektor",
    "independent school": "fristående skola friskola",
    "free school": "fristående skola friskola",
    "private school": "fristående skola friskola",
    "city council": "kommunfullmäktige",
    "municipal council": "kommunfullmäktige",
    "city executive office": "stadsledningskontoret",
    "district council": "stadsdelsnämnd",
    "district committee": "stadsdelsnämnd",
    "district administration": "stadsdelsförvaltning",
    "social welfare committee": "socialnämnden",
    "social services committee": "socialnämnden",
    "education committee": "utbildningsnämnden",
    "education administration": "utbildningsförvaltningen",
    "steering group": "styrgrupp",
    "steering committee": "styrgrupp",
    "contact person": "kontaktperson",
    "local agreement": "lokal överenskommelse",
    "support material": "stödmaterial",
    "pilot project": "pilotprojekt",
    "city audit": "stadsrevisionen",
    "audit office": "stadsrevisionen",
    "staff turnover": "personalomsättning",
    "follow up": "uppföljning följa upp",
    "follow-up": "uppföljning följa upp",
    "foster home": "familjehem",
    "foster care": "familjehem placerade",
    "police officer": "polis",
    "community police": "närpolis",
    "in charge": "ansvar",
    "legally required": "lagstadgat skyldighet",
    "required by law": "lagstadgat skyldighet",
}

WORDS: dict[str, str] = {
    # people and roles
    "teacher": "lärare skolpersonal", "staff": "personal medarbetare", "employee": "medarbetare",
    "pupil": "elev", "student": "elev", "child": "barn", "children": "barn",
    "young": "unga ungdomar", "youth": "unga ungdomar", "adolescent": "ungdomar",
    "parent": "vårdnadshavare föräldrar", "guardian": "vårdnadshavare", "family": "familj",
    "principal": "rektor", "headteacher": "rektor", "manager": "chef", "director": "direktör chef",
    "politician": "politiker", "councillor": "borgarråd", "commissioner": "borgarråd",
    "auditor": "revisorer", "investigator": "utredare", "officer": "tjänsteman",
    "counsellor": "kurator", "counselor": "kurator", "nurse": "skolsköterska",
    "police": "polis polisen", "prosecutor": "åklagare", "author": "författare",
    # organisations and places
    "school": "skola skolan", "preschool": "förskola", "municipality": "kommun", "city": "staden",
    "district": "stadsdel stadsdelsnämnd", "committee": "nämnd", "board": "nämnd",
    "council": "fullmäktige nämnd", "administration": "förvaltning", "authority": "myndighet",
    "organisation": "organisation", "organization": "organisation", "team": "team",
    "agency": "myndighet", "unit": "enhet", "department": "avdelning förvaltning",
    # the work
    "cooperation": "samverkan", "cooperate": "samverka", "collaboration": "samverkan",
    "collaborate": "samverka", "partnership": "samverkan", "work": "arbete arbeta",
    "meet": "träffas möten", "meeting": "möte träffar", "forum": "forum",
    "agreement": "överenskommelse", "routine": "rutiner", "procedure": "rutiner",
    "guideline": "riktlinjer", "guidance": "vägledning stödmaterial", "rule": "regler riktlinjer",
    "policy": "riktlinjer", "plan": "plan handlingsplan", "model": "modell",
    "report": "anmälan rapport", "notification": "anmälan", "concern": "oro",
    "investigation": "utredning", "investigate": "utreda utredning", "assessment": "bedömning",
    "review": "granskning översyn", "audit": "granskning revision", "survey": "kartläggning",
    "mapping": "kartläggning", "evaluation": "utvärdering uppföljning", "evaluate": "utvärdera",
    "monitor": "följa upp uppföljning", "feedback": "återkoppling", "inform": "informera",
    "information": "information uppgifter", "tell": "informera berätta", "share": "dela lämna",
    "disclose": "lämna ut röja", "contact": "kontakt kontakta", "consent": "samtycke",
    "secrecy": "sekretess", "confidentiality": "sekretess tystnadsplikt", "confidential": "sekretess",
    "privacy": "integritet sekretess", "law": "lag", "legal": "lag rättslig", "legally": "lag",
    "obligation": "skyldighet", "duty": "skyldighet plikt", "responsibility": "ansvar",
    "responsible": "ansvar ansvarig", "decide": "besluta beslut", "decision": "beslut",
    "support": "stöd", "help": "stöd hjälp", "intervention": "insatser", "measure": "åtgärder insatser",
    "action": "åtgärder", "resource": "resurser", "fund": "medel resurser", "funding": "medel anslag",
    "money": "pengar resurser", "budget": "budget", "cost": "kostnad", "salary": "lön", "wage": "lön",
    "project": "projekt", "pilot": "pilotprojekt", "trial": "försök", "test": "försök",
    "case": "ärende", "matter": "ärende", "motion": "motion", "proposal": "förslag",
    "interpellation": "interpellation", "answer": "svar", "reply": "svar", "response": "svar",
    "reservation": "reservation", "dissent": "reservation", "statement": "yttrande uttalande",
    "revise": "revidera revidering", "revision": "revidering", "change": "förändring ändra",
    "improve": "förbättra", "improvement": "förbättring", "problem": "problem brister",
    "shortcoming": "brister", "deficiency": "brister", "weakness": "brister", "risk": "risk",
    "experience": "erfarenhet", "experienced": "erfarna", "inexperienced": "oerfaren",
    "handle": "handläggs", "handled": "handlagts", "turnover": "omsättning",
    "recruit": "rekrytera", "retain": "behålla", "continuity": "kontinuitet",
    "training": "utbildning", "education": "utbildning", "learning": "lärande",
    "attendance": "närvaro", "absence": "frånvaro", "truancy": "frånvaro skolk",
    "crime": "brott", "criminal": "kriminalitet brott", "violence": "våld", "abuse": "misshandel",
    "neglect": "försummelse", "drug": "droger narkotika", "alcohol": "alkohol",
    "harm": "skada fara illa", "safety": "trygghet säkerhet", "security": "trygghet",
    "prevention": "förebyggande", "preventive": "förebyggande", "prevent": "förebygga",
    "early": "tidig tidiga", "welfare": "välfärd", "wellbeing": "välmående",
    "health": "hälsa", "mental": "psykisk", "placement": "placering", "placed": "placerade",
    "suspect": "misstänka misstanke", "suspicion": "misstanke", "worry": "oro", "worried": "orolig oro",
    "require": "krav kräva", "requirement": "krav", "demand": "krav kräva", "must": "måste ska",
    # time and quantity
    "year": "år", "annual": "årlig", "month": "månad", "week": "vecka", "term": "termin",
    "semester": "termin", "often": "ofta", "frequency": "ofta", "regularly": "regelbundet",
    "number": "antal", "amount": "belopp", "percent": "procent", "new": "nya", "total": "totalt",
    "start": "starta", "started": "startas", "begin": "inleda påbörja", "end": "avsluta",
    "continue": "fortsätta fortsatt", "future": "framtida", "extend": "förlänga", "extension": "förlängning",
    "receive": "få fått", "received": "fått", "led": "lett", "lead": "leda",
}


def _base_forms(word: str) -> list[str]:
    """The word and what it may be inflected from: pupils -> pupil, reviewed -> review."""
    forms = [word]
    if word.endswith("ies") and len(word) > 4:
        forms.append(word[:-3] + "y")
    if word.endswith("es") and len(word) > 4:
        forms.append(word[:-2])
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        forms.append(word[:-1])
    if word.endswith("ed") and len(word) > 4:
        forms += [word[:-2], word[:-1]]
    if word.endswith("ing") and len(word) > 5:
        forms += [word[:-3], word[:-3] + "e"]
    return forms


_TOKEN = re.compile(r"[a-z]+(?:-[a-z]+)?")


def translate_pairs(text: str) -> list[tuple[str, str]]:
    """(English phrase or word, its Swedish rendering) for the content words of ``text``, phrases first."""
    low = text.lower().replace("’", "'")
    out: list[tuple[str, str]] = []
    for phrase in sorted(PHRASES, key=len, reverse=True):
        pattern = r"\b" + r"\s+".join(re.escape(w) + "(?:e?s)?" for w in phrase.split()) + r"\b"
        if re.search(pattern, low):
            out.append((phrase, PHRASES[phrase]))
            low = re.sub(pattern, " ", low)
    for word in _TOKEN.findall(low):
        for form in _base_forms(word):
            if form in WORDS:
                out.append((word, WORDS[form]))
                break
    return out


def translate(text: str) -> list[str]:
    """Swedish renderings of the English content words of ``text``, phrases first."""
    return [swedish for _, swedish in translate_pairs(text)]
