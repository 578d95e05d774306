"""Boilerplate removal: the two reference seeds, our own site-like fixtures, and the rules."""
from __future__ import annotations

from pathlib import Path

import pytest

from sitrep.errors import OptionsError
from sitrep.ingest import read_paths
from sitrep.ingest.clean import clean_text, load_rules, normalise_whitespace
from sitrep.options import Options

DATA = Path(__file__).parent / "data" / "ingest"
SEED_BOILERPLATE = ("Skip to main content", "Open this photo in gallery", "Getty Images", "(Picture:", "Watch:",
                    "Follow related authors", "Interact with The Globe", "Authors and topics you follow")
SEED_004_CAPTION = ("Ukrainian servicemen on patrol, as Russia's attack on Ukraine continues, in the town of "
                    "Izium, liberated by Ukrainian Armed Forces")


def clean_file(path: Path, **options) -> str:
    (doc,) = read_paths([path], Options(**options))
    assert doc.status == "ok", doc.reason
    return doc.text


def paragraphs(text: str) -> list[str]:
    return text.split("\n\n")


# --- the reference seeds ------------------------------------------------------------------------

def test_seeds_lose_every_boilerplate_line_and_keep_the_real_sentences(seeds_dir):
    docs = {d.doc_id: d for d in read_paths([seeds_dir], Options())}
    assert len(docs) >= 2 and all(d.status == "ok" and d.lang == "en" for d in docs.values())
    for doc in docs.values():
        for junk in SEED_BOILERPLATE:
            assert junk not in doc.text, (doc.doc_id, junk)
    globe = docs["000_b9aa98d70e050918"].text
    assert "Mr. Peskov was asked if there was a contradiction" in globe
    assert globe.endswith("would not end if Kyiv ruled out talks.")
    # the photo caption keeps its facts (Kharkiv region) but loses its credit, and stands alone
    caption = ("A rocket is launched from a truck-mounted multiple rocket launcher toward Russian positions "
               "in Kharkiv region, on Oct. 4.")
    assert globe.startswith(caption + "\n\nRussian President Vladimir Putin signed documents")
    assert globe.count("A rocket is launched") == 1 and "CHIBA" not in globe
    metro = docs["004_8e7774997607d8a4"].text
    assert "In Lyman, an eastern town liberated after more than four months of Russian occupation" in metro
    assert metro.count(SEED_004_CAPTION) == 1  # four copies (two with a credit) -> one paragraph
    assert metro.startswith(SEED_004_CAPTION + "\n\nUkraine pushes frontline back 20km as Putin signs final "
                            "annexation papers\n\n")
    assert "\nRussia\n" not in metro and not metro.startswith("Russia\n")  # the section label
    assert "urban warfare expert says" not in metro
    assert metro.endswith("including nuclear weapons.")


def test_seed_lines_survive_verbatim_so_offsets_match_the_source(seeds_dir):
    raw = (seeds_dir / "000_b9aa98d70e050918.txt").read_text(encoding="utf-8")
    cleaned = clean_text(raw)
    for para in paragraphs(cleaned):
        assert para in raw


# --- our own fixtures ---------------------------------------------------------------------------

def test_bbc_like_page_loses_captions_sources_related_topics_and_footer():
    text = clean_file(DATA / "bbc_like.txt")
    assert paragraphs(text) == [
        "Ukraine war: Kyiv's forces retake villages in the south",
        "Ukraine says its troops have retaken several villages in the southern Kherson region, in the fastest "
        "advance there since the invasion began in February.",
        "Officials in Kyiv said the flag had been raised again over the village of Novovoskresenske, on the "
        "west bank of the Dnipro.",
        "Russia's defence ministry acknowledged on Monday that its forces had pulled back to \"more "
        "advantageous defensive lines\".",
        "The advance came as Russia's upper house of parliament ratified the annexation of four Ukrainian "
        "regions, a move Kyiv and its Western allies call illegal.",
        "President Volodymyr Zelensky said in his nightly address that dozens of settlements had been freed "
        "in the regions Moscow claims as its own.",
    ]


