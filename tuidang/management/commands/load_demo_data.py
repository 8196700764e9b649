"""Demo data for the embedded default: published statements over the last 60 days with
their audit rows, statements waiting for review, and one account per role. Refuses to
run anywhere but the embedded default (DEBUG, SQLite, no Redis), so a real database
never gets a known login. Idempotent: a second run changes nothing but the demo
accounts' passwords and recovery codes, which it prints.

It spans all three apps (statements, their audit, volunteer accounts, tallies), so it
lives with the project rather than in one of them.
"""

import base64
import hashlib
import random
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from counts import services as counts_services
from statements import receipts, registration, screening
from statements.models import (
    ORGANIZATION_FIELDS,
    AuditEvent,
    Channel,
    Organization,
    Region,
    Statement,
    Status,
)
from tuidang.lib.days import tally_day_of
from volunteers.roles import Role

# Printed by `make run` for the local demo only; never loaded anywhere else.
DEMO_PASSWORD = "demo-password-2026"  # noqa: S105
DEMO_ACCOUNTS = [
    ("demo-reviewer", Role.REVIEWER),
    ("demo-reviewer-2", Role.REVIEWER),
    ("demo-coordinator", Role.COORDINATOR),
    ("demo-volunteer", Role.VOLUNTEER),
]
REVIEWER_USERNAME = "demo-reviewer"
RECOVERY_CODES_PRINTED = 3
PUBLISHED_COUNT = 360
IN_REVIEW_COUNT = 12
DAYS = 60
SEED = 64

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀英华慧建国玉兰桂平刚文辉鹏红霞志海燕云亮林晨雪梅宏斌浩宇婷琳欣怡子涵梓萱俊杰博文嘉豪思远德福春生秋菊小龙"
ALIASES = [
    "明真相",
    "觉醒者",
    "向善",
    "自由人",
    "顺天意",
    "一个老兵",
    "退休教师",
    "海外游子",
    "明心",
    "真心退出",
    "新生",
    "守正",
    "天佑",
    "清风",
    "知秋",
    "正念",
    "老农民",
    "打工人",
    "小草",
    "晨光",
]
TEXTS = [
    "",
    "",
    "",
    "小时候戴过红领巾，那时不懂事。今天郑重声明退出少先队，抹去当年的誓言。",
    "我年轻时入过团，发过誓要为它奉献一生。如今看清了，声明退出共青团及其一切组织。",
    "本人曾是中共党员，多年来亲眼所见让我无法再认同。即日起声明退出中国共产党。",
    "看了很多真相资料，想了很久。为了家人和自己的良心，声明退出。",
    "我代表自己声明：当年入队入团都是被学校统一安排的，今天正式声明作废。",
    "在国外生活多年，终于可以说出心里话：我退出。",
    "我是老师，教了一辈子书。退休了，想给自己一个清白。声明退出党、团、队。",
    "家里老人让我一定要退，我想明白了，是为了自己好。",
    "曾经入党是为了工作，现在不需要了，也不想再挂着这个名。声明退出。",
    "愿中国人都能平安，愿真相被更多人知道。我声明退出少先队。",
    "我在大学里入的团，从来没有认同过。今天正式退出。",
    "经历了封控那几年，心里彻底明白了。声明退出共产党的一切组织。",
]
# Roughly how submissions spread over regions: more from the populous provinces.
REGION_WEIGHTS = {region: 1 for region in Region.values}
REGION_WEIGHTS.update(
    {
        "CN-GD": 8,
        "CN-SD": 6,
        "CN-HA": 6,
        "CN-SC": 6,
        "CN-JS": 6,
        "CN-HE": 5,
        "CN-ZJ": 5,
        "CN-HN": 5,
        "CN-HB": 5,
        "CN-FJ": 4,
        "CN-LN": 4,
        "CN-BJ": 4,
        "CN-SH": 4,
        "overseas": 6,
        "undisclosed": 5,
    }
)
ORGANIZATION_SETS = [
    ([Organization.YOUNG_PIONEERS], 30),
    ([Organization.YOUTH_LEAGUE, Organization.YOUNG_PIONEERS], 35),
    ([Organization.YOUTH_LEAGUE], 8),
    ([Organization.PARTY], 6),
    ([Organization.PARTY, Organization.YOUTH_LEAGUE, Organization.YOUNG_PIONEERS], 21),
]


