"""Registration numbers: 16 digits, Luhn-checked, random, drawn at publication."""

import itertools

import pytest
from django.utils import timezone

from statements import registration, review
from statements.models import Statement, Status
from tests import factories
from tuidang.lib.days import tally_day_of

# Known-good Luhn numbers (test card numbers) and one digit changed in each.
VALID = [4111111111111111, 5555555555554444, 4012888888881881]


@pytest.mark.parametrize("number", VALID)
def test_the_check_digit_is_luhns(number):
    assert registration.check_digit(number // 10) == number % 10
    assert registration.is_valid(number)
    assert not registration.is_valid(number + 1 if number % 10 < 9 else number - 1)


def test_a_mistyped_digit_or_swapped_neighbours_fail_the_check():
    number = registration.new_number()
    text = f"{number}"
    for position in range(registration.DIGITS):
        for digit in "0123456789":
            if digit != text[position]:
                typo = text[:position] + digit + text[position + 1 :]
                assert registration.parse(typo) is None, typo
    for position in range(registration.DIGITS - 1):
        a, b = text[position], text[position + 1]
        if a != b and {a, b} != {"0", "9"}:  # Luhn's one blind spot: 09 <-> 90
            swapped = text[:position] + b + a + text[position + 2 :]
            assert registration.parse(swapped) is None, swapped


def test_numbers_are_sixteen_digits_and_not_in_order():
    numbers = [registration.new_number() for _ in range(2000)]
    assert all(registration.is_valid(n) and len(str(n)) == 16 for n in numbers)
    assert len(set(numbers)) == len(numbers)
    rises = sum(a < b for a, b in itertools.pairwise(numbers))
    # Drawn at random: about half the neighbours rise (a sequence would always rise).
    assert 800 < rises < 1200


def test_numbers_are_read_loosely_and_shown_in_groups():
    number = VALID[0]
    assert registration.display(number) == "4111 1111 1111 1111"
    for typed in ("4111 1111 1111 1111", "4111-1111-1111-1111", "４１１１１１１１１１１１１１１１"):
        assert registration.parse(typed) == number
    for typed in ("", "4111", "41111111111111111", "4111 1111 1111 111x", "²111111111111111"):
        assert registration.parse(typed) is None


@pytest.mark.django_db
def test_publication_draws_a_number_and_records_the_day(reviewer):
    statement = factories.in_review_statement()
    assert statement.registration_number is None
    before = timezone.now()
    factories.approve(statement, reviewer=reviewer)
    statement.refresh_from_db()
    assert registration.is_valid(statement.registration_number)
    assert statement.published_day == tally_day_of(before)
    assert statement.registration_number != statement.pk


@pytest.mark.django_db
def test_a_number_drawn_twice_is_drawn_again(reviewer, monkeypatch):
    taken = factories.published_statement()
    fresh = registration.new_number()
    draws = iter([taken.registration_number, fresh])
    monkeypatch.setattr(registration, "new_number", lambda: next(draws))
    statement = factories.in_review_statement()
    factories.approve(statement, reviewer=reviewer)
    statement.refresh_from_db()
    assert statement.status == Status.PUBLISHED
    assert statement.registration_number == fresh
    assert Statement.objects.filter(registration_number=taken.registration_number).count() == 1


@pytest.mark.django_db
def test_undoing_a_publication_gives_its_number_up(reviewer):
    statement = factories.approved_statement(reviewer=reviewer)
    assert review.undo(reviewer=reviewer, statement_id=statement.pk)
    statement.refresh_from_db()
    assert statement.status == Status.IN_REVIEW
    assert (statement.registration_number, statement.published_day) == (None, None)
