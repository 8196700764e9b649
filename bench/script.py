"""The cost of showing statements in the reader's script: the list page rendered in each
language, in-process, and what the conversion itself costs per statement.

    make bench                        # toy size; BENCH_RENDERS=300 for the README figures

Renders statements/list.html (the public list: the whole page, base template, context
processors and the 50-statement partial) with 50 realistic statements: mostly short,
some long, a few of the greatest length, one in ten written in Traditional. It uses no
database, so it measures the template and the conversion alone.
An HTTP benchmark over gunicorn adds the same fixed cost to every language.

Reported: renders per second of CPU time (this process's: other work on the machine does
not count) of the zh-hans, zh-hant and English pages, medians of BENCH_ROUNDS rounds of
BENCH_RENDERS renders each, the languages taking turns render by render; the
zh-hant/zh-hans ratio (target: at least 0.8), both with the conversion cache warm (a page
shown again, as the newest pages of the list are) and cold (every statement new to the
process); and the conversion of one statement's name and list excerpt, and of its whole
text (its own page).
"""

import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tuidang.settings")

RENDERS = int(os.environ.get("BENCH_RENDERS", "30"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
LANGUAGES = ("zh-hans", "zh-hant", "en")

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余杜叶"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红晓东海波宁鹏飞辉玲"
ALIASES = ["一个觉醒的人", "东北老兵", "不再沉默", "海外学子", "退休教师", "广州打工者", "自由的心"]
SENTENCES = [
    "我郑重声明退出中国共产党及其一切附属组织。",
    "我小时候戴过红领巾，入过少先队，后来又入了共青团。",
    "那时候不懂事，老师让入就入了，从来没有想过这意味着什么。",
    "这些年看到了太多的谎言和迫害，我不愿意再和这个组织有任何关系。",
    "经历了这几年的事情，我终于明白了真相。",
    "我以前的入党誓词作废，从今天起与之一刀两断。",
    "希望更多的人能够看清楚，为自己的将来做出选择。",
    "家里的老人经历过文化大革命，他们常说不要相信那些口号。",
    "我在工作单位被要求入党，为了升职违心地写了申请书。",
    "现在我在海外，终于可以说出心里的话。",
    "我没有留下真实姓名，因为我的家人还在国内。",
    "愿天下人平安，愿良知回到每个人的心里。",
]


def statements(rng: random.Random, to_traditional) -> list:
    from django.utils import timezone

    from statements.models import Region, Statement

    regions = [value for value, _label in Region.choices]
    now = timezone.now()
    rows = []
    for n in range(50):
        is_alias = rng.random() < 0.3
        if is_alias:
            name = rng.choice(ALIASES)
        else:
            name = rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.randint(1, 2)))
        roll = rng.random()
        length = (
            0
            if roll < 0.15
            else rng.randint(20, 150)
            if roll < 0.65
            else rng.randint(150, 600)
            if roll < 0.92
            else rng.randint(600, 5000)
        )
        text = ""
        while len(text) < length:
            text += rng.choice(SENTENCES)
            if rng.random() < 0.2:
                text += "\n"
        text = text[:length]
        if rng.random() < 0.1:
            name, text = to_traditional(name), to_traditional(text)
        organizations = rng.sample(["party", "youth_league", "young_pioneers"], rng.randint(1, 3))
        rows.append(
            Statement(
                pk=1_000_000 + n,
                display_name=name,
                is_alias=is_alias,
                left_party="party" in organizations,
                left_youth_league="youth_league" in organizations,
                left_young_pioneers="young_pioneers" in organizations,
                region=rng.choice(regions),
                text=text,
                published_at=now - timedelta(minutes=n),
                published_day=(now - timedelta(minutes=n)).date(),
                registration_number=4_000_000_000_000_000 + n,
            )
        )
    return rows


