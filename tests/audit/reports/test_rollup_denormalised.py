"""The roll-up's copy on reviews, judgements and prompt answers (inspection, provider, value
counted) stays exactly in step with the reviews, sampled cases and resolutions it is derived
from, through every service transition and every kind of write, so that the roll-up's
aggregates read one narrow index each."""

import random

import pytest
from django.apps import apps
from django.db.models import Count, Q
from django.db.models.functions import Coalesce

from audit.accounts.roles import Role
from audit.models import (
    COUNTED_REVIEW_STATUSES,
    CaseReview,
    Inspection,
    InspectionStatus,
    Judgement,
    PromptAnswer,
    Resolution,
    ReviewStatus,
    SampledCase,
)
from audit.moderation import services as moderation
from audit.reports.rollup import rollup, rollup_copy_mismatches
from audit.scoring import services
from standards.models import Prompt
from tests.audit.moderation_support import (
    NA,
    N,
    S,
    inspection_for,
    key_questions,
    published_framework,
    submitted_review,
)
from tests.audit.scoring_support import review_of, score_completely, scoring_setup
from tests.factories import CaseFactory, ProviderFactory

pytestmark = pytest.mark.django_db


def copy_of(judgement):
    judgement = Judgement.objects.get(pk=judgement.pk)
    return judgement.rollup_value


def counted_from_base_tables(inspection):
    """Sufficient / applicable / not applicable per provider and key question, computed the
    long way: the review's status, the sampled case and Coalesce(resolution, judgement)."""
    rows = (
        Judgement.objects.filter(
            review__sampled_case__inspection=inspection,
            review__status__in=COUNTED_REVIEW_STATUSES,
        )
        .annotate(effective=Coalesce("resolution__value", "value"))
        .values("review__sampled_case__provider__code", "key_question__code")
        .annotate(
            sufficient=Count("id", filter=Q(effective=S)),
            applicable=Count("id", filter=Q(effective__in=[S, N])),
            not_applicable=Count("id", filter=Q(effective=NA)),
        )
    )
    return {
        (r["review__sampled_case__provider__code"], r["key_question__code"]): (
            r["sufficient"],
            r["applicable"],
            r["not_applicable"],
        )
        for r in rows
    }


def counted_by_rollup(inspection):
    return {
        (p.code, kq.code): (kq.sufficient, kq.applicable, kq.not_applicable)
        for p in rollup(inspection).providers
        for kq in p.key_questions
        if kq.applicable or kq.not_applicable
    }


# --- through the services ------------------------------------------------------------------


def test_every_service_transition_keeps_the_copy_in_step(hmip_2018, make_user):
    setup = scoring_setup(hmip_2018, make_user, cases=1)
    inspection, assessor, lead = setup["inspection"], setup["assessor"], setup["lead"]
    Inspection.objects.filter(pk=inspection.pk).update(status=InspectionStatus.FIELDWORK)
    inspection.refresh_from_db()
    review = score_completely(
        review_of(inspection, "X000001"), assessor, hmip_2018, not_sufficient=("2.1.3",)
    )
    judgement = Judgement.objects.get(review=review, key_question__code="2.1.3")

    # Scored but not submitted: nothing counts yet, though the copy knows where it belongs.
    assert judgement.rollup_inspection_id == inspection.pk
    assert judgement.rollup_provider_id == setup["provider"].pk
    assert copy_of(judgement) == ""
    answers = PromptAnswer.objects.filter(review=review)
    assert answers.count() > 40
    assert set(answers.values_list("rollup_value", flat=True)) == {""}
    assert set(answers.values_list("rollup_provider", flat=True)) == {setup["provider"].pk}
    assert rollup(inspection).whole.key_question("2.1.3").applicable == 0

    review = services.submit_review(
        review=review_of(inspection, "X000001"), version=review.version, user=assessor
    )
    assert copy_of(judgement) == N
    assert "" not in set(answers.values_list("rollup_value", flat=True))
    assert not rollup_copy_mismatches()

    services.return_review(
        review=review_of(inspection, "X000001"),
        user=lead,
        comment="Say more about the partner's safety.",
    )
    assert copy_of(judgement) == ""
    assert set(answers.values_list("rollup_value", flat=True)) == {""}
    review = review_of(inspection, "X000001")
    services.save_review(
        review=review,
        version=review.version,
        user=assessor,
        standard_code="2.1",
        answers={},
        judgements={"2.1.3": ("sufficient", "")},
    )
    assert copy_of(judgement) == ""  # changed, but still not counted
    review = review_of(inspection, "X000001")
    services.submit_review(review=review, version=review.version, user=assessor)
    assert copy_of(judgement) == S

    services.reopen_review(review=review_of(inspection, "X000001"), user=lead)
    assert copy_of(judgement) == ""
    review = review_of(inspection, "X000001")
    services.submit_review(review=review, version=review.version, user=assessor)
    assert copy_of(judgement) == S
    assert not rollup_copy_mismatches()

    # A blind second read that disagrees, then the lead's resolution, changed, then withdrawn.
    moderator = make_user(Role.MODERATOR, providers=[setup["provider"]])
    read = moderation.select_for_moderation(review=review_of(inspection, "X000001"), by=lead)
    moderation.assign_moderator(reads=[read], moderator=moderator, by=lead)
    second = {kq.code: (S, "") for kq in moderation.moderation_key_questions(review)}
    second["2.1.3"] = (N, "The partner's safety was never assessed.")
    moderation.record_second_read(read=read, by=moderator, judgements=second)
    assert review_of(inspection, "X000001").status == ReviewStatus.MODERATED
    assert copy_of(judgement) == S  # moderated still counts; the first value until resolved

    moderation.resolve_disagreement(
        judgement=judgement, value=N, note="Agreed: not assessed.", by=lead
    )
    assert copy_of(judgement) == N
    moderation.resolve_disagreement(
        judgement=judgement, value=S, note="On reflection, enough.", by=lead
    )
    assert copy_of(judgement) == S
    Resolution.objects.get(judgement=judgement).delete()
    assert copy_of(judgement) == S  # the first judgement's value again
    assert not rollup_copy_mismatches()
    assert counted_by_rollup(inspection) == counted_from_base_tables(inspection)
    answer = PromptAnswer.objects.get(review=review, prompt__code="2.1.3.d")
    assert (answer.rollup_inspection_id, answer.rollup_value) == (inspection.pk, "yes")