def test_guardian_like_page_loses_photograph_credits_and_topic_footer():
    text = clean_file(DATA / "guardian_like.txt")
    assert "Photograph:" not in text
    assert paragraphs(text) == [
        "Ukrainian soldiers fire a howitzer near the front line in Donetsk province.",
        "Russian commanders pull troops back across the Dnipro, says Ukraine",
        "Ukraine's southern command said on Saturday that Russian units had begun pulling equipment back "
        "across the Dnipro river, after a week of Ukrainian gains on the west bank.",
        "The command said Ukrainian artillery had struck two river crossings used to resupply Russian troops, "
        "and that several ammunition depots had been destroyed.",
        "A resident of a recaptured village holds a Ukrainian flag.",
        "Moscow has not commented on the claims. Russian state media said on Friday that the front line in "
        "Kherson had been \"stabilised\".",
    ]


def test_wire_copy_loses_byline_dateline_credits_promos_and_cookie_banner():
    text = clean_file(DATA / "wire_site_a.txt")
    for junk in ("Skip to main content", "By Reuters Staff", "GMT+3", "Advertisement", "Scroll to continue",
                 "Reporting by", "Thomson Reuters Trust", "Read Next", "iodine", "Sign up", "©", "cookie",
                 "Europe"):
        assert junk not in text, junk
    assert text.startswith("Ukrainian troops push deeper into Kherson region\n\nKYIV, Oct 4 (Reuters) -")
    assert text.endswith("without saying where those borders would run.")


# --- the rules ----------------------------------------------------------------------------------

def test_repeated_real_sentence_is_kept_once():
    text = ("The town fell on Saturday after a week of fighting.\n\n"
            "Officials confirmed the withdrawal.\n\n"
            "The town fell on Saturday after a week of fighting.")
    assert clean_text(text) == ("The town fell on Saturday after a week of fighting.\n\n"
                                "Officials confirmed the withdrawal.")


def test_caption_loses_its_credit_and_is_kept_once():
    caption = "Firefighters work at the site of a missile strike in central Kyiv"
    text = (f"{caption}\n{caption}. Photo: Gleb Garanich/Reuters\n\n"
            "A missile hit the centre of the capital on Monday morning, officials said.\n\n"
            f"{caption}\n\nRescue work continued into the evening.")
    assert clean_text(text) == (f"{caption}.\n\nA missile hit the centre of the capital on Monday morning, officials said.\n\n"
                                "Rescue work continued into the evening.")


def test_short_caption_with_credit_is_dropped_whole():
    text = "Smoke over Kyiv. REUTERS/Valentyn Ogirenko\n\nThe strike hit a power plant, officials said."
    assert clean_text(text) == "The strike hit a power plant, officials said."


@pytest.mark.parametrize("line", [
    "A soldier near Bakhmut. (AP Photo/Libkos)",
    "Smoke rises over the city. REUTERS/Valentyn Ogirenko",
    "Soldiers rest near the front.ANATOLII STEPANOV/AFP via Getty Images",
    "Residents queue for water (Photo: Jane Doe/Anadolu Agency)",
    "Image source, EPA-EFE",
    "Open this photo in gallery:",
    "Watch: What is left of Lyman after the Russian withdrawal",
    "READ MORE: How the counteroffensive unfolded",
    "Share this article",
    "Share on WhatsApp",
    "Advertisement",
    "Sign up for our free World Briefing newsletter",
    "© 2024 Example News Ltd",
    "We use cookies to give you the best experience on our website.",
    "Accept all cookies",
    "Published 4 October 2022",
    "Updated 2 hours ago",
    "With reports from Reuters and the Associated Press",
    "Reporting by Max Hunder; Editing by Tom Hogue",
    "Associated Press writer Hanna Arhirova contributed to this report.",
    "By Jane Writer and John Smith in Kyiv",
    "* * *",
])
def test_boilerplate_line_is_removed(line):
    body = "Ukrainian forces recaptured several villages along the Dnipro River on Monday, officials said."
    assert clean_text(f"{body}\n\n{line}\n\n{body.replace('Monday', 'Tuesday')}") == (
        f"{body}\n\n{body.replace('Monday', 'Tuesday')}")


