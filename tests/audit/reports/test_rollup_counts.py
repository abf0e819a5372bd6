"""The roll-up's maintained counts stay exactly equal to a recomputation from the base tables
(reviews, sampled cases, cases, judgements, resolutions, prompt answers) through every service
transition and a long random sequence of writes of every kind, each followed by the writer's
explicit `record_contribution_change`; `rollup_check` finds and repairs any difference."""

import io
import random

import pytest
from django.core.management import call_command
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Coalesce

from audit.accounts.roles import Role
from audit.counts.contribution import record_case_change, record_contribution_change
from audit.counts.read import change_numbers
from audit.counts.rebuild import differences, rebuild_counts
from audit.models import (
    COUNTED_REVIEW_STATUSES,
    CaseReview,
    CountKind,
    Inspection,
    InspectionStatus,
    Judgement,
    PromptAnswer,
    Resolution,
    ReviewContribution,
    ReviewStatus,
    RollupCount,
    SampledCase,
)
from audit.moderation import services as moderation
from audit.reports.breakdowns import DIMENSIONS, breakdowns
from audit.reports.rollup import rollup
from audit.scoring import services
from cases.models import Case
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
from tests.factories import ProviderFactory

pytestmark = pytest.mark.django_db


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


def focus_by_rollup(inspection):
    return {
        (p.code, m.code): (m.numerator, m.denominator)
        for p in rollup(inspection).providers
        for m in p.focus_measures
        if m.denominator
    }


def breakdowns_by_counts(inspection):
    result = rollup(inspection)
    return {
        (b.dimension.key, value, row.code): (cell.sufficient, cell.applicable)
        for b in breakdowns(inspection, key_questions=result.whole.key_questions)
        for row in b.rows
        for (value, _), cell in zip(b.columns, row.cells)
        if cell.applicable
    }


def breakdowns_from_base_tables(inspection):
    """The same cells read from the judgements (the filtered path): Q() filters nothing."""
    result = rollup(inspection)
    return {
        (b.dimension.key, value, row.code): (cell.sufficient, cell.applicable)
        for b in breakdowns(inspection, key_questions=result.whole.key_questions, filters=~Q(pk=0))
        for row in b.rows
        for (value, _), cell in zip(b.columns, row.cells)
        if cell.applicable
    }


def assert_exact(inspection, step=None):
    assert differences() == [], step
    assert counted_by_rollup(inspection) == counted_from_base_tables(inspection), step


# --- through the services ------------------------------------------------------------------


def test_every_service_transition_keeps_the_counts_exact(hmip_2018, make_user):
    setup = scoring_setup(hmip_2018, make_user, cases=1)
    inspection, assessor, lead = setup["inspection"], setup["assessor"], setup["lead"]
    Inspection.objects.filter(pk=inspection.pk).update(status=InspectionStatus.FIELDWORK)
    inspection.refresh_from_db()
    review = score_completely(
        review_of(inspection, "X000001"), assessor, hmip_2018, not_sufficient=("2.1.3",)
    )
    judgement = Judgement.objects.get(review=review, key_question__code="2.1.3")

    # Scored but not submitted: nothing counts yet.
    assert not RollupCount.objects.exists() and not ReviewContribution.objects.exists()
    assert rollup(inspection).whole.key_question("2.1.3").applicable == 0

    review = services.submit_review(
        review=review_of(inspection, "X000001"), version=review.version, user=assessor
    )
    kq = rollup(inspection).whole.key_question("2.1.3")
    assert (kq.sufficient, kq.applicable) == (0, 1)
    assert rollup(inspection).whole.reviews == 1
    assert_exact(inspection)

    services.return_review(
        review=review_of(inspection, "X000001"),
        user=lead,
        comment="Say more about the partner's safety.",
    )
    assert rollup(inspection).whole.reviews == 0
    assert not RollupCount.objects.exclude(n=0).exclude(kind=CountKind.CHANGES).exists()
    review = review_of(inspection, "X000001")
    services.save_review(
        review=review,
        version=review.version,
        user=assessor,
        standard_code="2.1",
        answers={},
        judgements={"2.1.3": ("sufficient", "")},
    )
    assert rollup(inspection).whole.reviews == 0  # changed, but still not counted
    review = review_of(inspection, "X000001")
    services.submit_review(review=review, version=review.version, user=assessor)
    assert rollup(inspection).whole.key_question("2.1.3").sufficient == 1

    services.reopen_review(review=review_of(inspection, "X000001"), user=lead)
    assert rollup(inspection).whole.key_question("2.1.3").applicable == 0
    review = review_of(inspection, "X000001")
    services.submit_review(review=review, version=review.version, user=assessor)
    assert_exact(inspection)

    # A blind second read that disagrees, then the lead's resolution, changed.
    moderator = make_user(Role.MODERATOR, providers=[setup["provider"]])
    read = moderation.select_for_moderation(review=review_of(inspection, "X000001"), by=lead)
    moderation.assign_moderator(reads=[read], moderator=moderator, by=lead)
    second = {kq.code: (S, "") for kq in moderation.moderation_key_questions(review)}
    second["2.1.3"] = (N, "The partner's safety was never assessed.")
    moderation.record_second_read(read=read, by=moderator, judgements=second)
    assert review_of(inspection, "X000001").status == ReviewStatus.MODERATED
    assert rollup(inspection).whole.key_question("2.1.3").sufficient == 1  # first value

    moderation.resolve_disagreement(
        judgement=judgement, value=N, note="Agreed: not assessed.", by=lead
    )
    assert rollup(inspection).whole.key_question("2.1.3").sufficient == 0
    moderation.resolve_disagreement(
        judgement=judgement, value=S, note="On reflection, enough.", by=lead
    )
    assert rollup(inspection).whole.key_question("2.1.3").sufficient == 1
    assert_exact(inspection)
    assert breakdowns_by_counts(inspection) == breakdowns_from_base_tables(inspection)
    assert focus_by_rollup(inspection)  # the prompt and case-fact measures are counted