# --- every other kind of write ---------------------------------------------------------------


@pytest.fixture
def small():
    framework = published_framework()
    inspection = inspection_for(framework)
    return {"framework": framework, "inspection": inspection, "kqs": key_questions(framework)}


def test_single_saves_keep_the_copy_in_step(small, make_user):
    assessor = make_user(Role.ASSESSOR)
    review = submitted_review(small["inspection"], assessor, [S, N, NA])
    first = Judgement.objects.get(review=review, key_question=small["kqs"][0])
    assert (first.rollup_inspection_id, first.rollup_value) == (small["inspection"].pk, S)

    first.value = N
    first.save()
    assert copy_of(first) == N

    review.status = ReviewStatus.RETURNED
    review.save()
    assert copy_of(first) == ""
    review.status = ReviewStatus.SUBMITTED
    review.save(update_fields=["status"])
    assert copy_of(first) == N

    resolution = Resolution.objects.create(judgement=first, value=S, note="Second read right.")
    assert copy_of(first) == S
    resolution.value = NA
    resolution.save()
    assert copy_of(first) == NA
    resolution.delete()
    assert copy_of(first) == N

    elsewhere = ProviderFactory()
    sampled = review.sampled_case
    sampled.provider = elsewhere
    sampled.save()
    assert Judgement.objects.get(pk=first.pk).rollup_provider_id == elsewhere.pk
    assert not rollup_copy_mismatches()