def main() -> None:
    import django

    django.setup()
    from django.shortcuts import render
    from django.test import RequestFactory
    from django.utils import translation

    from statements.forms import RegistrationSearchForm, StatementFilterForm
    from statements.querysets import Page
    from statements.templatetags.statement_text import excerpt
    from tuidang.lib import script

    rows = statements(
        random.Random(2026),  # noqa: S311 - sample data, not secrets
        lambda text: script.to_script(text, "zh-hant"),
    )
    factory = RequestFactory()
    requests = {lang: factory.get(f"/{lang}/statements/") for lang in LANGUAGES}
    convert = script.to_script
    # The pages measured; "zh-hant as stored" is the Traditional page with conversion
    # turned off: what the language costs without it.
    pages = {lang: (lang, True) for lang in LANGUAGES} | {"zh-hant as stored": ("zh-hant", False)}

    def render_page(page: str, *, cold: bool) -> bytes:
        lang, converted = pages[page]
        if cold:
            script._to_script_cached.cache_clear()
        script.to_script = convert if converted else lambda text, language: text
        try:
            with translation.override(lang):
                context = {
                    "page": Page(rows=rows, newer=None, older=None),
                    "search": RegistrationSearchForm(),
                    "filter_form": StatementFilterForm({}),
                }
                response = render(requests[lang], "statements/list.html", context)
        finally:
            script.to_script = convert
        assert response.content.count(b'<article class="statement">') == 50
        return response.content

    def rates(*, cold: bool) -> dict[str, float]:
        """Pages per second of CPU time, the pages taking turns render by render, so
        whatever else the machine does weighs on all of them alike."""
        spent = dict.fromkeys(pages, 0.0)
        for _ in range(RENDERS):
            for page in pages:
                started = time.process_time()
                render_page(page, cold=cold)
                spent[page] += time.process_time() - started
        return {page: RENDERS / seconds for page, seconds in spent.items()}

    sizes = {page: len(render_page(page, cold=False)) for page in pages}
    rates(cold=False)  # warm up templates, translations, caches
    figures: dict[tuple[str, bool], list[float]] = {}
    for _ in range(ROUNDS):
        for cold in (False, True):
            for page, value in rates(cold=cold).items():
                figures.setdefault((page, cold), []).append(value)

    def per_statement(texts: list[str], lang: str, *, cold: bool) -> float:
        timings = []
        for _ in range(max(ROUNDS, 3)):
            if cold:
                script._to_script_cached.cache_clear()
            started = time.process_time()
            for text in texts:
                script.to_script(text, lang)
            timings.append((time.process_time() - started) / len(rows))
        return statistics.median(timings) * 1e6

    shown = [s.display_name for s in rows] + [excerpt(s).text for s in rows]
    whole = [s.text for s in rows]
    chars = sum(len(t) for t in whole)

    print(f"list page, 50 statements ({chars} characters of text in all), in-process render,")
    print(f"{RENDERS} renders x {ROUNDS} rounds, medians, per second of CPU time")
    for cold in (False, True):
        label = "conversion cache cold (every statement new)" if cold else "conversion cache warm"
        print(f"  {label}")
        for page in pages:
            print(
                f"    {page:<18} {statistics.median(figures[page, cold]):6.0f} pages/s"
                f"  ({sizes[page] / 1024:.1f} KiB)"
            )
        ratio = statistics.median(figures["zh-hant", cold]) / statistics.median(
            figures["zh-hans", cold]
        )
        print(f"    zh-hant / zh-hans: {ratio:.2f} (target >= 0.8)")
    print("conversion per statement (name + list excerpt / whole text), microseconds")
    for lang in ("zh-hant", "zh-hans"):
        print(
            f"  {lang:<8} list: warm {per_statement(shown, lang, cold=False):6.1f}"
            f"  cold {per_statement(shown, lang, cold=True):6.1f}"
            f"   whole text: {per_statement(whole, lang, cold=True):6.1f}"
        )


if __name__ == "__main__":
    main()
