"""factory-boy factories for every model, shared by the whole suite."""

import datetime
import random

import factory
from django.contrib.auth.models import Group

from audit import models as audit_models
from audit.counts.contribution import record_contribution_change
from audit.synthetic import cases as synthetic
from cases import models as case_models
from standards import models as std


class FrameworkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = std.Framework

    code = "test-framework"
    version = factory.Sequence(lambda n: f"v{n}")
    title = factory.LazyAttribute(lambda o: f"Test framework {o.version}")
    status = std.FrameworkStatus.DRAFT


class DomainFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = std.Domain

    framework = factory.SubFactory(FrameworkFactory)
    code = factory.Sequence(lambda n: str(n + 1))
    title = "Case supervision"


class StandardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = std.Standard

    domain = factory.SubFactory(DomainFactory)
    framework = factory.SelfAttribute("domain.framework")
    code = factory.Sequence(lambda n: f"2.{n + 1}")
    title = factory.Sequence(lambda n: f"Standard {n}")
    rated_by = std.RatedBy.CASE_DATA


class KeyQuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = std.KeyQuestion

    standard = factory.SubFactory(StandardFactory)
    code = factory.Sequence(lambda n: f"9.{n}.1")
    lens = std.Lens.ENGAGING
    wording = factory.Sequence(lambda n: f"Key question {n}?")


class PromptFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = std.Prompt

    key_question = factory.SubFactory(KeyQuestionFactory)
    code = factory.Sequence(lambda n: f"9.{n}.1.a")
    wording = factory.Sequence(lambda n: f"Prompt {n}?")


DEFAULT_BANDS = [("outstanding", 80), ("good", 65), ("requires_improvement", 50), ("inadequate", 0)]


def add_default_bands(framework, score_bands=None):
    """The domain notes' default percentage bands and 2018 score bands."""
    for rating, bound in DEFAULT_BANDS:
        std.RatingBand.objects.create(framework=framework, rating=rating, lower_bound=bound)
    for rating, low, high in score_bands or [
        ("inadequate", 0, 5),
        ("requires_improvement", 6, 15),
        ("good", 16, 25),
        ("outstanding", 26, 30),
    ]:
        std.ScoreBand.objects.create(
            framework=framework, rating=rating, min_score=low, max_score=high
        )


class ProviderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = case_models.Provider

    type = case_models.ProviderType.PDU
    code = factory.Sequence(lambda n: f"PDU{n:03d}")
    name = factory.Sequence(lambda n: f"Probation Delivery Unit {n}")


class CaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = case_models.Case

    crn = factory.Sequence(lambda n: f"T{n:06d}")
    provider = factory.SubFactory(ProviderFactory)
    sentence_type = case_models.SentenceType.COMMUNITY_ORDER
    start_date = datetime.date(2026, 3, 1)
    rosh_level = case_models.RoshLevel.MEDIUM
    gender = case_models.Gender.MALE
    ethnicity = "White"
    age_band = "25-34"
    practitioner_grade = case_models.PractitionerGrade.PO


def _synthetic_case(field):
    """One field of the shared generator's case number n: every field of a case is drawn from
    the same seed, so the record is consistent and the same on every run."""
    return factory.Sequence(
        lambda n: synthetic.case_fields(
            random.Random(n), first_start=datetime.date(2026, 1, 1), spread_days=150
        )[field]
    )


