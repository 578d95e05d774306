"""Language identification (skip, never mine, non-English) and publication dates (file, option, inferred)."""
from __future__ import annotations

from pathlib import Path

import pytest

from sitrep.ingest import read_paths
from sitrep.ingest.lang import detect_language
from sitrep.ingest.metadata import infer_published, normalise_date
from sitrep.options import Options

DATA = Path(__file__).parent / "data" / "ingest"


def read_one(path, **options):
    (doc,) = read_paths([path], Options(**options))
    return doc


# --- language -------------------------------------------------------------------------------------

@pytest.mark.parametrize("name, code", [("russian.txt", "ru"), ("french.txt", "fr")])
def test_non_english_text_is_skipped_with_reason_and_kept_unmined(name, code):
    doc = read_one(DATA / name)
    assert doc.status == "skipped"
    assert doc.lang == code
    assert doc.reason == f"SR112 not English ({code})"
    assert doc.text  # kept for the record, never mined (no content hash: not an ok document)
    assert doc.content_hash is None


def test_english_text_is_ok_with_lang_en():
    doc = read_one(DATA / "wire_site_a.txt")
    assert (doc.status, doc.lang) == ("ok", "en")


def test_languages_option_admits_other_languages():
    doc = read_one(DATA / "french.txt", languages=("en", "fr"))
    assert (doc.status, doc.lang) == ("ok", "fr")
    doc = read_one(DATA / "russian.txt", languages=("en", "fr"))
    assert doc.status == "skipped" and doc.reason == "SR112 not in en, fr (ru)"


@pytest.mark.parametrize("text, code", [
    ("Ukrainian troops entered Lyman on Saturday.", "en"),
    ("Zelensky: counteroffensive continues in Kherson region", "en"),
    ("Українські війська увійшли до Лимана в суботу.", "uk"),
    ("Украинские войска вошли в Лиман в субботу.", "ru"),
    ("Die ukrainischen Truppen haben Lyman am Samstag erreicht.", "de"),
    ("Kyiv update.", None),  # too short to tell
])
def test_short_texts_are_identified_or_left_unknown(text, code):
    assert detect_language(text) == code


ENGLISH_REPORT = (
    "Government troops said on Monday that they had retaken the market town after two days of fighting, "
    "and residents who fled to the hills began to return. The army, which has been fighting the rebels "
    "since the spring, said its units were clearing the roads that lead to the river crossing. A local "
    "official told reporters that the hospital had been damaged and that food was running short.")
DUTCH_WITH_ENGLISH_NAMES = (
    "Regeringstroepen zeiden maandag dat zij de stad na twee dagen van gevechten hebben heroverd. Het leger, "
    "dat sinds het voorjaar tegen de rebellen vecht, meldde dat de wegen naar de rivier worden vrijgemaakt. "
    "Een woordvoerder van The Times en The Guardian zei dat het ziekenhuis was beschadigd.")
POLISH = ("Wojska rządowe poinformowały w poniedziałek, że po dwóch dniach walk odbiły miasto. To jest ważne, "
          "powiedział urzędnik, a mieszkańcy wracają do domów. Szpital został uszkodzony i brakuje żywności.")


def test_plain_english_prose_skips_the_detector(monkeypatch):
    from sitrep.ingest import lang

    monkeypatch.setattr(lang, "_detector", lambda extra=(): pytest.fail("the detector ran on plain English"))
    assert detect_language(ENGLISH_REPORT) == "en"


@pytest.mark.parametrize("text, code", [(DUTCH_WITH_ENGLISH_NAMES, "nl"), (POLISH, "pl")])
def test_other_languages_sharing_a_few_english_words_still_go_to_the_detector(text, code):
    from sitrep.ingest import lang

    assert not lang.plainly_english(text)
    assert detect_language(text) == code


def test_the_english_shortcut_agrees_with_the_detector_on_every_fixture():
    from sitrep.ingest import lang

    texts = [p.read_text(encoding="utf-8", errors="replace")[:lang.SAMPLE_CHARS]
             for p in sorted(Path(__file__).parent.glob("data/**/*.txt"))]
    shortcut = [t for t in texts if lang.plainly_english(t)]
    assert len(shortcut) >= 20
    detector = lang._detector()
    assert {detector.detect_language_of(t).iso_code_639_1.name.lower() for t in shortcut} == {"en"}


# --- dates from the file ----------------------------------------------------------------------------

@pytest.mark.parametrize("value, expected", [
    ("2022-10-04", "2022-10-04"),
    ("2022-10-04T23:30:00-05:00", "2022-10-04"),  # the date as written, not shifted to UTC
    ("Tue, 04 Oct 2022 23:30:00 -0500", "2022-10-04"),
    ("October 4, 2022", "2022-10-04"),
    ("Oct. 4, 2022 10:32 a.m. EDT", "2022-10-04"),
    ("4 October 2022", "2022-10-04"),
    ("Sat 8 Oct 2022 14.02 BST", "2022-10-08"),
    ("2022/10/04", "2022-10-04"),
    ("24/02/2022", "2022-02-24"),
    (1664841600, "2022-10-04"),
    (1664841600000, "2022-10-04"),  # epoch milliseconds
    ("04/10/2022", None),  # day-first or month-first? unknown
    ("October 2022", None),
    ("Tuesday", None),
    ("yesterday", None),
    ("2022-13-01", None),
    ("", None),
    (None, None),
])
def test_file_dates_are_normalised_to_iso(value, expected):
    assert normalise_date(value) == expected