def test_an_in_progress_save_writes_no_count(hmip_2018, make_user, django_assert_num_queries):
    setup = scoring_setup(hmip_2018, make_user, cases=1)
    inspection = setup["inspection"]
    Inspection.objects.filter(pk=inspection.pk).update(status=InspectionStatus.FIELDWORK)
    review = review_of(inspection, "X000001")
    # Not counted before or after: one query (the review and its stored contribution).
    with django_assert_num_queries(1):
        assert record_contribution_change(review_ids=[review.pk]) == 0


# --- any order of writes ---------------------------------------------------------------------


@pytest.fixture
def small():
    framework = published_framework()
    inspection = inspection_for(framework)
    return {"framework": framework, "inspection": inspection, "kqs": key_questions(framework)}


def test_a_random_sequence_of_writes_keeps_the_counts_exact(small, make_user):
    """Three hundred random writes of every kind, each followed by its writer's explicit call;
    after each, the counts equal the recomputation from the base tables, and rollup_check
    finds nothing at the end."""
    rng = random.Random(15)
    inspection = small["inspection"]
    second_provider = ProviderFactory()
    inspection.providers.add(second_provider)
    assessor = make_user(Role.ASSESSOR)
    reviews = [
        submitted_review(inspection, assessor, [rng.choice([S, N, NA]) for _ in range(3)])
        for _ in range(8)
    ]
    PromptAnswer.objects.bulk_create(
        PromptAnswer(review=review, prompt=prompt, value="yes")
        for review in reviews
        for prompt in Prompt.objects.filter(key_question__in=small["kqs"])
    )
    record_contribution_change(review_ids=[r.pk for r in reviews])
    values = [S, N, NA]

    def random_judgement():
        return Judgement.objects.filter(review__in=reviews).order_by("?").first()

    def status(to):
        def write():
            review = rng.choice(reviews)
            CaseReview.objects.filter(pk=review.pk).update(status=to)
            return [review.pk]

        return write

    def judgement_value():
        judgement = random_judgement()
        Judgement.objects.filter(pk=judgement.pk).update(value=rng.choice(values))
        return [judgement.review_id]

    def answer():
        found = PromptAnswer.objects.order_by("?").first()
        PromptAnswer.objects.filter(pk=found.pk).update(value=rng.choice(["yes", "no", "na"]))
        return [found.review_id]

    def resolve():
        judgement = random_judgement()
        Resolution.objects.update_or_create(
            judgement=judgement, defaults={"value": rng.choice(values), "note": "Resolved."}
        )
        return [judgement.review_id]

    def unresolve():
        found = Resolution.objects.order_by("?").select_related("judgement").first()
        if found is None:
            return []
        found.delete()
        return [found.judgement.review_id]

    def move():
        review = rng.choice(reviews)
        SampledCase.objects.filter(review=review).update(
            provider=rng.choice([inspection.test_provider, second_provider])
        )
        return [review.pk]

    def case_facts():
        case = Case.objects.filter(sampled_in__review__in=reviews).order_by("?").first()
        Case.objects.filter(pk=case.pk).update(
            rosh_level=rng.choice(["low", "medium", "high"]),
            gender=rng.choice(["male", "female"]),
            ethnicity=rng.choice(["", "White", "Asian"]),
        )
        record_case_change(case_ids=[case.pk])
        return []

    def review_facts():
        review = rng.choice(reviews)
        CaseReview.objects.filter(pk=review.pk).update(
            rosh_screening_completed=rng.choice(["", "yes", "no"]),
            home_visit_needed=rng.choice(["yes", "no"]),
            home_visit_made=rng.choice(["yes", "no", "na"]),
        )
        return [review.pk]

    operations = {
        "submit": status(ReviewStatus.SUBMITTED),
        "return": status(ReviewStatus.RETURNED),
        "reopen": status(ReviewStatus.IN_PROGRESS),
        "moderate": status(ReviewStatus.MODERATED),
        "change judgement": judgement_value,
        "change answer": answer,
        "resolve": resolve,
        "unresolve": unresolve,
        "move case": move,
        "change case facts": case_facts,
        "change review facts": review_facts,
    }
    names = sorted(operations)
    for step in range(300):
        name = rng.choice(names)
        record_contribution_change(review_ids=operations[name]())
        assert differences() == [], (step, name)
        if step % 25 == 0:
            assert_exact(inspection, (step, name))
            assert breakdowns_by_counts(inspection) == breakdowns_from_base_tables(inspection)
    assert_exact(inspection)
    out = io.StringIO()
    call_command("rollup_check", stdout=out)
    assert "The counts match the base tables." in out.getvalue()


