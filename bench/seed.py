"""Published statements at volume, for the HTTP benchmark and storage measurements.

Every column the seed writes is named in seed_published alone: when the statement table
changes, this is the one function to change.

The mix, fixed so that any two runs (and a storage measurement) see the same table:

- text: 40% blank; 45% a short formula (10-40 characters); 13% a paragraph (100-300
  characters); 2% long (1,000-5,000 characters). Paragraphs and long texts are cut from
  a pool of common characters in random order, so they compress no better than prose.
- name: 2-4 CJK characters (a surname and one to three given characters); 30% are
  aliases, some of those a pseudonym rather than a name.
- organizations: 85% left the Young Pioneers, 60% the Youth League, 20% the Party; a
  row with none of the three left the Young Pioneers, so every row leaves one.
- region: 30% undisclosed, 8% overseas, the rest over the provinces roughly by
  population, and RARE_REGION (Macau) holding RARE_SHARE (0.05%) of rows, for the
  filtered list.
- language: 70% zh-hans, 20% zh-hant, 10% en; channel: 80% web, 8% in person, 8% phone,
  4% paper.
- publication: over the last YEARS years, newest first by id, denser towards today (the
  age of row g is YEARS * ((n - g) / n) ** 1.5: the last day holds about 1% of rows).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime

YEARS = 3
RARE_REGION = "CN-MO"
RARE_SHARE = 0.0005

TEXT_MIX = {"blank": 0.40, "formula": 0.45, "paragraph": 0.13, "long": 0.02}
FORMULAS = [
    "我声明退出中国共产党。",
    "本人声明退出共青团和少先队。",
    "我郑重声明退出少先队，抹去兽印。",
    "声明退出中共及其一切附属组织，永不回头。",
    "我曾在小学时加入少先队，现郑重声明退出，不再与其有任何关系。",
    "本人在中学时被迫加入共青团，今天正式声明退出，过去所发誓言全部作废。",
    "退出共产党、共青团、少先队，做回堂堂正正的中国人。",
    "我聲明退出中國共產黨及其一切附屬組織。",
]
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶"
    "程魏苏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛"
    "郝龚邵万钱严武戴莫孔向汤"
)
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华玉萍红娥玲芬燕彬建国志文斌辉力宇浩然"
    "晨鹏飞云海波宁欣怡婷雪梅琳晓东亮春"
)
PSEUDONYMS = [
    "觉醒者",
    "明白人",
    "自由人",
    "老党员",
    "海外游子",
    "清风",
    "晨光",
    "新生",
    "良知",
    "大山",
]
# Common characters, for paragraphs and long texts.
PROSE = (
    "的一是了我不人在他有这个上们来到时大地为子中你说生国年着就那和要她出也得里后自以会家"
    "可下而过天去能对小多然于心学么之都好看起发当没成只如事把还用第样道想作种开美总从无情"
    "己面最女但现前些所同日手又行意动方期它头经长儿回位分爱老因很给名法间斯知世什两次使身"
    "者被高已亲其进此话常与活正感见明问力理尔点文几定本公特做外孩相西果走将月十实向声车全"
    "信重三机工物气每并别真打太新比才便夫再书部水像眼等体却加电主界门利海受听表德少克代员"
)
# Roughly by population (millions), to spread the located rows over the provinces.
PROVINCE_WEIGHTS = {
    "CN-GD": 126, "CN-SD": 101, "CN-HA": 99, "CN-JS": 85, "CN-SC": 84, "CN-HE": 75,
    "CN-HN": 66, "CN-ZJ": 65, "CN-AH": 61, "CN-HB": 58, "CN-GX": 50, "CN-YN": 47,
    "CN-JX": 45, "CN-LN": 43, "CN-FJ": 41, "CN-SN": 40, "CN-GZ": 39, "CN-SX": 35,
    "CN-CQ": 32, "CN-HL": 31, "CN-XJ": 26, "CN-SH": 25, "CN-GS": 25, "CN-NM": 24,
    "CN-JL": 24, "CN-BJ": 22, "CN-TJ": 14, "CN-HI": 10, "CN-NX": 7, "CN-HK": 7,
    "CN-QH": 6, "CN-XZ": 4,
}  # fmt: skip
UNDISCLOSED_SHARE = 0.30
OVERSEAS_SHARE = 0.08


@dataclass(frozen=True)
class Seeded:
    """What a benchmark needs to know about the rows seed_published wrote."""

    rows: int
    # A receipt code of one seeded statement (the middle one), for receipt look-ups.
    receipt: str
    rare_region: str


def region_thresholds() -> tuple[list[str], list[float]]:
    """Region codes and the cumulative upper bound of each but the last, for SQL's
    width_bucket over a uniform random number."""
    located = 1 - UNDISCLOSED_SHARE - OVERSEAS_SHARE - RARE_SHARE
    total = sum(PROVINCE_WEIGHTS.values())
    shares = [("undisclosed", UNDISCLOSED_SHARE), ("overseas", OVERSEAS_SHARE)]
    shares += [(code, located * w / total) for code, w in PROVINCE_WEIGHTS.items()]
    shares.append((RARE_REGION, RARE_SHARE))
    codes, bounds, running = [], [], 0.0
    for code, share in shares:
        running += share
        codes.append(code)
        bounds.append(running)
    return codes, bounds[:-1]


def _prose_pool(length: int, rng: random.Random) -> str:
    out: list[str] = []
    while len(out) < length:
        out.extend(rng.choice(PROSE) for _ in range(rng.randint(8, 20)))
        out.append(rng.choice("，，，。"))
    return "".join(out[:length])


def _receipt(rng: random.Random) -> str:
    from statements import receipts

    raw = "".join(rng.choice(receipts.ALPHABET) for _ in range(receipts.LENGTH))
    return "-".join(raw[i : i + receipts.GROUP] for i in range(0, receipts.LENGTH, receipts.GROUP))


def seed_published(cursor, n: int, *, now: datetime | None = None, seed: int = 7) -> Seeded:
    """Insert n published statements with the mix above, by one INSERT … SELECT.

    Deterministic for a given n, seed and now. Writes rows only: the caller runs VACUUM
    ANALYZE (as autovacuum would) and the tally rollup (counts.services.build_all).
    """
    from django.conf import settings

    from statements import receipts

    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
    known = n // 2 + 1
    receipt = _receipt(rng)
    codes, bounds = region_thresholds()
    cursor.execute("SELECT setseed(%s)", [seed / 1000])
    cursor.execute(
        """
        INSERT INTO statements_statement (
            display_name, is_alias, left_party, left_youth_league, left_young_pioneers,
            region, text, channel, language, status, screening_flags, content_hash,
            receipt_hash, rejection_reason, created_at, screened_at, published_at,
            published_day, registration_number, status_changed_at, queued_at)
        SELECT
            CASE WHEN alias AND r_name < 0.4
                 THEN (%(pseudonyms)s::text[])[1 + floor(r_name * 10 / 0.4)::int]
                 ELSE substr(%(surnames)s, 1 + floor(r_name * length(%(surnames)s))::int, 1)
                      || substr(%(given)s, 1 + floor(r_given * (length(%(given)s) - 3))::int,
                                CASE WHEN r_len < 0.55 THEN 1 WHEN r_len < 0.95 THEN 2 ELSE 3 END)
            END,
            alias,
            party, league, pioneers OR NOT (party OR league),
            (%(codes)s::text[])[1 + width_bucket(r_region, %(bounds)s::float8[])],
            CASE WHEN r_text < 0.40 THEN ''
                 WHEN r_text < 0.85
                     THEN (%(formulas)s::text[])[1 + floor(r_len * %(n_formulas)s)::int]
                 WHEN r_text < 0.98
                     THEN substr(%(pool)s, 1 + floor(r_offset * 2700)::int,
                                 100 + floor(r_len * 201)::int)
                 ELSE substr(%(pool)s, 1 + floor(r_offset * 2700)::int,
                             1000 + floor(r_len * 4001)::int)
            END,
            CASE WHEN r_channel < 0.80 THEN 'web' WHEN r_channel < 0.88 THEN 'volunteer'
                 WHEN r_channel < 0.96 THEN 'phone' ELSE 'paper' END,
            CASE WHEN r_language < 0.70 THEN 'zh-hans' WHEN r_language < 0.90 THEN 'zh-hant'
                 ELSE 'en' END,
            'published', '[]'::jsonb,
            substring(sha256(('seed-content-' || g)::bytea) FROM 1 FOR 16),
            CASE WHEN g = %(known)s THEN %(known_hash)s
                 ELSE substring(sha256(('seed-receipt-' || g)::bytea) FROM 1 FOR 16) END,
            '',
            published - review, published - review + interval '5 s', published,
            (published AT TIME ZONE %(zone)s)::date,
            -- 16 digits, the last Luhn's: fifteen spread over the space by a multiplier
            -- coprime with it (so all distinct), then the check digit.
            body * 10 + (
                SELECT (10 - sum(CASE WHEN i %% 2 = 1 THEN d
                                      WHEN d > 4 THEN d * 2 - 9 ELSE d * 2 END) %% 10) %% 10
                FROM (SELECT i, (body / power(10, i)::bigint %% 10)::int AS d
                      FROM generate_series(0, 14) AS i) AS digits),
            published,
            published - review + interval '5 s'
        FROM (SELECT *, 100000000000000 + (g * 982451653::bigint) %% 900000000000000 AS body
              FROM (
            SELECT g,
                   random() < 0.3 AS alias,
                   random() < 0.2 AS party,
                   random() < 0.6 AS league,
                   random() < 0.85 AS pioneers,
                   random() AS r_name, random() AS r_given, random() AS r_len,
                   random() AS r_region, random() AS r_text, random() AS r_offset,
                   random() AS r_channel, random() AS r_language,
                   %(now)s - %(years)s * interval '365 days'
                       * power((%(n)s - g)::float8 / %(n)s, 1.5) AS published,
                   interval '1 hour' * (1 + floor(random() * 47)) AS review
            FROM generate_series(1, %(n)s) AS g
        ) AS s) AS numbered
        """,
        {
            "n": n,
            "now": now or _now(),
            "years": YEARS,
            "pseudonyms": PSEUDONYMS,
            "surnames": SURNAMES,
            "given": GIVEN,
            "codes": codes,
            "bounds": bounds,
            "formulas": FORMULAS,
            "n_formulas": len(FORMULAS),
            "pool": _prose_pool(8000, rng),
            "known": known,
            "known_hash": receipts.digest(receipt),
            "zone": settings.TALLY_TIME_ZONE,
        },
    )
    return Seeded(rows=n, receipt=receipt, rare_region=RARE_REGION)


def _now() -> datetime:
    from django.utils import timezone

    return timezone.now()