# --- inferred dates -----------------------------------------------------------------------------------

def test_dated_line_gives_the_date_and_says_so():
    assert infer_published("Headline\n\nPublished 4 October 2022\n\nTroops advanced on Monday.") == (
        "2022-10-04", "dated line 'Published 4 October 2022'")


def test_published_line_beats_updated_line():
    text = "Headline\nUpdated 6 October 2022, 10:32 BST\nFirst published 4 October 2022\n\nText."
    assert infer_published(text)[0] == "2022-10-04"


def test_label_on_the_line_before_the_date_counts():
    text = "Headline\n\nUpdated\n6 October 2022\nPublished\n4 October 2022\n\nText."
    assert infer_published(text)[0] == "2022-10-04"


def test_two_different_dated_lines_of_the_same_kind_give_no_date():
    assert infer_published("Published 4 October 2022\n\nText.\n\nPublished 6 October 2022") is None


def test_wire_dateline_with_year():
    text = "KYIV, Ukraine, Oct. 4, 2022 (AP) — Ukrainian forces recaptured more villages in the south."
    assert infer_published(text) == ("2022-10-04", "dateline 'KYIV, Ukraine, Oct. 4, 2022 (AP) —'")


def test_wire_dateline_without_year_needs_exactly_one_year_in_the_text():
    dated = "KYIV, Oct 4 (Reuters) - Ukrainian forces pressed on. The war began in February 2022."
    assert infer_published(dated) == ("2022-10-04", "dateline 'KYIV, Oct 4 (Reuters) -'")
    two_years = "KYIV, Oct 4 (Reuters) - Fighting began in 2014 and escalated in 2022."
    assert infer_published(two_years) is None
    no_year = "KYIV, Oct 4 (Reuters) - Ukrainian forces pressed on."
    assert infer_published(no_year) is None


def test_month_day_consistent_with_weekday_mentions_anchors_the_week():
    text = ("Rockets were fired toward Russian positions on Oct. 4. Putin signed the papers on Wednesday; "
            "on Tuesday the upper house voted; on Monday villages fell. The war began in 2022.")
    date, why = infer_published(text)
    assert date == "2022-10-05"  # Oct. 4, 2022 was a Tuesday; the latest weekday mentioned is Wednesday
    assert why == "'Oct. 4' (Tuesday) + latest weekday mentioned (Wednesday)"


def test_month_day_without_a_known_year_is_not_guessed():
    text = "Rockets were fired on Oct. 4. Putin signed the papers on Wednesday; on Tuesday the upper house voted."
    assert infer_published(text) is None


def test_date_whose_weekday_is_never_mentioned_is_not_an_anchor():
    text = "The invasion began on Feb. 24, 2022. On Monday, troops advanced."  # Feb. 24, 2022 was a Thursday
    assert infer_published(text) is None


def test_words_that_start_like_months_are_not_dates():
    assert infer_published("On Friday 4 Marines and 12 Junta officers were seen. Published in 2022.") is None


def test_written_weekday_must_match_the_date():
    assert infer_published("On Friday, Oct. 4, 2022, troops advanced.") is None  # it was a Tuesday
    assert infer_published("On Tuesday, Oct. 4, 2022, troops advanced.")[0] == "2022-10-04"


def test_inferred_date_is_recorded_on_the_document(tmp_path):
    f = tmp_path / "dated.txt"
    f.write_text("Lyman retaken\n\nPublished 2 October 2022\n\nUkrainian troops entered Lyman on Saturday "
                 "after Russian forces withdrew, officials said.", encoding="utf-8")
    doc = read_one(f)
    assert doc.published == "2022-10-02"
    assert doc.published_source == "inferred: dated line 'Published 2 October 2022'"
    assert "Published" not in doc.text  # the dated line itself is boilerplate
    assert read_one(f, infer_dates=False).published is None
    assert read_one(f, published="2022-10-03").published_source == "option"


def test_dates_of_related_stories_below_the_article_are_ignored():
    doc = read_one(DATA / "bbc_like.txt")  # "Published 3 October 2022" belongs to a related story
    assert doc.published == "2022-10-04"
    assert doc.published_source == "inferred: dated line '4 October 2022'"


def test_seeds_without_a_year_get_no_inferred_date(seeds_dir):
    docs = list(read_paths([seeds_dir], Options()))
    assert docs and all(d.published is None and d.published_source is None for d in docs)
    docs = list(read_paths([seeds_dir], Options(published="2022-10-05")))
    assert all((d.published, d.published_source) == ("2022-10-05", "option") for d in docs)
