from __future__ import annotations

import factory

from organizations.creditcode import ALPHABET, make_credit_code
from organizations.models import Department, Enterprise, Industry, Position, PositionAssignment, Region, User


def credit_code(n: int) -> str:
    body = ""
    for _ in range(9):
        n, digit = divmod(n, 31)
        body = ALPHABET[digit] + body
    return make_credit_code("91", "990100", body)


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"{990200 + n}")
    name = factory.Sequence(lambda n: f"区域{n}")
    level = "district"


class IndustryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Industry
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"I{n:03d}")
    name = factory.Sequence(lambda n: f"行业{n}")


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"dept-{n}")
    name = factory.Sequence(lambda n: f"部门{n}")

    @factory.post_generation
    def industries(self, create, extracted, **kwargs):
        if create and extracted:
            self.industries.set(extracted)


class EnterpriseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enterprise

    credit_code = factory.Sequence(lambda n: credit_code(1000 + n))
    name = factory.Sequence(lambda n: f"测试企业{n}有限公司")
    address = "测试路1号"
    principal_name = "张三"
    principal_phone = "13800000000"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.LazyAttribute(lambda o: o.username)
    password = factory.django.Password("Correct-Horse-42")


class PositionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Position

    title = factory.LazyAttribute(lambda o: f"{o.kind} position")


def assign(user: User, position: Position) -> PositionAssignment:
    return PositionAssignment.objects.create(user=user, position=position)


def plan_ahead(actor, post, start, end, *args, **kwargs):
    """A rota generated the day before its first day (a rota cannot be generated for days already over), the
    clock then running on from where it was: for tests that need shifts in the past or running now."""
    from datetime import datetime, time, timedelta

    import time_machine

    from duty_roster import rota
    from workdays.calendar import SHANGHAI

    with time_machine.travel(datetime.combine(start - timedelta(days=1), time(12), tzinfo=SHANGHAI), tick=False):
        return rota.generate(actor, post, start, end, *args, **kwargs)
