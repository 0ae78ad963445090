"""Privacy test set and its measurement: ``python -m evals.privacy [--json] [--seed N]``.

The set is generated (seeded) from staff-sentence templates and fictional values
written for this file before the redaction rules were tuned, and split 70/30:
the held-out part uses templates and values the dev part never sees. For each
planted item the redactor (built from the bundled corpus, as the server builds
it from the index) must remove it; each look-alike must come out unchanged.

Recall per kind = planted items no longer in the text; false redactions per
kind = look-alikes changed.

A third set, evals/data/privacy_independent.yaml, was written by hand apart from the rules
and these templates (real-looking staff sentences, several items each). Its first measurement
showed what the templates missed; since then it is the development set of the rules.

A fourth set, evals/data/privacy_final.yaml, was written by hand by another author apart from
the rules, the templates and the third set; it is the held-out set, measured the same way
(``--final``) only to report, never while changing the rules.
"""
from __future__ import annotations

import argparse
import json
import random
import re
import sys
from pathlib import Path

from assistant.privacy import Redactor

ROOT = Path(__file__).resolve().parents[1]
INDEPENDENT = ROOT / "evals" / "data" / "privacy_independent.yaml"
FINAL = ROOT / "evals" / "data" / "privacy_final.yaml"

# -- templates (written first) --------------------------------------------------------------------
PNR_TEMPLATES = [
    "Eleven har personnummer {v}, får jag lämna det till socialtjänsten?",
    "Kan jag skicka {v} i ett mejl till BUP?",
    "Orosanmälan gäller barnet med nummer {v}.",
    "Socialsekreteraren frågade efter {v} i telefon, vad gäller?",
    "Jag skrev {v} i journalen av misstag, vad gör jag nu?",
    "{v} har inte varit i skolan på tre veckor.",
    "Polisen vill ha uppgifter om {v} inför ett förhör.",
    "Får rektorn lämna ut skolgången för {v} till familjehemmet?",
    "Vårdnadshavaren till {v} vill läsa anmälan, får hon det?",
    "Gäller sekretessen även för {v} som har skyddad identitet?",
    "Hur länge sparas en anmälan om {v}?",
    "Vi har fått en begäran om allmän handling som rör {v}.",
]
NAME_TEMPLATES = [
    "Eleven {v} berättar att hon blir slagen hemma, vad ska jag göra?",
    "Jag är orolig för {v} som ofta kommer hungrig till skolan.",
    "Pojken {v} har slutat komma till lektionerna.",
    "{v}s mamma ringde och ville veta vad vi skrivit i anmälan.",
    "Får jag prata med socialtjänsten om {v} utan att fråga föräldrarna?",
    "Flickan {v} sa att hon inte vågar gå hem.",
    "{v} i 4B har blåmärken på armarna igen.",
    "Min elev {v} har berättat om bråk hemma.",
    "Barnet heter {v} och går på fritids.",
    "Kan kuratorn berätta för polisen vad {v} sagt i samtalet?",
    "Vad gör jag om {v} inte vill att jag anmäler?",
    "{v} har varit frånvarande hela veckan och svarar inte.",
    "Vi har haft ett möte med {v} och hennes pappa.",
    "Eleven som heter {v} har flyttat, får vi skicka papperen?",
    "Sonen {v} till en kollega far illa, hur anmäler jag?",
    "Jag undrar om {v} kan få stöd av elevhälsan utan samtycke.",
]
ADDRESS_TEMPLATES = [
    "Familjen bor på {v}, kan jag ge adressen till polisen?",
    "Eleven har skyddad adress men jag vet att hon bor på {v}.",
    "Får vi skicka kallelsen till {v} när pappan har vårdnaden?",
    "Grannen på {v} har ringt om skrik från lägenheten.",
    "Socialtjänsten bad om adressen, den är {v}.",
    "Barnet sover ibland hos mormor på {v}.",
]
PHONE_TEMPLATES = [
    "Mamman har nummer {v}, får jag ge det till socialtjänsten?",
    "Ring mig på {v} om svaret är oklart.",
    "Eleven gav mig {v} till sin pappa.",
    "Kan jag lämna {v} till polisen?",
    "Min kollega nås på {v} efter klockan tre.",
]
EMAIL_TEMPLATES = [
    "Skicka svaret till {v}, tack.",
    "Föräldern mejlade från {v} och bad om journalen.",
    "Får jag vidarebefordra mejlet från {v} till kuratorn?",
    "Kontakta mig på {v} om något saknas.",
]
LOOKALIKE_TEMPLATES = [
    "Vad står det i {v} om sekretess mellan skola och socialtjänst?",
    "Gäller {v} även för fritidshemmet?",
    "Jag hittade {v} i underlaget, vad betyder det?",
    "{v} nämns i utlåtandet, kan du förklara?",
    "Hur tolkas {v} när polisen begär uppgifter?",
]
CAPITALISED_TEMPLATES = [
    "{v} ringde skolan och bad om ett möte.",
    "Har {v} rätt att få veta vad skolan vet?",
    "{v} vill samverka mer med skolan, hur gör vi?",
    "Vad säger materialet om {v}?",
]