@pytest.mark.parametrize("line", [
    "By Monday evening, Ukrainian troops had reached the outskirts of the town.",
    "Reuters could not independently verify the report.",
    "The photograph was taken on Tuesday, according to Getty Images editors who checked it.",
    "He said: \"We will return.\"",
    "Watching the convoy pass, residents cheered.",
    "Ukraine war: what we know on day 224",
    "Russia warned of retaliation.",
])
def test_real_sentences_are_kept(line):
    body = "Ukrainian forces recaptured several villages along the Dnipro River on Monday, officials said."
    assert clean_text(f"{body}\n\n{line}") == f"{body}\n\n{line}"


def test_lone_section_labels_and_menus_are_removed_but_short_sentences_stay():
    text = ("World\nEurope\nUkraine war\n\nRussia\n\nUkraine retakes Lyman after Russian withdrawal\n\n"
            "Ukrainian troops entered Lyman on Saturday.\n\nNo.\n\n\"We are home,\" one soldier said.")
    assert clean_text(text) == ("Ukraine retakes Lyman after Russian withdrawal\n\n"
                                "Ukrainian troops entered Lyman on Saturday.\n\nNo.\n\n"
                                "\"We are home,\" one soldier said.")


def test_end_of_article_marker_cuts_the_rest_only_in_the_second_half():
    body = "Ukrainian forces recaptured several villages along the Dnipro River on Monday, officials said."
    early = f"Related Topics\n\n{body}\n\n{body}"
    assert clean_text(early) == f"{body}"  # not cut: the marker is at the top (label rule drops it alone)
    late = f"{body}\n\n{body.replace('Monday', 'Sunday')}\n\nRelated Topics\nKyiv gets iodine pills\nMore"
    assert clean_text(late) == f"{body}\n\n{body.replace('Monday', 'Sunday')}"


def test_whitespace_is_normalised_conservatively():
    raw = "First line.  \r\nSecond\u00a0line.\r\n\r\n\r\n\r\nThird\u200b paragraph.\t \n\n\n"
    assert normalise_whitespace(raw) == "First line.\nSecond line.\n\nThird paragraph."


def test_user_boilerplate_file_extends_the_packaged_patterns(tmp_path):
    extra = tmp_path / "my_boilerplate.yaml"
    extra.write_text("promo:\n  patterns:\n    - 'support independent journalism\\b.*'\n"
                     "house_style:\n  mode: line\n  patterns:\n    - 'kyiv independent staff'\n",
                     encoding="utf-8")
    f = tmp_path / "story.txt"
    body = "Ukrainian forces recaptured several villages along the Dnipro River on Monday, officials said."
    f.write_text(f"Kyiv Independent staff\n\n{body}\n\nSupport independent journalism today.\n\nAdvertisement\n",
                 encoding="utf-8")
    assert clean_file(f, boilerplate_file=extra) == body
    assert "Support independent journalism" in clean_file(f)


def test_boilerplate_yaml_in_an_extra_data_dir_is_merged(tmp_path):
    (tmp_path / "boilerplate.yaml").write_text("footer:\n  patterns:\n    - 'thanks for reading'\n",
                                               encoding="utf-8")
    rules = load_rules(Options(extra_data_dirs=(tmp_path,)))
    assert len(rules.sources) == 2
    assert clean_text("Thanks for reading\n\nUkrainian forces advanced near Lyman on Monday.", rules) == (
        "Ukrainian forces advanced near Lyman on Monday.")


def test_bad_user_pattern_is_a_clear_options_error(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("promo:\n  patterns:\n    - '(unclosed'\n", encoding="utf-8")
    with pytest.raises(OptionsError, match="SR901.*bad pattern"):
        list(read_paths([DATA / "wire_site_a.txt"], Options(boilerplate_file=bad)))