class SyntheticCaseFactory(CaseFactory):
    """A realistic case from the generator the demo and the national data set use (sentence,
    RoSH level, MAPPA, gender, risk flags), where a test wants variety rather than fixed values."""

    crn = factory.Sequence(lambda n: f"S{n:06d}")
    sentence_type = _synthetic_case("sentence_type")
    start_date = _synthetic_case("start_date")
    rosh_level = _synthetic_case("rosh_level")
    mappa_category = _synthetic_case("mappa_category")
    mappa_level = _synthetic_case("mappa_level")
    gender = _synthetic_case("gender")
    ethnicity = _synthetic_case("ethnicity")
    age_band = _synthetic_case("age_band")
    domestic_abuse_history = _synthetic_case("domestic_abuse_history")
    child_safeguarding_concerns = _synthetic_case("child_safeguarding_concerns")
    practitioner_grade = _synthetic_case("practitioner_grade")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = audit_models.User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"User {n}")
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            for role in extracted:
                self.groups.add(Group.objects.get_or_create(name=role)[0])

    @factory.post_generation
    def scope(self, create, extracted, **kwargs):
        if create and extracted:
            self.providers.add(*extracted)
        if create:
            self.save()


class InspectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = audit_models.Inspection
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Inspection {n}")
    framework = factory.SubFactory(FrameworkFactory)
    period_start = datetime.date(2026, 1, 1)
    period_end = datetime.date(2026, 6, 30)
    status = audit_models.InspectionStatus.FIELDWORK

    @factory.post_generation
    def providers(self, create, extracted, **kwargs):
        if create and extracted:
            self.providers.add(*extracted)


class SampledCaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = audit_models.SampledCase

    inspection = factory.SubFactory(InspectionFactory)
    case = factory.SubFactory(CaseFactory)
    provider = factory.SelfAttribute("case.provider")


class CountedFactory(factory.django.DjangoModelFactory):
    """Writes as a service would: the review's contribution to the roll-up's counts is
    recorded after the row is created."""

    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        obj = super()._create(model_class, *args, **kwargs)
        record_contribution_change(review_ids=[cls._review_id(obj)])
        return obj

    @staticmethod
    def _review_id(obj):
        return obj.review_id


class CaseReviewFactory(CountedFactory):
    class Meta:
        model = audit_models.CaseReview

    @staticmethod
    def _review_id(obj):
        return obj.pk

    sampled_case = factory.SubFactory(SampledCaseFactory)
    status = audit_models.ReviewStatus.NOT_STARTED

    # Set (or `with_facts=True`): the case facts an assessor would record for its case, drawn
    # by the shared generator from this seed.
    facts_seed = None

    class Params:
        with_facts = factory.Trait(facts_seed=factory.Sequence(lambda n: n))

    @classmethod
    def _adjust_kwargs(cls, **kwargs):
        seed = kwargs.pop("facts_seed", None)
        if seed is not None:
            case = kwargs["sampled_case"].case
            facts, _ = synthetic.review_facts(random.Random(seed), 0.7, case)
            kwargs = {**facts, **kwargs}
        return kwargs


class JudgementFactory(CountedFactory):
    class Meta:
        model = audit_models.Judgement

    review = factory.SubFactory(CaseReviewFactory)
    key_question = factory.SubFactory(KeyQuestionFactory)
    value = std.JudgementValue.SUFFICIENT


class PromptAnswerFactory(CountedFactory):
    class Meta:
        model = audit_models.PromptAnswer

    review = factory.SubFactory(CaseReviewFactory)
    prompt = factory.SubFactory(PromptFactory)
    value = std.PromptValue.YES


class ModerationReadFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = audit_models.ModerationRead

    review = factory.SubFactory(CaseReviewFactory, status=audit_models.ReviewStatus.SUBMITTED)
    reason = audit_models.ModerationRead.Reason.RANDOM


class ModerationJudgementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = audit_models.ModerationJudgement

    read = factory.SubFactory(ModerationReadFactory)
    key_question = factory.SubFactory(KeyQuestionFactory)
    value = std.JudgementValue.SUFFICIENT


class ResolutionFactory(CountedFactory):
    class Meta:
        model = audit_models.Resolution

    @staticmethod
    def _review_id(obj):
        return obj.judgement.review_id

    judgement = factory.SubFactory(JudgementFactory)
    value = std.JudgementValue.SUFFICIENT
    note = "Resolved after discussion with both readers."