# -- fictional values ------------------------------------------------------------------------------
FIRST_NAMES = """Kalle Ebba Omar Linnea Wilma Hugo Alva Elias Saga Noah Leo Maja Vera Ali Nora Liam
Selma Ines Melvin Tyra Amir Juni Vilgot Hanna Yusuf Elsa Theo Lova Malte Ester Zakaria Freja
Milo Signe Ibrahim Stella Ture Agnes Adam Majken Sixten Leila Viggo Meja Arvid Nadia Aron Tuva
Valter Idun Hamza Tilde Aston Moa Sami Jasmin Loke Ronja Edvin Lejla Kevin Ylva""".split()
SURNAMES = """Lindqvist Bergström Nyberg Hassan Johansson Karlsson Mohammed Ek Wallin Sjöberg
Holmgren Aziz Strand Forsberg Lundgren Jovanović Nilsson Engström Åkesson Dahl Öhman Yilmaz
Hedlund Björk Sundberg Ramadani Falk Lindahl Östlund Kaya""".split()
STREETS = """Storgatan Björkvägen Kvarngränd Ekbacken Lärkstigen Tallvägen Sjögatan Parkgatan
Skolvägen Ängsvägen Hamngatan Källgränd Granstigen Lindallén Kyrkogatan Rosenvägen Blåbärsstigen
Solrosgatan Furutorget Mossvägen""".split()
TOWNS = "Kungsvik Åsby Lilltorp Norrhamn Ekeby Sjöstad Björkdal Vallby".split()
DOMAINS = "skolan.se edu.kungsvik.se gmail.com hotmail.com outlook.com telia.com".split()
CASE_NUMBERS = ["Dnr KS 2023/1099", "2016:203", "Dnr 106-360/2016", "dnr SDN 2015/412",
                "ärende 2014-1187", "KF 2019/77", "Dnr 2022/0451-1.2", "SN 2020/318",
                "UBN 2016/1234", "Utlåtande 2016:203 RVI"]
LAW_REFERENCES = ["SFS 2009:400", "26 kap. 1 §", "10 kap. 2 § OSL", "14 kap. 1 § SoL",
                  "29 kap. 13 § skollagen", "SFS 2010:800", "SFS 2001:453", "12 kap. 10 §",
                  "prop. 2008/09:150", "SOU 2014:49", "25 kap. 12 §", "1990:52"]
DATES = ["2016-03-16", "den 15 december 2015", "2023-11-22", "15/12 2015", "2008-05-12",
         "den 23 november 2016", "1 januari 2024", "2015-12-15", "2016-11-23 kl. 14.00",
         "vecka 12 år 2016", "20161123", "2024-02-29"]
