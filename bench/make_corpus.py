"""Generate a news-like corpus about several armed conflicts, from our own templates (no real articles).

    python bench/make_corpus.py --docs 2000 --out bench/results/corpus

Writes JSONL shards (``corpus-0000.jsonl`` ...; 250 documents each, well under the ingest size limit)
with ``doc_id, title, outlet, published, url, text``. Deterministic for a given ``--seed``.
Documents arrive in publication order, about ``DOCS_PER_DAY`` a day, as from a feed: a longer
corpus covers a longer period at the same rate (``CORPUS_VERSION`` names this layout).
Documents vary from a 3-paragraph flash to a ~35-paragraph feature, mix narration, attributed claims,
denials, direct quotes, casualty counts, relative dates and background filler, and ~4 % are wire
reprints of an earlier story under another outlet (what fusion sees in real feeds).
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import random
from pathlib import Path

CONFLICTS = {
    "ukraine": {
        "places": ["Bakhmut", "Avdiivka", "Kupiansk", "Lyman", "Kherson", "Pokrovsk", "Vuhledar", "Robotyne",
                   "Chasiv Yar", "Toretsk", "Kharkiv", "Zaporizhzhia", "Kramatorsk", "Izium", "Soledar"],
        "region": ["Donetsk region", "Kharkiv region", "Zaporizhzhia region", "Kherson region", "Luhansk region"],
        "sides": [("Ukrainian forces", "Ukraine's General Staff", "Colonel Oleksandr Havryliuk, a military spokesman"),
                  ("Russian troops", "the Russian Defence Ministry", "Major General Igor Sokolov, a ministry spokesman")],
        "units": ["the 93rd Mechanised Brigade", "marines", "airborne units", "assault detachments", "territorial defence units"],
        "weapons": ["artillery", "glide bombs", "Shahed drones", "cluster munitions", "multiple rocket launchers"],
        "country": "Ukraine", "start": dt.date(2022, 9, 1),
    },
    "sudan": {
        "places": ["El Fasher", "Wad Madani", "Omdurman", "Khartoum North", "Nyala", "El Obeid", "Sennar",
                   "Babanusa", "Zalingei", "El Geneina"],
        "region": ["North Darfur", "Gezira state", "Khartoum state", "South Kordofan", "West Darfur"],
        "sides": [("the Sudanese Armed Forces", "the army command", "Brigadier Nabil Abdallah, the army spokesman"),
                  ("the Rapid Support Forces", "the RSF media office", "a senior RSF commander")],
        "units": ["infantry columns", "paramilitary fighters", "allied militias", "armoured units"],
        "weapons": ["drones", "heavy artillery", "air strikes", "mortars"],
        "country": "Sudan", "start": dt.date(2023, 4, 15),
    },
    "syria": {
        "places": ["Aleppo", "Hama", "Homs", "Idlib", "Saraqib", "Maarat al-Numan", "Khan Sheikhoun", "Manbij"],
        "region": ["Aleppo province", "Idlib province", "Hama province", "the northern countryside"],
        "sides": [("Hayat Tahrir al-Sham fighters", "the opposition operations room", "Hassan Abdul Ghani, an opposition commander"),
                  ("Syrian government forces", "the Syrian army general command", "a Syrian military source")],
        "units": ["rebel columns", "elite units", "allied militias", "special forces"],
        "weapons": ["air strikes", "barrel bombs", "rocket fire", "suicide drones"],
        "country": "Syria", "start": dt.date(2024, 11, 27),
    },
    "drc": {
        "places": ["Goma", "Bukavu", "Sake", "Rubaya", "Minova", "Kitshanga", "Rutshuru", "Masisi"],
        "region": ["North Kivu", "South Kivu", "Masisi territory", "Rutshuru territory"],
        "sides": [("M23 rebels", "the M23 leadership", "Lawrence Kanyuka, the rebel spokesman"),
                  ("the Congolese army", "the FARDC command", "General Sylvain Ekenge, the army spokesman")],
        "units": ["rebel units", "FARDC battalions", "Wazalendo militias", "UN peacekeepers"],
        "weapons": ["mortar fire", "heavy weapons", "drones", "artillery"],
        "country": "DR Congo", "start": dt.date(2025, 1, 10),
    },
    "myanmar": {
        "places": ["Lashio", "Myawaddy", "Sittwe", "Hsenwi", "Kyaukme", "Laukkai", "Bhamo", "Kutkai"],
        "region": ["northern Shan state", "Kayin state", "Rakhine state", "Kachin state"],
        "sides": [("the Myanmar National Democratic Alliance Army", "the MNDAA", "an MNDAA spokesperson"),
                  ("junta troops", "the military council", "Major General Zaw Min Tun, the junta spokesman")],
        "units": ["resistance forces", "army battalions", "allied ethnic armies", "militia units"],
        "weapons": ["air strikes", "drones", "artillery", "landmines"],
        "country": "Myanmar", "start": dt.date(2024, 7, 1),
    },
    "sahel": {
        "places": ["Kidal", "Timbuktu", "Gao", "Menaka", "Tessalit", "Anefis", "Ber", "Boni"],
        "region": ["northern Mali", "the Menaka region", "the Timbuktu region", "central Mali"],
        "sides": [("Malian soldiers and Russian mercenaries", "the Malian army", "Colonel Souleymane Dembele, an army spokesman"),
                  ("Tuareg-led rebels", "the rebel coalition", "Mohamed Elmaouloud Ramadane, a rebel spokesman")],
        "units": ["army convoys", "rebel fighters", "jihadist groups", "drone teams"],
        "weapons": ["drone strikes", "ambushes", "improvised explosive devices", "mortars"],
        "country": "Mali", "start": dt.date(2023, 10, 2),
    },
}
OUTLETS = ["Frontline Wire", "Daily Dispatch", "Global Desk", "The Observer Post", "Regional Monitor",
           "Evening Ledger", "Conflict Brief", "World Report", "Kyiv Courier", "Horn Herald", "Levant Today",
           "Great Lakes Echo"]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
WHEN = ["on {day}", "late on {day}", "overnight", "early on {day}", "on {day} morning", "yesterday", "this week",
        "last week", "on {date}"]
CAPTURE = ["captured", "took control of", "seized", "entered", "recaptured", "liberated", "pushed into"]
RETREAT = ["withdrew from", "pulled back from", "retreated from", "abandoned positions around"]
SAY = ["said", "said in a statement", "told reporters", "said on Telegram", "claimed", "reported", "announced"]
NUMBERS = ["two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "a dozen", "12", "15", "18", "21",
           "27", "31", "40", "more than 50"]

NARRATION = [
    "{a} {capture} {place} {when}, {src_a} {say}.",
    "{a} have {capture} the town of {place} in {region} after weeks of fighting, according to {src_a}.",
    "Fighting raged around {place} {when} as {a} tried to advance from the south and east.",
    "{b} {retreat} {place} {when} to avoid encirclement, {src_b} {say}.",
    "{src_b} denied that {place} had fallen, saying its troops were still holding the town centre.",
    "Satellite images reviewed by {outlet} show heavy damage to the centre of {place}.",
    "{a} shelled {place} {when} with {weapon}, killing {num} civilians and wounding dozens, local officials said.",
    "At least {num} people were killed when {weapon} hit a market in {place}, the regional governor said.",
    "{b} said they had destroyed {num} armoured vehicles near {place} {when}.",
    "{a} launched a new offensive towards {place2} {when}, using {units} supported by {weapon}.",
    "The claim could not be independently verified by {outlet}.",
    "{src_a} said {b} had suffered heavy losses near {place2}, including {num} tanks.",
    "Residents of {place} said the sound of {weapon} had not stopped for three days.",
    "{a} now control most of {region}, analysts said, although fighting continues near {place2}.",
    "{src_b} {say} that its forces had repelled {num} attacks near {place} in the past 24 hours.",
    "Thousands of civilians fled {place} towards {place2} {when}, aid agencies said.",
    "{b} blew up a bridge outside {place} to slow the advance, {src_a} said.",
    "Electricity and water were cut in {place} after strikes on the power station {when}.",
]
QUOTES = [
    '"{place} is under our full control," {speaker} said.',
    '"We have not left {place}, and we will not leave it," {speaker_b} told {outlet}.',
    '"The situation around {place} is difficult but stable," {speaker} said in a video address.',
    '"Our units are advancing on several axes towards {place2}," {speaker} said.',
    '"Reports that {place} has fallen are false," {speaker_b} said on {day}.',
    '"People are sheltering in basements with no water and no medicine," a doctor in {place} told {outlet}.',
]
BACKGROUND = [
    "The conflict in {country} has displaced millions of people and left large areas without basic services.",
    "Humanitarian organisations have repeatedly called for safe corridors to evacuate civilians from front-line towns.",
    "The United Nations said it was deeply concerned by reports of attacks on civilian infrastructure.",
    "Diplomatic efforts to agree a ceasefire have so far made little progress, and talks are not expected to resume soon.",
    "Military analysts say control of the road network in {region} is key to supplying troops further along the front.",
    "Prices of bread and fuel have more than doubled in the region since the fighting intensified.",
    "Aid convoys have been unable to reach {place2} for more than a month, according to relief workers.",
    "The town had a population of about {pop} before the war, most of whom have since left.",
    "Both sides regularly make claims about battlefield gains that are difficult to verify independently.",
    "Independent journalists have limited access to the front line, and communications are often cut.",
    "Officials in {country} have appealed to foreign partners for more air defence systems and ammunition.",
    "Winter rain has turned many of the dirt roads in {region} into mud, slowing the movement of heavy equipment.",
]


def sentence(rng: random.Random, template: str, c: dict, published: dt.date, outlet: str) -> str:
    side_a, side_b = rng.sample(c["sides"], 2)
    place, place2 = rng.sample(c["places"], 2)
    day_offset = rng.randint(1, 6)
    date = published - dt.timedelta(days=day_offset)
    when = rng.choice(WHEN).format(day=WEEKDAYS[date.weekday()], date=f"{date.day} {date:%B}")
    text = template.format(
        a=side_a[0], b=side_b[0], src_a=side_a[1], src_b=side_b[1], speaker=side_a[2], speaker_b=side_b[2],
        place=place, place2=place2, region=rng.choice(c["region"]), when=when, day=WEEKDAYS[date.weekday()],
        capture=rng.choice(CAPTURE), retreat=rng.choice(RETREAT), say=rng.choice(SAY), outlet=outlet,
        weapon=rng.choice(c["weapons"]), units=rng.choice(c["units"]), num=rng.choice(NUMBERS),
        country=c["country"], pop=f"{rng.randint(8, 120) * 1000:,}")
    return text[0].upper() + text[1:]


def paragraph(rng: random.Random, c: dict, published: dt.date, outlet: str) -> str:
    kind = rng.random()
    pool = NARRATION if kind < 0.55 else QUOTES if kind < 0.75 else BACKGROUND
    n = rng.choice((1, 2, 2, 3))
    return " ".join(sentence(rng, rng.choice(pool), c, published, outlet) for _ in range(n))


def n_paragraphs(rng: random.Random) -> int:
    """Mostly short wire items, some mid-length reports, a tail of long features."""
    r = rng.random()
    return rng.randint(3, 6) if r < 0.35 else rng.randint(7, 16) if r < 0.8 else rng.randint(17, 34)


CORPUS_VERSION = "2 (feed order, 5 documents a day)"
DOCS_PER_DAY = 5      # the feed's rate: a longer corpus covers a longer period, not a denser one


def make_document(rng: random.Random, i: int) -> dict:
    name = rng.choice(list(CONFLICTS))
    c = CONFLICTS[name]
    # documents arrive in publication order, as from a feed (a day or two of jitter)
    published = c["start"] + dt.timedelta(days=i // DOCS_PER_DAY + rng.randint(0, 2))
    outlet = rng.choice(OUTLETS)
    paras = [sentence(rng, rng.choice(NARRATION[:5]), c, published, outlet)]
    paras += [paragraph(rng, c, published, outlet) for _ in range(n_paragraphs(rng) - 1)]
    title = sentence(rng, rng.choice(NARRATION[:4]), c, published, outlet).rstrip(".")
    return {"doc_id": f"{name}-{i:06d}", "title": title, "outlet": outlet, "published": published.isoformat(),
            "url": f"https://news.example.org/{name}/{i:06d}", "text": "\n\n".join(paras)}


def generate(n: int, seed: int = 7):
    """Yield ``n`` documents (dicts); about 4 % are reprints of an earlier one by another outlet."""
    rng = random.Random(seed)
    recent: list[dict] = []
    for i in range(n):
        if recent and rng.random() < 0.04:
            src = rng.choice(recent)
            outlet = rng.choice([o for o in OUTLETS if o != src["outlet"]])
            yield {**src, "doc_id": f"wire-{i:06d}", "outlet": outlet,
                   "url": f"https://wire.example.net/{i:06d}", "text": src["text"] + f"\n\n(Reporting by {outlet} staff.)"}
            continue
        doc = make_document(rng, i)
        recent = (recent + [doc])[-50:]
        yield doc


def write_corpus(out: Path, n: int, seed: int = 7, shard: int = 250) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("corpus-*.jsonl"):
        old.unlink()
    paths: list[Path] = []
    fh = None
    for i, doc in enumerate(generate(n, seed)):
        if i % shard == 0:
            if fh:
                fh.close()
            paths.append(out / f"corpus-{i // shard:04d}.jsonl")
            fh = paths[-1].open("w", encoding="utf-8")
        fh.write(json.dumps(doc, ensure_ascii=False) + "\n")
    if fh:
        fh.close()
    return paths


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=2000)
    ap.add_argument("--out", type=Path, default=Path("bench/results/corpus"))
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    paths = write_corpus(args.out, args.docs, args.seed)
    size = sum(p.stat().st_size for p in paths)
    print(f"{args.docs} documents in {len(paths)} shards under {args.out} ({size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
