"""Figures from the records for any period: what counts (production, here, in scope, by the Shanghai day), the same
period a year earlier, the sentence in Chinese and English, and the periods' parameters."""

from __future__ import annotations

from datetime import date, datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils.translation import override

from accidents import figures
from accidents.models import Accident
from workdays.calendar import SHANGHAI

from .factories import make_accident, make_external

TODAY = datetime(2026, 10, 20, 10, 0, tzinfo=SHANGHAI)


def at(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def accident(w, enterprise, when: datetime, deaths: int = 0, **fields) -> Accident:
    return make_accident(enterprise, w.users["city"], occurred_at=when, deaths=deaths, **fields)


@pytest.fixture
def today():
    with time_machine.travel(TODAY, tick=False):
        yield TODAY.date()


def say(user, params: dict) -> str:
    return figures.sentence(user, figures.parse(params))


def test_months_count_production_here_in_scope_against_last_year(world, today):
    """GIVEN accidents March to May 2026 at e1 (海滨区, 危险化学品) and e2 (新城区, 建筑施工), a near miss, an accident
    elsewhere and one in June, and March to May 2025 two accidents WHEN 3至5月份 is said THEN the city counts the
    three here with their deaths, against last year's two; the district and a department their own."""
    w = world
    accident(w, w.e1, at(2026, 3, 1, 0, 5), deaths=2)  # just after midnight in Shanghai (16:05 UTC the day before)
    accident(w, w.e1, at(2026, 4, 10), deaths=1)
    accident(w, w.e2, at(2026, 5, 31, 23, 50))
    accident(w, w.e2, at(2026, 5, 3), kind="near_miss")
    make_external(w.city, w.chem, w.users["city"], occurred_at=at(2026, 4, 1), deaths=9)
    accident(w, w.e1, at(2026, 6, 1, 0, 1), deaths=7)  # June
    accident(w, w.e1, at(2026, 2, 28, 23, 59), deaths=7)  # February
    accident(w, w.e1, at(2025, 3, 15), deaths=4)
    accident(w, w.e2, at(2025, 5, 20), deaths=2)
    params = {"period": "months", "from": "2026-03", "to": "2026-05"}
    f = figures.period(w.users["city"], figures.parse(params))
    assert (f.accidents, f.deaths, f.previous_accidents, f.previous_deaths, f.near_misses) == (3, 3, 2, 6, 1)
    g = figures.period(w.users["city"], date(2026, 3, 1), date(2026, 5, 31))  # the same days given as dates
    assert (g.accidents, g.deaths, g.previous_accidents, g.previous_deaths) == (3, 3, 2, 6)
    assert (
        say(w.users["city"], params) == "3至5月份，全市工矿商贸领域发生生产安全事故3起、死亡3人，同比增加1起、减少3人。"
    )
    assert (
        say(w.users["district"], params)
        == "3至5月份，海滨区工矿商贸领域发生生产安全事故2起、死亡3人，同比增加1起、减少1人。"
    )
    assert say(w.users["dept_head"], params) == (
        "3至5月份，市住房和城乡建设局监管行业领域发生生产安全事故1起、未造成人员死亡，同比起数持平、减少2人。"
    )
    assert say(w.users["city"], {"period": "months", "from": "2026-04", "to": "2026-04"}).startswith(
        "4月份，全市工矿商贸领域发生生产安全事故1起、死亡1人，去年同期未发生生产安全事故。"
    )


def test_a_period_across_the_year_boundary(world, today):
    """GIVEN accidents in December 2025 and February 2026, one on 1 March 2026 just after midnight in Shanghai, and
    one in January 2025 WHEN 2025年12月至2026年2月 is said THEN the two count, against December 2024 to February
    2025's one."""
    w = world
    accident(w, w.e1, at(2025, 12, 1, 0, 30), deaths=1)
    accident(w, w.e2, at(2026, 2, 28, 23, 30), deaths=2)
    accident(w, w.e2, at(2026, 3, 1, 0, 10), deaths=5)  # 28 February 16:10 UTC: March in Shanghai
    accident(w, w.e1, at(2025, 1, 15), deaths=1)
    accident(w, w.e1, at(2024, 11, 30, 23, 0), deaths=3)  # before last year's period
    span = figures.parse({"period": "months", "from": "2025-12", "to": "2026-02"})
    assert (span.start, span.end, span.previous_start, span.previous_end) == (
        date(2025, 12, 1),
        date(2026, 2, 28),
        date(2024, 12, 1),
        date(2025, 2, 28),
    )
    assert figures.sentence(w.users["city"], span) == (
        "2025年12月至2026年2月，全市工矿商贸领域发生生产安全事故2起、死亡3人，同比增加1起、增加2人。"
    )
    with override("en"):
        assert figures.sentence(w.users["city"], span) == (
            "From December 2025 to February 2026, the city had 2 production safety accidents, with 3 deaths, "
            "1 accident more and 2 deaths more than in the same period last year."
        )


def test_same_period_with_an_empty_previous_year(world, today):
    """GIVEN no accident January to June 2026 nor in 2025, and four since July 2026 with five deaths WHEN 1至6月份 and
    7月以来 are said THEN the first says none, as last year, and the second says last year had none."""
    w = world
    for month, deaths in ((7, 2), (8, 0), (9, 3), (10, 0)):
        accident(w, w.e1 if month % 2 else w.e2, at(2026, month, 2), deaths=deaths)
    accident(w, w.e1, at(2026, 10, 21))  # after today (a record dated ahead by mistake): outside the period
    assert say(w.users["city"], {"period": "months", "from": "2026-01", "to": "2026-06"}) == (
        "1至6月份，全市工矿商贸领域未发生生产安全事故，与去年同期持平。"
    )
    since = figures.parse({"period": "since", "month": "2026-07"})
    assert (since.start, since.end, since.previous_start, since.previous_end) == (
        date(2026, 7, 1),
        date(2026, 10, 20),
        date(2025, 7, 1),
        date(2025, 10, 20),
    )
    assert figures.sentence(w.users["city"], since) == (
        "7月以来，全市工矿商贸领域发生生产安全事故4起、死亡5人，去年同期未发生生产安全事故。"
    )
    with override("en"):
        assert figures.sentence(w.users["city"], since) == (
            "Since July 1, the city had 4 production safety accidents, with 5 deaths; there was none in the same "
            "period last year."
        )
        assert say(w.users["district"], {"period": "months", "from": "2026-01", "to": "2026-06"}) == (
            "From January to June, there was no production safety accident in industry, mining and commerce in "
            "海滨区, as in the same period last year."
        )


def test_fewer_than_last_year_and_none_now(world, today):
    """GIVEN two accidents (three deaths) in August 2025 and none in August 2026 WHEN 8月份 is said THEN none, and
    同比减少; then two with as many deaths: 同比持平."""
    w = world
    accident(w, w.e1, at(2025, 8, 3), deaths=1)
    accident(w, w.e2, at(2025, 8, 30), deaths=2)
    assert say(w.users["city"], {"period": "months", "from": "2026-08", "to": "2026-08"}) == (
        "8月份，全市工矿商贸领域未发生生产安全事故，同比减少2起、减少3人。"
    )
    accident(w, w.e2, at(2026, 8, 9), deaths=3)
    accident(w, w.e2, at(2026, 8, 10))
    assert say(w.users["city"], {"period": "months", "from": "2026-08", "to": "2026-08"}) == (
        "8月份，全市工矿商贸领域发生生产安全事故2起、死亡3人，同比持平。"
    )


def test_national_day_holiday_from_the_calendar(world, today):
    """GIVEN the State Council's calendar (国庆节 2026: 1–7 October; 2025: 1–8 October with 中秋节 on the 6th) and
    accidents on 30 September, 1 and 7 October 2026 and on 6 and 8 October 2025 WHEN 国庆假期期间 2026 is said THEN
    its days are read from the calendar, last year's holiday is the comparison, and the days off count."""
    w = world
    assert figures.holiday_days("国庆节", 2026) == (date(2026, 10, 1), date(2026, 10, 7))
    assert figures.holiday_days("国庆节", 2025) == (date(2025, 10, 1), date(2025, 10, 8))
    accident(w, w.e1, at(2026, 9, 30, 23, 0), deaths=4)  # the day before
    accident(w, w.e1, at(2026, 10, 1, 8, 0), deaths=1)
    accident(w, w.e2, at(2026, 10, 7, 23, 59))
    accident(w, w.e2, at(2025, 10, 6), deaths=1)  # 中秋节 within last year's days off
    accident(w, w.e2, at(2025, 10, 8), deaths=1)
    span = figures.parse({"period": "holiday", "name": "国庆节", "year": "2026"})
    assert (span.previous_start, span.previous_end) == (date(2025, 10, 1), date(2025, 10, 8))
    assert figures.sentence(w.users["city"], span) == (
        "国庆假期期间，全市工矿商贸领域发生生产安全事故2起、死亡1人，同比起数持平、减少1人。"
    )
    with override("en"):
        assert figures.sentence(w.users["city"], span).startswith(
            "During the National Day holiday, the city had 2 production safety accidents, with 1 death, the same "
            "number of accidents and 1 death fewer"
        )
    spring = figures.parse({"period": "holiday", "name": "春节", "year": "2025"})
    assert figures.sentence(w.users["city"], spring).startswith("2025年春节假期期间，全市工矿商贸领域未发生")


def test_days_and_labels(world, today):
    """GIVEN a period of days within a year and across one WHEN said THEN the days are named, the year when needed."""
    w = world
    assert say(w.users["city"], {"period": "days", "from": "2026-10-01", "to": "2026-10-08"}).startswith(
        "2026年10月1日至10月8日，全市工矿商贸领域未发生生产安全事故"
    )
    assert say(w.users["city"], {"period": "days", "from": "2025-12-28", "to": "2026-01-03"}).startswith(
        "2025年12月28日至2026年1月3日，"
    )
    assert say(w.users["city"], {"period": "months", "from": "2025-03", "to": "2025-05"}).startswith("2025年3至5月份，")
    assert say(w.users["city"], {}).startswith("1至10月份，")  # no period: this year so far


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"period": "weeks"}, "period", "months、since、holiday"),
        ({"period": "months", "from": "2026-13", "to": "2026-09"}, "from", "YYYY-MM"),
        ({"period": "months", "from": "2026-09", "to": "2026-07"}, "to", "早于"),
        ({"period": "months", "from": "2026-11", "to": "2026-12"}, "from", "尚未开始"),
        ({"period": "since"}, "month", "YYYY-MM"),
        ({"period": "days", "from": "2026-10-01", "to": "2026-10"}, "to", "YYYY-MM-DD"),
        ({"period": "holiday", "name": "国庆节", "year": "2027"}, "name", "工作日历"),
        ({"period": "holiday", "name": "", "year": "2026"}, "name", "国庆节"),
        ({"period": "holiday", "name": "国庆节", "year": "two"}, "year", "2000"),
        ({"year": "null"}, "year", "2000"),  # a year is a year wherever it is given
    ],
)
def test_bad_periods_are_named_errors_in_chinese(db, today, params, field, message):
    """GIVEN a bad period WHEN parsed THEN a ValidationError on the parameter, in Chinese."""
    with pytest.raises(ValidationError) as caught:
        figures.parse(params)
    assert list(caught.value.message_dict) == [field]
    assert message in " ".join(caught.value.message_dict[field])