AMOUNTS = ["95 mnkr", "20 000 kronor", "1 200 000 kr", "3,5 miljoner kronor", "450 tkr",
           "12 procent", "2 500 kr per månad", "10 000 000 kr", "0,7 mnkr", "120 timmar"]
CAPITALISED = ["Socialtjänsten", "Polisen", "Skolan", "Skärholmen", "Stockholm", "Hägersten",
               "Liljeholmen", "Socialnämnden", "Barnombudsmannen", "Elevhälsan", "Måndag",
               "Tisdag", "Rektorn", "Förvaltningen", "Utbildningsnämnden", "Stadsdelsförvaltningen",
               "Farsta", "Bromma", "Kuratorn", "Fredag"]


def authority_phones(corpus: Path) -> list[str]:
    """Phone numbers that occur in the documents (the authority's own)."""
    from assistant.privacy import _PHONE, _phone_ok

    found = []
    for path in sorted(corpus.iterdir()):
        for m in _PHONE.finditer(path.read_text(encoding="utf-8")):
            if _phone_ok(m.group(0)) and m.group(0) not in found:
                found.append(m.group(0))
    return found


# -- generators -----------------------------------------------------------------------------------
def _luhn_digit(nine: str) -> str:
    total = 0
    for i, ch in enumerate(nine):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return str((10 - total % 10) % 10)