def test_bulk_writes_keep_the_copy_in_step(small, make_user):
    assessor = make_user(Role.ASSESSOR)
    reviews = [submitted_review(small["inspection"], assessor, [S, N, NA]) for _ in range(3)]
    ids = [r.pk for r in reviews]

    CaseReview.objects.filter(pk__in=ids[:2]).update(status=ReviewStatus.IN_PROGRESS)
    assert not Judgement.objects.filter(review_id__in=ids[:2]).exclude(rollup_value="").exists()
    assert Judgement.objects.filter(review_id=ids[2]).exclude(rollup_value="").count() == 3
    assert not rollup_copy_mismatches()

    # A filter on the status being changed: only the rows found are changed and refreshed.
    CaseReview.objects.filter(pk__in=ids, status=ReviewStatus.IN_PROGRESS).update(
        status=ReviewStatus.SUBMITTED
    )
    assert not rollup_copy_mismatches()
    assert Judgement.objects.filter(review_id__in=ids).exclude(rollup_value="").count() == 9

    objs = list(CaseReview.objects.filter(pk__in=ids[:1]))
    objs[0].status = ReviewStatus.RETURNED
    CaseReview.objects.bulk_update(objs, ["status"])
    assert not rollup_copy_mismatches()

    Judgement.objects.filter(review_id=ids[1]).update(value=N)
    assert set(
        Judgement.objects.filter(review_id=ids[1]).values_list("rollup_value", flat=True)
    ) == {N}
    judgements = list(Judgement.objects.filter(review_id=ids[2]))
    for j in judgements:
        j.value = S
    Judgement.objects.bulk_update(judgements, ["value"])
    assert set(
        Judgement.objects.filter(review_id=ids[2]).values_list("rollup_value", flat=True)
    ) == {S}

    resolutions = Resolution.objects.bulk_create(
        Resolution(judgement=j, value=NA, note="Resolved in bulk.") for j in judgements
    )
    assert set(
        Judgement.objects.filter(review_id=ids[2]).values_list("rollup_value", flat=True)
    ) == {NA}
    Resolution.objects.filter(pk=resolutions[0].pk).update(value=N)
    assert copy_of(judgements[0]) == N
    Resolution.objects.filter(judgement__review_id=ids[2]).delete()
    assert set(
        Judgement.objects.filter(review_id=ids[2]).values_list("rollup_value", flat=True)
    ) == {S}

    SampledCase.objects.filter(review__pk=ids[0]).update(provider=ProviderFactory())
    assert not rollup_copy_mismatches()

    # Prompt answers: created, changed and moved in bulk, and one by one.
    prompts = list(Prompt.objects.filter(key_question__in=small["kqs"]))
    created = PromptAnswer.objects.bulk_create(
        PromptAnswer(review_id=pk, prompt=prompt, value="yes") for pk in ids for prompt in prompts
    )
    assert not rollup_copy_mismatches()
    PromptAnswer.objects.filter(review_id=ids[2]).update(value="no")
    assert set(
        PromptAnswer.objects.filter(review_id=ids[2]).values_list("rollup_value", flat=True)
    ) == {"no"}
    for answer in created[:2]:
        answer.value = "na"
    PromptAnswer.objects.bulk_update(created[:2], ["value"])
    created[2].value = "no"
    created[2].save()
    assert not rollup_copy_mismatches()

    # A judgement moved to another review takes that review's place and status.
    moved = Judgement.objects.filter(review_id=ids[1]).first()
    Judgement.objects.filter(review_id=ids[0], key_question=moved.key_question).delete()
    Judgement.objects.filter(pk=moved.pk).update(review_id=ids[0])
    assert copy_of(moved) == ""  # review 0 was returned
    assert not rollup_copy_mismatches()


def test_reviews_carry_their_sampled_case_inspection_and_provider(small, make_user):
    assessor = make_user(Role.ASSESSOR)
    review = submitted_review(small["inspection"], assessor, [S, N, NA])
    assert (review.rollup_inspection_id, review.rollup_provider_id) == (
        small["inspection"].pk,
        small["inspection"].test_provider.pk,
    )

    # Created in bulk, with or without the sampled case loaded.
    more = [
        SampledCase.objects.create(
            inspection=small["inspection"],
            case=CaseFactory(),
            provider=small["inspection"].test_provider,
        )
        for _ in range(2)
    ]
    CaseReview.objects.bulk_create(
        [CaseReview(sampled_case=more[0]), CaseReview(sampled_case_id=more[1].pk)]
    )
    assert not rollup_copy_mismatches()

    elsewhere = ProviderFactory()
    SampledCase.objects.filter(pk=more[0].pk).update(provider=elsewhere)
    assert CaseReview.objects.get(sampled_case=more[0]).rollup_provider_id == elsewhere.pk
    sampled = review.sampled_case
    sampled.provider = elsewhere
    sampled.save(update_fields=["provider"])
    assert CaseReview.objects.get(pk=review.pk).rollup_provider_id == elsewhere.pk
    assert set(review.judgements.values_list("rollup_provider", flat=True)) == {elsewhere.pk}

    # A review moved to another sampled case (never done by the services) follows it.
    other = submitted_review(inspection_for(small["framework"]), assessor, [S, S, S])
    moved_to = other.sampled_case
    other.delete()
    CaseReview.objects.filter(pk=review.pk).update(sampled_case=moved_to)
    assert CaseReview.objects.get(pk=review.pk).rollup_inspection_id == moved_to.inspection_id
    assert not rollup_copy_mismatches()

    migration = __import__(
        "audit.migrations.0007_review_rollup_copy", fromlist=["fill_review_copy"]
    )
    CaseReview.objects.update(rollup_inspection=None, rollup_provider=None)
    assert len(rollup_copy_mismatches()) == 3
    migration.fill_review_copy(apps, None)
    assert not rollup_copy_mismatches()


def test_deleting_an_inspection_with_resolutions_still_works(small, make_user):
    review = submitted_review(small["inspection"], make_user(Role.ASSESSOR), [S, N, NA])
    Resolution.objects.create(judgement=review.judgements.first(), value=N, note="Resolved.")
    small["inspection"].delete()
    assert not Judgement.objects.exists()
    assert not Resolution.objects.exists()


