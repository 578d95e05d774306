"""Claims in wire copy: datelines, postposed attributions, cataphoric ledes, "another",
gerund denials, appositive names, subjects parsed onto auxiliaries, narration tails."""
from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def claims(nlp):
    from sitrep.nlp.pipeline import run

    def _claims(text, published="2024-12-09"):
        ((doc, _ctx),) = list(run(nlp, [(text, {"doc_id": "t", "published": published})]))
        return [(c["speaker"]["name"], c["speaker"]["side"], c["text"]) for c in doc._.claims]

    return _claims


@pytest.mark.parametrize("text, speaker", [
    ("CAIRO (AP) — Sudan's military chief said Monday that his forces had pulled out of El Fasher.", "Sudan's military chief"),
    ("KYIV, Feb 17 (Reuters) - Ukraine's top commander said on Saturday he had ordered troops to withdraw.", "Ukraine's top commander"),
    ("Dec 9 (Reuters) - The Arakan Army said on Monday it had captured the last outpost in Maungdaw.", "Arakan Army"),
    ("BAMAKO, 2 June 2025 (AFP) - The army said its soldiers had repelled the attack on the camp.", "army"),
])
def test_dateline_is_never_the_speaker(claims, text, speaker):
    got = claims(text)
    assert got and got[0][0] == speaker
    assert all("\n" not in name and "(" not in name for name, *_ in got)


def test_speaker_name_never_crosses_a_line_break():
    from sitrep.nlp.claims import clean_speaker_name

    assert clean_speaker_name("Wagner claims Bakhmut\nYevgeny Prigozhin") == "Yevgeny Prigozhin"
    assert clean_speaker_name("KYIV, Feb 17 (Reuters) - Ukraine's top commander") == "Ukraine's top commander"


def test_postposed_attribution_after_a_long_lede(claims):
    got = claims("NAIROBI, Aug 4 (Reuters) - Fighters from the Fano militia have taken control of the town of "
                 "Lalibela in Ethiopia's Amhara region, home to a UNESCO World Heritage site of rock-hewn "
                 "churches, residents told Reuters on Friday.", "2023-08-04")
    assert any(n == "residents" and "taken control of the town of Lalibela" in t for n, _s, t in got)


def test_another_continues_the_previous_unnamed_role(claims):
    got = claims('"They came in yesterday afternoon," said one resident. Another said Fano fighters were '
                 'patrolling the streets.')
    assert any(n == "another resident" and "patrolling the streets" in t for n, _s, t in got)


def test_lede_role_is_named_by_the_next_paragraph(claims):
    got = claims("CAIRO (AP) — Sudan's military chief said Monday that his forces had pulled out of El Fasher.\n\n"
                 'Gen. Abdel Fattah Burhan said in a televised speech that commanders had agreed to withdraw.')
    assert got[0][0] == "Abdel Fattah Burhan" and got[0][1] == "SDN"


def test_the_group_is_the_named_armed_group_not_a_description(claims):
    got = claims("The Arakan Army, one of Myanmar's most powerful ethnic armed groups, said it had captured "
                 "the town. The group said in a statement that its fighters had detained the commander.")
    assert [(n, s) for n, s, _t in got] == [("Arakan Army", "Arakan Army")] * 2


def test_denied_with_a_gerund_is_a_claim(claims):
    got = claims("The RSF denied targeting civilians. Rwanda denies supporting the group.")
    assert ("RSF", "RSF", "targeting civilians") in got
    assert ("Rwanda", "RWA", "supporting the group") in got


def test_report_by_noun_phrase_speaks_for_its_authors(claims):
    got = claims("Rwanda denies it, but a report by UN experts says it has about 4,000 troops in Congo.")
    assert any(n == "UN experts" and "4,000 troops" in t for n, _s, t in got)


def test_appositive_name_replaces_a_role_description(claims):
    got = claims("A war monitor, the Syrian Observatory for Human Rights, said the rebels had seized most of "
                 "the city. Warplanes struck districts of Idlib overnight, the monitor said.")
    assert [n for n, *_ in got] == ["Syrian Observatory for Human Rights"] * 2
    assert all(s is None for _n, s, _t in got)


def test_subject_parsed_onto_auxiliary_still_reports(claims):
    got = claims("Separately, the Arakan Army said its fighters had overrun several military posts in Rakhine "
                 "State last week.")
    assert any(n == "Arakan Army" and "overrun several military posts" in t for n, _s, t in got)


def test_misparsed_subject_after_fronted_phrase(claims):
    got = claims("In the north-east, Kurdish-led forces said they had taken over positions in Deir ez-Zor.")
    assert any("Kurdish-led forces" in n and s == "SDF" for n, s, _t in got)


def test_while_and_handing_tails_are_narration(claims):
    got = claims("Karen rebels said last week they had overrun an army camp, while the Myanmar National "
                 "Democratic Alliance Army took the city of Lashio in August.")
    assert got and "Lashio" not in got[0][2] and got[0][1] == "KNU"
    got = claims("The commander said he had ordered troops to withdraw, handing Russia its biggest gain.")
    assert got and "handing" not in got[0][2]


def test_past_naming_with_a_two_word_quote_is_a_claim(claims):
    got = claims('Egypt\'s Foreign Ministry condemned the takeover, calling it a "dangerous escalation." '
                 'Putin congratulated the troops on what he called an "important victory". '
                 'Moscow calls the war a "special military operation".')
    assert any(n == "Egypt's Foreign Ministry" and "dangerous escalation" in t for n, _s, t in got)
    assert any(n == "Putin" and "important victory" in t for n, _s, t in got)
    assert not any("special military operation" in t for _n, _s, t in got)