def _pnr(rng: random.Random, kind: str) -> str:
    year = rng.randint(1950, 2022)
    month = rng.randint(1, 12)
    day = rng.randint(1, 28)
    if kind == "samordningsnummer":
        day += 60
    yy, mm, dd = f"{year % 100:02d}", f"{month:02d}", f"{day:02d}"
    serial = f"{rng.randint(0, 999):03d}"
    check = _luhn_digit(yy + mm + dd + serial)
    if kind == "personnummer felskrivet":
        check = str((int(check) + rng.randint(1, 9)) % 10)
    c = str(year // 100)
    tail = serial + check
    forms = [f"{yy}{mm}{dd}-{tail}", f"{yy}{mm}{dd}{tail}", f"{c}{yy}{mm}{dd}-{tail}",
             f"{c}{yy}{mm}{dd}{tail}", f"{c}{yy} {mm} {dd} {tail}", f"{yy}{mm}{dd} {tail}",
             f"{c}{yy}{mm}{dd} {tail}", f"{yy}{mm}{dd}+{tail}"]
    return rng.choice(forms)


def _phone(rng: random.Random) -> str:
    n = lambda k: "".join(str(rng.randint(0, 9)) for _ in range(k))  # noqa: E731
    forms = [f"07{rng.choice('02369')}-{n(3)} {n(2)} {n(2)}", f"07{rng.choice('02369')}{n(7)}",
             f"+46 7{rng.choice('02369')} {n(3)} {n(2)} {n(2)}", f"08-{n(3)} {n(2)} {n(2)}",
             f"031-{n(2)} {n(2)} {n(2)}", f"0{rng.randint(11, 99)}-{n(5)}",
             f"07{rng.choice('02369')} {n(3)} {n(2)} {n(2)}"]
    return rng.choice(forms)


def _fold(s: str) -> str:
    return (s.lower().replace("å", "a").replace("ä", "a").replace("ö", "o")
            .replace("é", "e").replace("ć", "c"))


def generate(seed: int = 14, per_kind: int = 240) -> list[dict]:
    """Items {kind, value, text, split, expect: 'redact'|'keep'}; seeded, so reproducible."""
    rng = random.Random(seed)
    firsts, surnames = FIRST_NAMES[:], SURNAMES[:]
    rng.shuffle(firsts)
    rng.shuffle(surnames)
    held_firsts = set(firsts[: len(firsts) * 3 // 10])
    items: list[dict] = []

    def split_of(templates, t_index, value_held=False):
        held_t = t_index >= len(templates) - max(1, round(len(templates) * 0.3))
        return "held-out" if held_t or value_held else "dev"

    def plant(kind, templates, make, expect="redact"):
        for i in range(per_kind):
            ti = rng.randrange(len(templates))
            value, held = make(i)
            items.append({"kind": kind, "value": value, "text": templates[ti].format(v=value),
                          "split": split_of(templates, ti, held), "expect": expect})

    for kind in ("personnummer", "personnummer felskrivet", "samordningsnummer"):
        plant(kind, PNR_TEMPLATES, lambda i, k=kind: (_pnr(rng, k), False))

    def name(i):
        first = rng.choice(firsts)
        full = first if rng.random() < 0.6 else f"{first} {rng.choice(surnames)}"
        return full, first in held_firsts
    plant("namn", NAME_TEMPLATES, name)

    def address(i):
        street = f"{rng.choice(STREETS)} {rng.randint(1, 140)}{rng.choice(['', '', 'A', 'B'])}"
        if rng.random() < 0.5:
            street += f", {rng.randint(100, 989)} {rng.randint(10, 99)} {rng.choice(TOWNS)}"
        return street, False
    plant("adress", ADDRESS_TEMPLATES, address)
    plant("telefonnummer", PHONE_TEMPLATES, lambda i: (_phone(rng), False))

    def email(i):
        f, s = _fold(rng.choice(firsts)), _fold(rng.choice(surnames))
        return rng.choice([f"{f}.{s}", f"{f}{s[0]}", f"{f}_{rng.randint(1, 99)}"]) + "@" + rng.choice(DOMAINS), False
    plant("e-postadress", EMAIL_TEMPLATES, email)

    phones = authority_phones(ROOT / "corpus") or ["08-508 25 471"]
    for kind, values, templates in (("diarienummer", CASE_NUMBERS, LOOKALIKE_TEMPLATES),
                                    ("lagrum", LAW_REFERENCES, LOOKALIKE_TEMPLATES),
                                    ("datum", DATES, LOOKALIKE_TEMPLATES),
                                    ("belopp", AMOUNTS, LOOKALIKE_TEMPLATES),
                                    ("myndighetens telefon", phones, LOOKALIKE_TEMPLATES),
                                    ("versalord", CAPITALISED, CAPITALISED_TEMPLATES)):
        for i in range(60):
            ti = rng.randrange(len(templates))
            value = values[i % len(values)]
            items.append({"kind": kind, "value": value, "text": templates[ti].format(v=value),
                          "split": split_of(templates, ti), "expect": "keep"})
    return items


def corpus_redactor(corpus: Path = ROOT / "corpus") -> Redactor:
    return Redactor.from_texts(p.read_text(encoding="utf-8") for p in sorted(corpus.iterdir()))


def _removed(value: str, redacted: str) -> bool:
    """No word or number of the planted value is left in the text."""
    parts = [p for p in re.split(r"[\s,]+", value) if len(p) >= 2]
    if any(re.search(rf"(?<!\w){re.escape(p)}(?!\w)", redacted) for p in parts):
        return False
    digits = re.sub(r"\D", "", value)
    return not (len(digits) >= 6 and digits in re.sub(r"\D", "", redacted))


_TOKEN_KIND = {"personnummer": "personnummer", "samordningsnummer": "personnummer",
               "felskrivet personnummer": "personnummer", "namn": "namn", "adress": "adress",
               "telefonnummer": "telefonnummer", "e-postadress": "e-postadress"}
_ITEM_KIND = {"personnummer felskrivet": "personnummer", "samordningsnummer": "personnummer"}


def precision(items: list[dict], redactor: Redactor) -> dict:
    """Per kind of redaction: the share of removed spans that lie inside a planted item.

    Items with the same "sentence" share one text (the independent set): its spans are counted
    once, each against all the planted items of that sentence."""
    counts: dict = {}
    sentences: dict = {}
    for n, item in enumerate(items):
        sentences.setdefault(item.get("sentence", ("item", n)), []).append(item)
    for group in sentences.values():
        text, planted = group[0]["text"], []
        for item in group:
            if item["expect"] == "redact":
                start = text.find(item["value"])
                end = start + len(item["value"])
                end += text[end:end + 1] == "s"  # the genitive "Kalles" goes with the name
                planted.append((start, end, _ITEM_KIND.get(item["kind"], item["kind"])))
        for a, b, kind in redactor.spans(text):
            kind = _TOKEN_KIND[kind]
            row = counts.setdefault(kind, [0, 0])
            row[1] += 1
            # a mobile number written as ten digits may be labelled either way: still right
            row[0] += any(start >= 0 and a >= start and b <= end and (
                p == kind or {p, kind} <= {"personnummer", "telefonnummer"}) for start, end, p in planted)
    return {k: {"spans": n, "precision": round(ok / n, 3)} for k, (ok, n) in counts.items()}


def measure(items: list[dict], redactor: Redactor, splits: tuple = ("dev", "held-out", "all")) -> dict:
    """{split: {kind: {"n", "recall" | "wrongly_redacted", "misses": [...]}}}"""
    out: dict = {}
    for split in splits:
        chosen = [i for i in items if split == "all" or i["split"] == split]
        out.setdefault(split, {})["precision"] = precision(chosen, redactor)
    for item in items:
        text, _ = redactor.redact(item["text"])
        for split in (item["split"], "all"):
            if split not in splits:
                continue
            row = out.setdefault(split, {}).setdefault(item["kind"], {"n": 0, "ok": 0, "misses": []})
            row["n"] += 1
            if item["expect"] == "redact":
                ok = _removed(item["value"], text)
            else:
                ok = item["value"] in text
            row["ok"] += ok
            if not ok and len(row["misses"]) < 5:
                row["misses"].append(text)
    for split in out.values():
        for kind, row in split.items():
            if kind == "precision":
                continue
            planted = kind not in LOOKALIKE_KINDS
            rate = row["ok"] / row["n"]
            row["recall" if planted else "wrongly_redacted"] = round(rate if planted else 1 - rate, 3)
        keep = [r for k, r in split.items() if k in LOOKALIKE_KINDS]
        if keep:
            n = sum(r["n"] for r in keep)
            split["look-alikes overall"] = {"n": n, "wrongly_redacted":
                                            round(1 - sum(r["ok"] for r in keep) / n, 3)}
    return out


LOOKALIKE_KINDS = {"diarienummer", "lagrum", "datum", "belopp", "myndighetens telefon", "versalord"}
PLANTED_KINDS = {"personnummer", "samordningsnummer", "namn", "adress", "telefonnummer", "e-postadress"}
_KIND_ORDER = ["personnummer", "personnummer felskrivet", "samordningsnummer", "namn", "adress", "telefonnummer",
               "e-postadress", "diarienummer", "lagrum", "datum", "belopp", "myndighetens telefon", "versalord"]


# -- the independent set (evals/data/privacy_independent.yaml) -----------------------------------
def luhn_ok(number: str) -> bool:
    """The check digit of a personnummer or samordningsnummer, in any written form, is right."""
    digits = re.sub(r"\D", "", number)[-10:]
    return len(digits) == 10 and _luhn_digit(digits[:9]) == digits[9]


def load_independent(path: Path = INDEPENDENT) -> list[dict]:
    """The sentences {text, planted: [{kind, value}], lookalikes: [...]}; fails on a bad entry."""
    import yaml

    sentences = yaml.safe_load(path.read_text(encoding="utf-8"))
    for s in sentences:
        for key, kinds in (("planted", PLANTED_KINDS), ("lookalikes", LOOKALIKE_KINDS)):
            for entry in s.get(key) or []:
                if entry["kind"] not in kinds:
                    raise ValueError(f"{path.name}: unknown {key} kind {entry['kind']!r} in {s['text']!r}")
                if entry["value"] not in s["text"]:
                    raise ValueError(f"{path.name}: {entry['value']!r} is not in {s['text']!r}")
    return sentences


def independent_items(sentences: list[dict]) -> list[dict]:
    """One item per value, as generate() makes them; a personnummer with a wrong check digit
    is a "personnummer felskrivet", and the items of one sentence share its number."""
    items = []
    for n, s in enumerate(sentences):
        for key, expect in (("planted", "redact"), ("lookalikes", "keep")):
            for entry in s.get(key) or []:
                kind = entry["kind"]
                if kind == "personnummer" and not luhn_ok(entry["value"]):
                    kind = "personnummer felskrivet"
                items.append({"kind": kind, "value": entry["value"], "text": s["text"],
                              "split": "independent", "expect": expect, "sentence": n})
    return sorted(items, key=lambda i: _KIND_ORDER.index(i["kind"]))  # rows in the splits' order


def measure_independent(redactor: Redactor, path: Path = INDEPENDENT) -> dict:
    """{kind: {"n", "recall" | "wrongly_redacted", "misses"}, "precision": {...}}, as for a split."""
    items = independent_items(load_independent(path))
    return measure(items, redactor, splits=("independent",))["independent"]


def real_questions(redactor: Redactor, suite: Path = ROOT / "evals" / "suites" / "handbok.yaml") -> dict:
    """Staff questions of the bundled suite (no personal data in them): how many get changed."""
    import yaml

    data = yaml.safe_load(suite.read_text(encoding="utf-8"))
    questions = [q["question"] if isinstance(q, dict) else q for q in data.get("questions", [])]
    changed = [redactor.redact(q)[0] for q in questions if redactor.redact(q)[1]]
    return {"n": len(questions), "changed": len(changed),
            "rate": round(len(changed) / max(1, len(questions)), 3), "examples": changed[:10]}


def _print_block(title: str, block: dict, misses: bool) -> None:
    print(f"== {title}")
    for kind, row in block.items():
        if kind == "precision":
            continue
        metric = "recall" if "recall" in row else "wrongly_redacted"
        print(f"  {kind:26} n={row['n']:4}  {metric} {row[metric]:.3f}")
        if misses:
            for m in row.get("misses", []):
                print(f"      {m}")
    print("  precision (share of removed spans that were planted items):")
    for kind, row in block["precision"].items():
        print(f"    {kind:24} spans={row['spans']:4}  precision {row['precision']:.3f}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m evals.privacy", description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=14)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--misses", action="store_true", help="Show up to 5 failures per kind.")
    ap.add_argument("--final", action="store_true",
                    help="Also measure the final held-out set (for reporting, never while tuning).")
    args = ap.parse_args(argv)
    items = generate(args.seed)
    redactor = corpus_redactor()
    result = measure(items, redactor)
    result["real questions"] = real_questions(redactor)
    result["independent"] = measure_independent(redactor)
    if args.final:
        result["final"] = measure_independent(redactor, FINAL)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=1))
        return 0
    for split in ("dev", "held-out", "all"):
        _print_block(split, result[split], args.misses)
    real = result["real questions"]
    print(f"== real staff questions (evals/suites/handbok.yaml, no personal data): "
          f"{real['changed']}/{real['n']} changed ({real['rate']:.3f})")
    if args.misses:
        for m in real["examples"]:
            print(f"      {m}")
    _print_block(f"independent ({INDEPENDENT.relative_to(ROOT)})", result["independent"], args.misses)
    if args.final:
        _print_block(f"final ({FINAL.relative_to(ROOT)})", result["final"], args.misses)
    return 0


if __name__ == "__main__":
    sys.exit(main())
