"""tuidang.lib.excerpt: the start of a text, cut between characters a reader sees."""

import unicodedata

import pytest

from tuidang.lib.excerpt import ELLIPSIS, excerpt, is_boundary

LIMIT = 10


def test_a_text_within_the_limit_is_whole():
    for text in ("", "退", "退" * LIMIT):
        shown = excerpt(text, LIMIT)
        assert (shown.text, shown.cut) == (text, False)


def test_a_longer_text_is_cut_to_the_limit_with_an_ellipsis():
    shown = excerpt("退" * (LIMIT + 1), LIMIT)
    assert shown.cut
    assert shown.text == "退" * (LIMIT - 1) + ELLIPSIS
    assert len(shown.text) == LIMIT


@pytest.mark.parametrize(
    ("sequence", "name"),
    [
        ("q\u0323\u0303", "a letter with two accents that have no precomposed form"),
        ("\U0001f44d\U0001f3fd", "an emoji with a skin tone"),
        ("\u2764\ufe0f", "a heart with its emoji variation selector"),
        ("\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466", "a family joined by ZWJ"),
        ("\U0001f1e8\U0001f1f3", "a flag: two regional indicators"),
        ("\U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f", "a tag flag"),
        ("षि", "a Devanagari consonant with its vowel sign"),
        ("\r\n", "CR LF"),
    ],
)
def test_a_cut_never_falls_inside_a_character_made_of_several_code_points(sequence, name):
    assert unicodedata.normalize("NFC", sequence) == sequence, name
    for before in range(LIMIT + 1):
        text = "退" * before + sequence + "党" * LIMIT
        shown = excerpt(text, LIMIT)
        kept = shown.text.removesuffix(ELLIPSIS)
        assert shown.cut and len(shown.text) <= LIMIT
        assert text.startswith(kept)
        # The sequence is either whole in the excerpt or not begun.
        assert sequence in kept or kept == text[: min(before, LIMIT - 1)].rstrip(), (name, before)


def test_flags_are_cut_between_pairs_of_regional_indicators():
    flags = "\U0001f1e8\U0001f1f3\U0001f1ed\U0001f1f0\U0001f1f9\U0001f1fc"  # three flags
    assert [i for i in range(len(flags) + 1) if is_boundary(flags, i)] == [0, 2, 4, 6]


def test_spaces_before_the_cut_are_dropped():
    assert excerpt("一二三四五六七八    九十", LIMIT).text == "一二三四五六七八" + ELLIPSIS


def test_a_run_of_marks_longer_than_the_limit_is_cut_anyway():
    text = "a" + "\u0301" * 50
    shown = excerpt(text, LIMIT)
    assert shown.cut and len(shown.text) == LIMIT