def test_api_gives_the_figures_and_the_sentence(client, world, today):
    """GIVEN two accidents since July WHEN the API is asked by the city office, the district, an enterprise and with a
    bad period THEN the figures and sentence; the district its own; 403 for the enterprise; 400 naming `month`."""
    w = world
    accident(w, w.e1, at(2026, 7, 5), deaths=1)
    accident(w, w.e2, at(2026, 8, 5))
    url = "/api/v1/accident-figures/"
    client.force_login(w.users["city"])
    body = client.get(url, {"period": "since", "month": "2026-07"}).json()
    assert body["accidents"] == 2 and body["deaths"] == 1 and body["previous_accidents"] == 0
    assert body["start"] == "2026-07-01" and body["end"] == "2026-10-20" and body["previous_end"] == "2025-10-20"
    assert body["sentence"] == "7月以来，全市工矿商贸领域发生生产安全事故2起、死亡1人，去年同期未发生生产安全事故。"
    client.force_login(w.users["district"])
    assert client.get(url, {"period": "since", "month": "2026-07"}).json()["accidents"] == 1
    bad = client.get(url, {"period": "since", "month": "July"})
    assert bad.status_code == 400 and "YYYY-MM" in bad.json()["month"][0]
    client.force_login(w.users["enterprise"])
    assert client.get(url).status_code == 403
