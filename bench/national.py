"""A national-scale audit data set for benchmarks: one inspection of every PDU in the country.

`build_national_dataset()` writes (with bulk inserts, and COPY for judgements on PostgreSQL)
regions and PDUs, one case per review, the sampled cases, submitted reviews with case facts,
one judgement per key question of the framework for every review, and moderation resolutions for
a share of them. It is reusable by other benchmarks and commands: call it after django.setup()
on a migrated database with the shipped framework loaded (it loads it when missing).

It is idempotent per title: when an inspection with the title already holds the requested
number of reviews, it is returned as it is; otherwise it is deleted with its rows and rebuilt.
"""
from __future__ import annotations

import datetime
import random
import time
from dataclasses import dataclass

DEFAULT_TITLE = "National benchmark inspection"
REGIONS = 12
PDUS_PER_REGION = 10
CODE_PREFIX = "NATL"


@dataclass
class NationalDataset:
    inspection: object
    reviews: int
    judgements: int
    resolutions: int
    providers: int
    built: bool
    seconds: float


def _log(verbose, message):
    if verbose:
        print(message, flush=True)


def _framework():
    from standards.loaders import load_framework_file, shipped_files
    from standards.models import Framework

    framework = Framework.objects.filter(code="hmip-case-supervision", version="2018").first()
    if framework is None:
        framework = load_framework_file(shipped_files()[0])[0]
    return framework


def _providers():
    from cases.models import Provider, ProviderType

    region_objs = []
    for r in range(1, REGIONS + 1):
        region, _ = Provider.objects.get_or_create(
            code=f"{CODE_PREFIX}-REG-{r:02d}",
            defaults={"name": f"National region {r:02d}", "type": ProviderType.REGION},
        )
        region_objs.append(region)
    existing = {p.code: p for p in Provider.objects.filter(code__startswith=f"{CODE_PREFIX}-PDU-")}
    new = []
    for r, region in enumerate(region_objs, start=1):
        for p in range(1, PDUS_PER_REGION + 1):
            code = f"{CODE_PREFIX}-PDU-{r:02d}-{p:02d}"
            if code not in existing:
                new.append(Provider(code=code, name=f"National PDU {r:02d}-{p:02d}",
                                    type=ProviderType.PDU, parent=region))
    Provider.objects.bulk_create(new)
    return list(Provider.objects.filter(code__startswith=f"{CODE_PREFIX}-PDU-").order_by("code"))


def _delete_existing(title):
    """Remove an earlier build (its rows, cases included) quickly, with set-based deletes."""
    from django.db import connection

    from audit.models import Inspection

    ids = list(Inspection.objects.filter(title=title).values_list("id", flat=True))
    if not ids:
        return
    with connection.cursor() as cursor:
        for sql in (
            "DELETE FROM audit_resolution WHERE judgement_id IN (SELECT j.id FROM audit_judgement j "
            "JOIN audit_casereview r ON r.id = j.review_id JOIN audit_sampledcase s ON "
            "s.id = r.sampled_case_id WHERE s.inspection_id = ANY(%s))",
            "DELETE FROM audit_judgement WHERE review_id IN (SELECT r.id FROM audit_casereview r "
            "JOIN audit_sampledcase s ON s.id = r.sampled_case_id WHERE s.inspection_id = ANY(%s))",
            "DELETE FROM audit_casereview WHERE sampled_case_id IN (SELECT id FROM "
            "audit_sampledcase WHERE inspection_id = ANY(%s))",
            "DELETE FROM audit_standardjudgement WHERE inspection_id = ANY(%s)",
        ):
            cursor.execute(sql, [ids])
        cursor.execute("SELECT case_id FROM audit_sampledcase WHERE inspection_id = ANY(%s)", [ids])
        case_ids = [row[0] for row in cursor.fetchall()]
        cursor.execute("DELETE FROM audit_sampledcase WHERE inspection_id = ANY(%s)", [ids])
        cursor.execute("DELETE FROM cases_case WHERE id = ANY(%s)", [case_ids])
    Inspection.objects.filter(id__in=ids).delete()