def test_rollup_check_reports_and_repairs_every_difference(small, make_user):
    assessor = make_user(Role.ASSESSOR)
    inspection = small["inspection"]
    for values in ([S, N, NA], [S, S, S]):
        submitted_review(inspection, assessor, values)
    first_kq = small["kqs"][0]
    before = counted_by_rollup(inspection)
    # A write that forgot to record its change, and a stray count.
    Judgement.objects.filter(key_question=first_kq).update(value=N)
    stray = RollupCount.objects.filter(kind="reviews").first()
    RollupCount.objects.filter(pk=stray.pk).update(n=F("n") + 5)

    out = io.StringIO()
    with pytest.raises(SystemExit) as exit:
        call_command("rollup_check", "--inspection", str(inspection.pk), stdout=out)
    assert exit.value.code == 1
    printed = out.getvalue()
    assert f"inspection {inspection.pk} provider {inspection.test_provider.pk} " in printed
    assert f"kq {first_kq.pk} sufficient: stored 2, recomputed 0" in printed
    assert "reviews: stored 7, recomputed 2" in printed
    assert "review " in printed and "contribution stored differs" in printed
    assert counted_by_rollup(inspection) == before  # the counts still say what they held

    with pytest.raises(SystemExit):
        call_command("rollup_check", "--repair", stdout=io.StringIO())
    out = io.StringIO()
    call_command("rollup_check", stdout=out)
    assert "The counts match the base tables." in out.getvalue()
    assert counted_by_rollup(inspection) == counted_from_base_tables(inspection)
    assert counted_by_rollup(inspection) != before


def test_rebuilding_gives_the_counts_the_saves_gave(small, make_user):
    assessor = make_user(Role.ASSESSOR)
    inspection = small["inspection"]
    for values in ([S, N, NA], [N, N, S], [NA, S, S]):
        submitted_review(inspection, assessor, values)
    # Each key's total (a rebuild writes one stripe per key, as the fold leaves them).
    figures = (
        RollupCount.objects.exclude(kind=CountKind.CHANGES)
        .values_list("kind", "subject", "dimension", "dimension_value", "value")
        .annotate(total=Sum("n"))
        .order_by()
    )
    saved = sorted(figures)
    changes = change_numbers([inspection.pk])[inspection.pk]
    assert rebuild_counts(inspection_ids=[inspection.pk]) == 3
    rebuilt = sorted(figures.all())
    assert rebuilt == saved
    # The figures were replaced: the change number grows, so no kept roll-up is read again.
    assert change_numbers([inspection.pk])[inspection.pk] > changes
    assert len(DIMENSIONS) == 6