def test_a_random_sequence_of_writes_never_leaves_the_copy_behind(small, make_user):
    """Two hundred random writes of every kind; after each, the copy matches what it derives
    from and the roll-up equals the aggregate over the base tables."""
    rng = random.Random(9)
    inspection = small["inspection"]
    second_provider = ProviderFactory()
    inspection.providers.add(second_provider)
    assessor = make_user(Role.ASSESSOR)
    reviews = [
        submitted_review(inspection, assessor, [rng.choice([S, N, NA]) for _ in range(3)])
        for _ in range(6)
    ]
    PromptAnswer.objects.bulk_create(
        PromptAnswer(review=review, prompt=prompt, value="yes")
        for review in reviews
        for prompt in Prompt.objects.filter(key_question__in=small["kqs"])
    )
    statuses = [s.value for s in ReviewStatus]
    values = [S, N, NA]

    def random_judgement():
        return Judgement.objects.filter(review__in=reviews).order_by("?").first()

    operations = {
        "status by update": lambda: CaseReview.objects.filter(pk=rng.choice(reviews).pk).update(
            status=rng.choice(statuses)
        ),
        "status by save": lambda: _save_status(rng.choice(reviews), rng.choice(statuses)),
        "value by update": lambda: Judgement.objects.filter(pk=random_judgement().pk).update(
            value=rng.choice(values)
        ),
        "value by save": lambda: _save_value(random_judgement(), rng.choice(values)),
        "answer by update": lambda: PromptAnswer.objects.filter(
            pk__in=PromptAnswer.objects.order_by("?").values("pk")[:1]
        ).update(value=rng.choice(["yes", "no", "na"])),
        "resolve": lambda: Resolution.objects.update_or_create(
            judgement=random_judgement(),
            defaults={"value": rng.choice(values), "note": "Resolved."},
        ),
        "unresolve": lambda: Resolution.objects.filter(
            pk__in=Resolution.objects.order_by("?").values("pk")[:1]
        ).delete(),
        "move provider": lambda: SampledCase.objects.filter(review=rng.choice(reviews)).update(
            provider=rng.choice([inspection.test_provider, second_provider])
        ),
    }
    names = sorted(operations)
    for step in range(200):
        name = rng.choice(names)
        operations[name]()
        assert not rollup_copy_mismatches(), (step, name)
        if step % 20 == 0:
            assert counted_by_rollup(inspection) == counted_from_base_tables(inspection), step
    assert counted_by_rollup(inspection) == counted_from_base_tables(inspection)


def _save_status(review, status):
    review = CaseReview.objects.get(pk=review.pk)
    review.status = status
    review.save()


def _save_value(judgement, value):
    judgement.value = value
    judgement.save()


def test_the_migration_fills_the_copy_of_existing_judgements(small, make_user):
    assessor = make_user(Role.ASSESSOR)
    counted = submitted_review(small["inspection"], assessor, [S, N, NA])
    draft = submitted_review(
        small["inspection"], assessor, [N, N, N], status=ReviewStatus.IN_PROGRESS
    )
    Resolution.objects.create(judgement=counted.judgements.get(value=N), value=S, note="Agreed.")
    PromptAnswer.objects.bulk_create(
        PromptAnswer(review=review, prompt=prompt, value="no")
        for review in (counted, draft)
        for prompt in Prompt.objects.filter(key_question__in=small["kqs"])
    )
    # As the rows stood before the migrations: no copy at all.
    Judgement.objects.update(rollup_inspection=None, rollup_provider=None, rollup_value="")
    PromptAnswer.objects.update(rollup_inspection=None, rollup_provider=None, rollup_value="")
    assert len(rollup_copy_mismatches()) == 6 + 6

    migration = __import__(
        "audit.migrations.0005_judgement_rollup_copy", fromlist=["fill_rollup_copy"]
    )
    migration.fill_rollup_copy(apps, None)
    migration = __import__(
        "audit.migrations.0008_prompt_answer_rollup_copy", fromlist=["fill_answer_copy"]
    )
    migration.fill_answer_copy(apps, None)

    assert not rollup_copy_mismatches()
    assert sorted(counted.judgements.values_list("rollup_value", flat=True)) == [NA, S, S]
    assert set(draft.judgements.values_list("rollup_value", flat=True)) == {""}
    assert set(counted.prompt_answers.values_list("rollup_value", flat=True)) == {"no"}
    assert set(draft.prompt_answers.values_list("rollup_value", flat=True)) == {""}
