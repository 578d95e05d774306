"""Non-state fighters qualified by a country word, and the armed groups added for them."""
from __future__ import annotations

import pytest

from sitrep.nlp.actors import load_actors


@pytest.fixture(scope="module")
def actors():
    return load_actors()


@pytest.mark.parametrize("text", ["Syrian rebels", "a Myanmar ethnic army", "Myanmar ethnic armed groups",
                                  "Myanmar's most powerful ethnic armed groups", "Congolese militia",
                                  "Malian jihadists", "Sudan's paramilitary", "Syrian opposition fighters"])
def test_country_word_before_non_state_noun_has_no_side(actors, text):
    assert actors.side(text) is None
    assert actors.is_non_state(text)


@pytest.mark.parametrize("text, side", [
    ("Karen rebels", "KNU"), ("Free Syrian Army", "FSA"), ("Assad's forces", "SYR"), ("the Assad regime", "SYR"),
    ("pro-Assad militias", "SYR"), ("Kurdish-led forces", "SDF"), ("the US-backed Kurdish-led forces", "SDF"),
    ("Russian-backed separatists", "RUS"), ("Syrian army", "SYR"), ("Ukrainian forces", "UKR"),
])
def test_named_or_backed_forces_keep_their_side(actors, text, side):
    assert actors.side(text) == side


def test_war_monitor_is_not_the_syrian_state(actors):
    assert actors.side("the Syrian Observatory for Human Rights") is None
