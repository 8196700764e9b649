"""Published statements for the benchmarks, as production would hold them.

seed_published(connection, n) writes n published statements through COPY, with every
index in place, in the order production writes them: publication days rising over
about three years (recent days denser), registration numbers random within a day.

The text-length mix (TEXT_MIX) is an assumption, not a measurement of the live
operation: most statements are a formula of one sentence or none at all (many are
entered for someone else), a few are paragraphs, very few are letters. Texts are
random CJK characters, which compress worse than real prose: the storage figure errs
high. Names are two to four characters, a quarter of them aliases. Organizations: most
left the Young Pioneers, many the Youth League, fewer the Party (each row at least one).
Regions: spread over all of them, with CN-XZ holding about 0.05% of rows (the filtered
list's benchmark).
"""

from __future__ import annotations

import hashlib
import random
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta

from statements.choices import Region

# (share of rows, shortest, longest) in characters.
TEXT_MIX = ((0.50, 0, 0), (0.40, 10, 40), (0.09, 100, 300), (0.01, 1000, 5000))
YEARS = 3
RARE_REGION = "CN-XZ"
RARE_SHARE = 0.0005
_CORPUS_SIZE = 20_000


def _corpus(rng: random.Random) -> str:
    return "".join(chr(0x4E00 + rng.randrange(0x5000)) for _ in range(_CORPUS_SIZE))


def _text(rng: random.Random, corpus: str) -> str:
    pick = rng.random()
    for share, low, high in TEXT_MIX:
        if pick < share:
            length = rng.randint(low, high)
            start = rng.randrange(_CORPUS_SIZE - length) if length else 0
            return corpus[start : start + length]
        pick -= share
    return ""


def _luhn(body: int) -> int:
    from statements.registration import with_check_digit

    return with_check_digit(body)


def _days(n: int, today: date) -> list[date]:
    """n publication days, oldest first, over YEARS years, each day busier than the last
    (linearly): half the rows fall in the most recent ~30% of the span."""
    span = YEARS * 365
    rng = random.Random(7)  # noqa: S311 - reproducible bench data, not secrets
    days = sorted(span - int(span * (rng.random() ** 0.5)) for _ in range(n))
    return [today - timedelta(days=d) for d in reversed(days)]


def seed_published(connection, n: int, *, seed: int = 1) -> None:
    """n published statements, by COPY into statements_statement; then ANALYZE."""
    from tuidang.lib.days import tally_today, tally_zone

    rng = random.Random(seed)  # noqa: S311 - reproducible bench data, not secrets
    corpus = _corpus(rng)
    regions = [r for r in Region.values if r != RARE_REGION]
    zone = tally_zone()
    columns = (
        "display_name, is_alias, left_party, left_youth_league, left_young_pioneers, hidden,"
        " region, text, channel, language, status, screening_flags, content_hash,"
        " receipt_hash, rejection_reason, created_at, screened_at, published_at,"
        " published_day, registration_number, status_changed_at"
    )
    numbers: set[int] = set()
    days = _days(n, tally_today())
    per_day = Counter(days)
    seen_today: Counter = Counter()
    with connection.cursor() as cursor:
        raw = cursor.cursor if hasattr(cursor, "cursor") else cursor
        with raw.copy(f"COPY statements_statement ({columns}) FROM STDIN") as copy:
            for index, day in enumerate(days):
                name = "".join(
                    chr(0x4E00 + rng.randrange(0x5000)) for _ in range(rng.randint(2, 4))
                )
                young_pioneers = rng.random() < 0.9
                youth_league = rng.random() < 0.6
                party = rng.random() < 0.15 or not (young_pioneers or youth_league)
                region = RARE_REGION if rng.random() < RARE_SHARE else rng.choice(regions)
                text = _text(rng, corpus)
                number = _luhn(10**14 + rng.randrange(9 * 10**14))
                while number in numbers:
                    number = _luhn(10**14 + rng.randrange(9 * 10**14))
                numbers.add(number)
                # Published through the day, in order.
                seen_today[day] += 1
                seconds = 86_399 * seen_today[day] // per_day[day]
                moment = datetime.combine(day, time(), tzinfo=zone) + timedelta(seconds=seconds)
                moment = moment.astimezone(UTC)
                copy.write_row(
                    (
                        name,
                        rng.random() < 0.25,
                        party,
                        youth_league,
                        young_pioneers,
                        rng.random() < 0.001,
                        region,
                        text,
                        "web",
                        "zh-hans",
                        "published",
                        "[]",
                        hashlib.sha256(f"c{index}".encode()).digest()[:16],
                        hashlib.sha256(f"r{index}".encode()).digest()[:16],
                        "",
                        moment,
                        moment,
                        moment,
                        day,
                        number,
                        moment,
                    )
                )
        cursor.execute("ANALYZE statements_statement")