def test_postposed_coordinated_speakers_are_cut_from_the_content(claims):
    got = claims("M23 rebels have entered the centre of Bukavu, the capital of South Kivu province, "
                 "residents and a rebel spokesman say.")
    assert got and got[0][0] == "residents and a rebel spokesman" and "residents" not in got[0][2]


def test_coordinated_speech_verb_shares_the_speakers_subject(claims):
    got = claims("Kinshasa acknowledged that the city had been occupied but insisted the army had not been "
                 "defeated. Armenian Prime Minister Nikol Pashinyan said Yerevan had not been involved in the "
                 "agreement and denied that Armenian army units were present in Karabakh.")
    assert any(n == "Kinshasa" and "had not been defeated" in t for n, _s, t in got)
    assert any(n == "Nikol Pashinyan" and "units were present" in t for n, _s, t in got)
    assert not any(n in ("city", "Yerevan") for n, *_ in got)


def test_postposed_they_is_an_organisation_named_before_the_sentence(claims):
    got = claims("The ceasefire took effect at 1:00 pm, the separatist authorities said. Under its terms, "
                 "remaining units of the Armenian army would be disbanded and fully disarmed, they said.")
    assert [n for n, *_ in got] == ["separatist authorities"] * 2


def test_a_surname_that_is_also_a_group_name_is_not_that_person(claims):
    got = claims("SANAA, Yemen (AP) — Yemen's Houthi rebels said Friday they had targeted a U.S. vessel. "
                 "A Houthi official, Mohammed Ali al-Houthi, told Al Jazeera that the strikes would not deter the group.")
    assert got[0][0] == "Yemen's Houthi rebels" and got[0][1] == "Houthis"


def test_relative_clause_report_about_its_head_noun_is_a_claim(claims):
    got = claims("The M23 captured Goma, the largest city in the east, in late January, in an offensive that "
                 "the United Nations says has killed nearly 3,000 people. The fighting erupted after a plan Fano said would weaken Amhara's defences. "
                 "Russia holds the regions Moscow said it had annexed.")
    assert ("United Nations", "UN", "has killed nearly 3,000 people") in got
    assert ("Fano", "Fano", "would weaken Amhara's defences") in got
    assert not any("annexed" in t for _n, _s, t in got)


@pytest.mark.parametrize("text, speaker, content", [
    ("Shelling hit the city overnight, officials told reporters.", "officials", "Shelling hit the city overnight"),
    ("Russian forces shelled Kharkiv overnight, killing two people, the governor told reporters.", "governor",
     "Russian forces shelled Kharkiv overnight"),
])
def test_postposed_told_reporters_reports_the_clause_before_it(claims, text, speaker, content):
    assert any(n == speaker and t.startswith(content) for n, _s, t in claims(text))


def test_subordinate_clause_before_told_is_not_a_statement(claims):
    assert claims("After the shelling stopped, officials told reporters.") == []


def test_a_subject_inside_the_quote_is_not_the_speaker(claims):
    got = claims('"The soldiers left at dawn," elder Hassan Nur told Reuters by phone.')
    assert got and got[0][0] == "Hassan Nur"


def test_the_group_is_the_last_named_group_even_without_an_org_noun(claims):
    got = claims("MOGADISHU (Reuters) - Al-Shabaab militants captured the town on Monday, elders said.\n\n"
                 "The group, which is allied to al-Qaeda, said in a statement that its fighters had also "
                 "overrun two nearby military bases.")
    assert any(n == "al-Shabaab" and s == "al-Shabaab" and "overrun two" in t for n, s, t in got)


@pytest.mark.parametrize("text, speaker", [
    ("M23 spokesman Lawrence Kanyuka wrote on X that the group had taken control of the airport.", "Lawrence Kanyuka"),
    ("The spokesman posted on Telegram that the group had captured the airport.", "spokesman"),
])
def test_written_or_posted_that_is_a_report(claims, text, speaker):
    got = claims(text)
    assert [(name, content) for name, _side, content in got] == \
        [(speaker, text[text.index("that ") + 5:].rstrip("."))]


@pytest.mark.parametrize("text", ["Analysts think that the offensive will stall.", "He wrote a letter to the president.",
                                  "The general wrote that report in 2019."])
def test_weak_verbs_without_a_that_clause_or_epistemic_are_no_report(claims, text):
    assert claims(text) == []


@pytest.mark.parametrize("text, speaker", [
    ("Syria's state news agency SANA reported that government forces had repelled the attack.", "SANA"),
    ("Russia's state news agency TASS reported that Russian troops had captured the village.", "TASS"),
    ("The state news agency reported that the army had repelled the attack.", "state news agency"),
])
def test_agency_named_after_its_description_is_the_speaker(claims, text, speaker):
    assert [name for name, *_ in claims(text)] == [speaker]


@pytest.mark.parametrize("text, content", [
    ("Sudan's army said on Friday it had retaken the palace.", "it had retaken the palace"),
    ("The army said Friday it had retaken the palace.", "it had retaken the palace"),
    ("Officials said on Tuesday the town had fallen to the rebels.", "the town had fallen to the rebels"),
    ("The army said on Friday that it had retaken the palace.", "it had retaken the palace"),
])
def test_the_date_of_the_saying_is_not_part_of_what_was_said(claims, text, content):
    assert [c for _n, _s, c in claims(text)] == [content]


def test_dateline_with_a_multi_word_country_is_skipped():
    from sitrep.nlp.quotes import skip_dateline

    text = "GOMA, Democratic Republic of Congo — M23 rebels said on Monday they had taken the airport."
    assert text[skip_dateline(text, 0, len(text)):].startswith("M23 rebels said")
    text = "Fighting in Goma, Democratic Republic of Congo — a city of two million — went on."
    assert skip_dateline(text, 0, len(text)) == 0