class Command(BaseCommand):
    help = "Load demo statements and one demo account per role (DEBUG only; safe to rerun)."

    def handle(self, *args, **options):
        # Its reviewer's password is public: never into anything but the embedded default.
        if not (settings.DEBUG and settings.EMBEDDED and connection.vendor == "sqlite"):
            raise CommandError(
                "Demo data is only for the embedded default (DEBUG=1, SQLite, no REDIS_URL)."
            )
        rng = random.Random(SEED)
        rows = [self._statement(rng, index) for index in range(PUBLISHED_COUNT + IN_REVIEW_COUNT)]
        with transaction.atomic():
            # The first row's receipt is fixed by the seed: its presence marks a loaded demo.
            accounts = {username: self._account(username, role) for username, role in DEMO_ACCOUNTS}
            if Statement.objects.filter(receipt_hash=rows[0].receipt_hash).exists():
                self.stdout.write("Demo statements already loaded.")
            else:
                Statement.objects.bulk_create(rows, batch_size=500)
                self._audit(rows, reviewer=accounts[REVIEWER_USERNAME][0])
                self.stdout.write(f"Loaded {len(rows)} demo statements.")
        counts_services.build_all()
        lines = [
            "Demo accounts at http://127.0.0.1:8000/volunteer/ "
            f"(password {DEMO_PASSWORD!r} for each):"
        ]
        for username, role in DEMO_ACCOUNTS:
            _user, secret, codes = accounts[username]
            lines.append(
                f"  {username} ({role.value}): authenticator key {secret}, "
                f"or a single-use recovery code: {' '.join(codes)}"
            )
        self.stdout.write(self.style.SUCCESS("\n".join(lines)))

    def _statement(self, rng: random.Random, index: int) -> Statement:
        is_alias = rng.random() < 0.45
        if is_alias:
            name = rng.choice(ALIASES)
        else:
            name = rng.choice(SURNAMES) + "".join(
                rng.choice(GIVEN) for _ in range(rng.choice([1, 2]))
            )
        organizations = rng.choices(
            [orgs for orgs, _w in ORGANIZATION_SETS], [w for _o, w in ORGANIZATION_SETS]
        )[0]
        region = rng.choices(list(REGION_WEIGHTS), list(REGION_WEIGHTS.values()))[0]
        if index < len(Region.values):  # every region appears at least once
            region = Region.values[index]
        text = rng.choice(TEXTS)
        now = timezone.now()
        published = index < PUBLISHED_COUNT
        if published:
            created_at = now - timedelta(seconds=rng.randint(600, DAYS * 86400))
        else:  # the queue is in id order, which is arrival order: keep the times in step
            waiting = PUBLISHED_COUNT + IN_REVIEW_COUNT - index
            created_at = now - timedelta(minutes=waiting * 7 + rng.randint(0, 5))
        receipt = "".join(rng.choice(receipts.ALPHABET) for _ in range(receipts.LENGTH))
        published_at = (
            min(created_at + timedelta(minutes=rng.randint(1, 300)), now) if published else None
        )
        return Statement(
            display_name=name,
            is_alias=is_alias,
            region=region,
            text=text,
            channel=rng.choice(
                [Channel.WEB] * 6 + [Channel.VOLUNTEER, Channel.PHONE, Channel.PAPER]
            ),
            language=rng.choice(["zh-hans"] * 8 + ["zh-hant", "en"]),
            status=Status.PUBLISHED if published else Status.IN_REVIEW,
            screening_flags=screening.content_flags(name=name, text=text),
            content_hash=screening.content_hash(
                name=name, text=text, organizations=organizations, region=region
            ),
            receipt_hash=receipts.digest(receipt),
            created_at=created_at,
            screened_at=created_at + timedelta(seconds=5),
            published_at=published_at,
            published_day=tally_day_of(published_at) if published else None,
            registration_number=registration.with_check_digit(rng.randrange(10**14, 10**15))
            if published
            else None,
            status_changed_at=created_at,
            queued_at=None if published else created_at + timedelta(seconds=5),
            **{field: org in organizations for org, field in ORGANIZATION_FIELDS.items()},
        )

    def _audit(self, rows: list[Statement], *, reviewer) -> None:
        """The history each demo statement would have: screened, and published by the
        demo reviewer. (bulk_create gives ids on SQLite.)"""
        events = []
        for statement in rows:
            events.append(
                AuditEvent(
                    statement_id=statement.pk,
                    action=AuditEvent.Action.SCREENED,
                    from_status=Status.RECEIVED,
                    to_status=Status.IN_REVIEW,
                    created_at=statement.screened_at,
                )
            )
            if statement.status == Status.PUBLISHED:
                events.append(
                    AuditEvent(
                        statement_id=statement.pk,
                        actor=reviewer,
                        action=AuditEvent.Action.APPROVED,
                        from_status=Status.IN_REVIEW,
                        to_status=Status.PUBLISHED,
                        created_at=statement.published_at,
                    )
                )
        AuditEvent.objects.bulk_create(events, batch_size=500)

    def _account(self, username: str, role: Role) -> tuple:
        """A demo account in `role` with a known password, an authenticator key fixed by
        its name, and fresh recovery codes (the printed ones are the valid ones)."""
        user, _created = get_user_model().objects.get_or_create(username=username)
        user.set_password(DEMO_PASSWORD)
        user.is_staff = role == Role.COORDINATOR
        user.save()
        user.groups.set([Group.objects.get(name=role.value)])
        key = hashlib.sha256(f"tuidang-demo|{username}".encode()).digest()[:20]
        TOTPDevice.objects.update_or_create(
            user=user, name="demo", defaults={"key": key.hex(), "confirmed": True}
        )
        static, _created = StaticDevice.objects.get_or_create(
            user=user, name="recovery", defaults={"confirmed": True}
        )
        static.token_set.all().delete()
        codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES_PRINTED)]
        StaticToken.objects.bulk_create(StaticToken(device=static, token=c) for c in codes)
        return user, base64.b32encode(key).decode(), codes