def _copy_judgements(rows, verbose):
    """Write (review_id, key_question_id, value) rows: COPY on PostgreSQL, bulk_create elsewhere."""
    from django.db import connection

    from audit.models import Judgement

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            with cursor.cursor.copy(
                "COPY audit_judgement (review_id, key_question_id, value, rationale) FROM STDIN"
            ) as copy:
                for row in rows:
                    copy.write_row((*row, ""))
        return
    batch = []
    for review_id, kq_id, value in rows:
        batch.append(Judgement(review_id=review_id, key_question_id=kq_id, value=value))
        if len(batch) >= 10_000:
            Judgement.objects.bulk_create(batch)
            batch = []
    Judgement.objects.bulk_create(batch)


def build_national_dataset(
    *, reviews: int = 100_000, title: str = DEFAULT_TITLE, seed: int = 2026,
    moderated_share: float = 0.1, region: int | None = None, verbose: bool = False,
) -> NationalDataset:
    """Build (or reuse) one inspection with `reviews` submitted reviews across the 120 PDUs, or
    across the ten PDUs of one region (1 to 12) when `region` is given."""
    from django.db import transaction

    from audit.models import (
        CaseReview,
        Inspection,
        InspectionStatus,
        Judgement,
        Resolution,
        ReviewStatus,
        SampledCase,
        StandardJudgement,
    )
    from cases.models import Case
    from standards.models import KeyQuestion, RatedBy
    from standards.rating import Rating

    started = time.perf_counter()
    framework = _framework()
    existing = Inspection.objects.filter(title=title).first()
    if existing is not None:
        count = CaseReview.objects.filter(sampled_case__inspection=existing).count()
        if count == reviews:
            judgements = Judgement.objects.filter(review__sampled_case__inspection=existing).count()
            resolutions = Resolution.objects.filter(
                judgement__review__sampled_case__inspection=existing).count()
            providers = existing.providers.count()
            return NationalDataset(existing, count, judgements, resolutions, providers, False,
                                   time.perf_counter() - started)
        _log(verbose, f"  rebuilding: the existing inspection holds {count:,} reviews")
    _delete_existing(title)

    rng = random.Random(seed + (region or 0))
    providers = _providers()
    if region is not None:
        providers = [p for p in providers if p.code.startswith(f"{CODE_PREFIX}-PDU-{region:02d}-")]
    key_questions = list(KeyQuestion.objects.filter(standard__framework=framework)
                         .order_by("standard__order", "order"))
    # Each provider has its own quality, and keeping-safe work is weaker than the rest, as in
    # the inspectorate's findings; so ratings spread across the bands.
    quality = {p.id: rng.uniform(0.45, 0.9) for p in providers}
    lens_shift = {"engaging": 0.08, "desistance": 0.0, "keeping_safe": -0.12}

    with transaction.atomic():
        inspection = Inspection.objects.create(
            title=title, framework=framework, period_start=datetime.date(2026, 1, 1),
            period_end=datetime.date(2026, 6, 30), status=InspectionStatus.MODERATION,
        )
        inspection.providers.add(*providers)
        _log(verbose, f"  cases and sampled cases for {len(providers)} PDUs")
        cases = []
        prefix = f"N{inspection.id}-"
        for i in range(reviews):
            provider = providers[i % len(providers)]
            rosh = rng.choices(["low", "medium", "high", "very_high"], weights=[30, 50, 17, 3])[0]
            cases.append(Case(
                crn=f"{prefix}{i:07d}"[:20], provider=provider,
                sentence_type=rng.choices(["community_order", "suspended_sentence_order",
                                           "licence", "post_sentence_supervision"],
                                          weights=[40, 25, 30, 5])[0],
                start_date=datetime.date(2026, 1, 1) + datetime.timedelta(days=rng.randrange(150)),
                rosh_level=rosh, gender=rng.choices(["male", "female"], weights=[88, 12])[0],
                ethnicity=rng.choices(["White", "Black", "Asian", "Mixed", "Other"],
                                      weights=[72, 9, 9, 5, 5])[0],
                practitioner_grade=rng.choice(["po", "pso"]),
                domestic_abuse_history=rng.random() < 0.35,
                child_safeguarding_concerns=rng.random() < 0.25,
            ))
        cases = Case.objects.bulk_create(cases, batch_size=5000)
        sampled = SampledCase.objects.bulk_create(
            (SampledCase(inspection=inspection, case=c, provider_id=c.provider_id) for c in cases),
            batch_size=5000,
        )
        _log(verbose, f"  {reviews:,} submitted reviews")
        review_objs = []
        for s, case in zip(sampled, cases):
            q = quality[case.provider_id]
            da = case.domestic_abuse_history
            child = case.child_safeguarding_concerns
            home = da or child
            yes = lambda p: "yes" if rng.random() < p else "no"  # noqa: E731
            review_objs.append(CaseReview(
                sampled_case=s,
                status=ReviewStatus.MODERATED if rng.random() < moderated_share
                else ReviewStatus.SUBMITTED,
                rosh_screening_completed=yes(q + 0.08),
                rosh_screening_on_time=yes(q),
                rosh_level_found=case.rosh_level,
                domestic_abuse_enquiries_needed="yes" if da else "no",
                domestic_abuse_enquiries_made=yes(q) if da else "na",
                child_safeguarding_enquiries_needed="yes" if child else "no",
                child_safeguarding_enquiries_made=yes(q - 0.05) if child else "na",
                home_visit_needed="yes" if home else "no",
                home_visit_made=yes(q - 0.25) if home else "na",
                management_oversight_sufficient=yes(q - 0.1),
            ))
        review_objs = CaseReview.objects.bulk_create(review_objs, batch_size=5000)

        _log(verbose, f"  {reviews * len(key_questions):,} judgements")
        moderated = []

        def judgement_rows():
            for review, case in zip(review_objs, cases):
                q = quality[case.provider_id]
                if review.status == ReviewStatus.MODERATED:
                    moderated.append(review.id)
                for kq in key_questions:
                    if kq.allows_not_applicable and rng.random() < 0.15:
                        value = "na"
                    else:
                        p = q + lens_shift[kq.lens]
                        value = "sufficient" if rng.random() < p else "not_sufficient"
                    yield (review.id, kq.id, value)

        _copy_judgements(judgement_rows(), verbose)

        # A moderator disagreed with about one judgement in six of the moderated reviews; the
        # lead's resolution flips it.
        flip = {"sufficient": "not_sufficient", "not_sufficient": "sufficient", "na": "na"}
        to_resolve = [
            (j_id, value) for j_id, value in Judgement.objects.filter(review_id__in=moderated)
            .values_list("id", "value").iterator(chunk_size=20_000)
            if rng.random() < 1 / 6 and value != "na"
        ]
        Resolution.objects.bulk_create(
            (Resolution(judgement_id=j_id, value=flip[value], note="Resolved after second read.")
             for j_id, value in to_resolve),
            batch_size=5000,
        )
        # Judgement-rated standards for every PDU, so overall ratings are complete.
        judged = list(framework.standards.filter(rated_by=RatedBy.JUDGEMENT))
        StandardJudgement.objects.bulk_create(
            StandardJudgement(
                inspection=inspection, provider=p, standard=s,
                rating=rng.choice([Rating.GOOD, Rating.REQUIRES_IMPROVEMENT, Rating.GOOD,
                                   Rating.OUTSTANDING, Rating.INADEQUATE]),
                rationale="Benchmark rating entered from fieldwork notes.",
            )
            for p in providers for s in judged
        )
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return NationalDataset(
        inspection=inspection, reviews=reviews, judgements=reviews * len(key_questions),
        resolutions=len(to_resolve), providers=len(providers), built=True,
        seconds=time.perf_counter() - started,
    )

