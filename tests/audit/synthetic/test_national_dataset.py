"""The national synthetic data set: the right rows, complete and consistent reviews, plausible
answers, reproducible by seed, reused when asked again, and the roll-up runs on it."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count, Q

from audit.models import (
    CaseReview,
    Inspection,
    Judgement,
    ModerationJudgement,
    ModerationRead,
    PromptAnswer,
    Resolution,
    ReviewStatus,
    SampledCase,
    StandardJudgement,
)
from audit.reports.rollup import rollup, rollup_copy_mismatches
from audit.scoring.selectors import review_states
from audit.synthetic.national_dataset import (
    build_national_dataset,
    crn_prefix,
    delete_national_dataset,
)
from cases.models import Case, Provider, ProviderType
from standards.models import KeyQuestion, Prompt
from tests.audit.reports.test_rollup_denormalised import counted_by_rollup, counted_from_base_tables

pytestmark = pytest.mark.django_db

TITLE = "Test national inspection"


@pytest.fixture
def built(hmip_2018):
    return build_national_dataset(reviews=200, seed=11, title=TITLE)


def snapshot(inspection):
    """Everything an assessor recorded, in a fixed order and without database ids."""
    reviews = CaseReview.objects.filter(sampled_case__inspection=inspection).order_by(
        "sampled_case__case__crn"
    )
    facts = list(
        reviews.values_list(
            "sampled_case__case__crn",
            "sampled_case__provider__code",
            "status",
            "rosh_level_found",
            "domestic_abuse_enquiries_made",
            "home_visit_made",
            "sampled_case__assessor__username",
        )
    )
    answers = list(
        PromptAnswer.objects.filter(review__in=reviews)
        .order_by("review__sampled_case__case__crn", "prompt__code")
        .values_list("prompt__code", "value")
    )
    judgements = list(
        Judgement.objects.filter(review__in=reviews)
        .order_by("review__sampled_case__case__crn", "key_question__code")
        .values_list("key_question__code", "value", "rationale", "rollup_value")
    )
    return facts, answers, judgements


def test_it_writes_a_national_inspection_of_every_pdu(built, hmip_2018):
    inspection = built.inspection
    prompts = Prompt.objects.filter(key_question__standard__framework=hmip_2018).count()
    key_questions = KeyQuestion.objects.filter(
        standard__framework=hmip_2018, standard__rated_by="case_data"
    ).count()
    assert (built.reviews, built.providers, built.built) == (200, 120, True)
    assert built.prompt_answers == 200 * prompts == PromptAnswer.objects.count()
    assert built.judgements == 200 * key_questions == Judgement.objects.count()
    assert inspection.providers.count() == 120
    pdus = Provider.objects.filter(code__startswith="NATL-PDU-")
    assert set(pdus.values_list("type", flat=True)) == {ProviderType.PDU}
    assert pdus.filter(parent__code__startswith="NATL-REG-").count() == 120
    assert Provider.objects.filter(type=ProviderType.REGION, code__startswith="NATL-").count() == 12

    # The caseloads hold twice the cases sampled; the sample records its seed.
    assert Case.objects.filter(crn__startswith=crn_prefix(TITLE)).count() == 400
    assert inspection.sample.seed == 11
    assert inspection.sample.cases.count() == 200
    # Every case is assigned to an assessor of its own region.
    sampled = SampledCase.objects.filter(inspection=inspection).select_related(
        "provider", "assessor"
    )
    for s in sampled:
        assert s.assessor.providers.get() == s.provider.parent
        assert s.assessor.groups.get().name == "assessor"
    # Judgement-rated standards are rated for every PDU, so overall ratings are complete.
    assert StandardJudgement.objects.filter(inspection=inspection).count() == 120 * 6


def test_every_review_is_complete_and_consistent(built):
    reviews = list(
        CaseReview.objects.filter(sampled_case__inspection=built.inspection).select_related(
            "sampled_case__case", "sampled_case__inspection"
        )
    )
    assert {r.status for r in reviews} <= {ReviewStatus.SUBMITTED, ReviewStatus.MODERATED}
    states = review_states(reviews)
    # As if each had been scored and submitted through the pages: nothing missing, every
    # question the facts rule out answered not applicable, a reason for every "not sufficient".
    assert {pk: state.problems() for pk, state in states.items() if state.problems()} == {}
    for state in states.values():
        for standard in state.standards:
            for kq in standard.key_questions.all():
                for prompt in kq.prompts.all():
                    if not state.prompt_applies(prompt):
                        assert state.answers[prompt.pk] == "na"


def test_moderated_reviews_have_second_reads_and_resolutions(built):
    moderated = CaseReview.objects.filter(
        sampled_case__inspection=built.inspection, status=ReviewStatus.MODERATED
    )
    assert moderated.count() > 0
    reads = ModerationRead.objects.filter(review__in=moderated)
    assert reads.count() == moderated.count()
    assert not reads.filter(Q(completed_at__isnull=True) | Q(moderator__isnull=True)).exists()
    # A resolution exactly where the second read disagreed with the first.
    second = {
        (review_id, kq_id): value
        for review_id, kq_id, value in ModerationJudgement.objects.filter(
            read__review__in=moderated
        ).values_list("read__review_id", "key_question_id", "value")
    }
    disagreeing = {
        pk
        for pk, review_id, kq_id, value in Judgement.objects.filter(
            review__in=moderated
        ).values_list("pk", "review_id", "key_question_id", "value")
        if second[(review_id, kq_id)] != value
    }
    assert set(Resolution.objects.values_list("judgement_id", flat=True)) == disagreeing
    assert built.resolutions == len(disagreeing) > 0


def test_answers_are_plausible_keeping_safe_weaker_than_engaging(built):
    by_lens = (
        Judgement.objects.filter(rollup_inspection=built.inspection)
        .values("key_question__lens")
        .annotate(
            sufficient=Count("id", filter=Q(rollup_value="sufficient")),
            applicable=Count("id", filter=Q(rollup_value__in=["sufficient", "not_sufficient"])),
            not_applicable=Count("id", filter=Q(rollup_value="na")),
        )
    )
    share = {row["key_question__lens"]: row["sufficient"] / row["applicable"] for row in by_lens}
    assert share["keeping_safe"] + 0.08 < share["engaging"]
    assert 0.3 < share["keeping_safe"] < share["desistance"] < share["engaging"] < 0.95
    # Some questions are not applicable (reviewing, where no review was due).
    assert sum(row["not_applicable"] for row in by_lens) > 0
    answers = dict(PromptAnswer.objects.values_list("value").annotate(n=Count("id")))
    assert answers["yes"] > answers["no"] > answers["na"] > 0


def test_the_rollup_runs_on_it_and_counts_what_the_base_tables_hold(built):
    inspection = built.inspection
    assert not rollup_copy_mismatches()
    result = rollup(inspection)
    assert result.whole.reviews == 200
    assert len(result.providers) == 120
    assert counted_by_rollup(inspection) == counted_from_base_tables(inspection)
    rated = [p for p in result.providers if p.reviews >= 3]
    assert rated and all(p.overall.standards_rated == 10 for p in rated)


@pytest.mark.slow
def test_asking_again_reuses_it_and_the_seed_reproduces_it(built, hmip_2018):
    first = snapshot(built.inspection)
    again = build_national_dataset(reviews=200, seed=11, title=TITLE)
    assert (again.built, again.inspection.pk) == (False, built.inspection.pk)
    assert Inspection.objects.count() == 1

    other = build_national_dataset(reviews=200, seed=12, title=TITLE)
    assert other.built and Inspection.objects.count() == 1
    assert snapshot(other.inspection) != first
    assert Case.objects.filter(crn__startswith=crn_prefix(TITLE)).count() == 400

    rebuilt = build_national_dataset(reviews=200, seed=11, title=TITLE)
    assert rebuilt.built
    assert snapshot(rebuilt.inspection) == first
    assert not rollup_copy_mismatches()


def test_one_region_and_deleting_leave_other_data_alone(built, hmip_2018):
    regional = build_national_dataset(reviews=30, seed=5, title="Test regional", region=2)
    codes = set(regional.inspection.providers.values_list("code", flat=True))
    assert len(codes) == 10 and all(code.startswith("NATL-PDU-02-") for code in codes)
    assert regional.reviews == 30

    assert delete_national_dataset("Test regional") == 1
    assert not Case.objects.filter(crn__startswith=crn_prefix("Test regional")).exists()
    # The national build is untouched.
    assert CaseReview.objects.filter(sampled_case__inspection=built.inspection).count() == 200
    assert PromptAnswer.objects.count() == built.prompt_answers


def test_the_command_builds_reports_progress_and_deletes(hmip_2018):
    out = StringIO()
    call_command("generate_national_dataset", reviews=40, seed=3, title="Command build", stdout=out)
    text = out.getvalue()
    assert "prompt answers: 2,080 written" in text
    assert "40 reviews" in text and "120 PDUs" in text and "built in" in text
    out = StringIO()
    call_command("generate_national_dataset", reviews=40, seed=3, title="Command build", stdout=out)
    assert "reused" in out.getvalue()
    call_command("generate_national_dataset", title="Command build", delete=True, stdout=StringIO())
    assert not Inspection.objects.filter(title="Command build").exists()
    assert not PromptAnswer.objects.exists()
