"""A national-scale synthetic audit: for benchmarks, load tests and rehearsing operations.

`build_national_dataset()` writes one inspection of every PDU in England and Wales (or of one
region's PDUs), the way a year of a national QA programme leaves the database:

- twelve regions of ten PDUs each (codes NATL-REG-rr and NATL-PDU-rr-pp), a lead, a moderator
  per region and an assessor for about every 200 reviews, scoped to their region;
- each PDU's caseload (twice the cases sampled, with realistic shares of sentence, RoSH level,
  gender and risk flags) and the sample drawn from it, with its seed;
- one review per sampled case, submitted, with the case facts as an assessor would record them,
  an answer to every prompt and a judgement of every key question (not applicable where the
  framework's rules say so, and a rationale for every "not sufficient");
- a share of the reviews moderated: a completed blind second read, and the lead's resolution of
  each disagreement;
- the lead's ratings of the judgement-rated standards for every PDU.

The answers are plausible rather than uniform: each PDU has its own quality and each assessor a
slight lean; keeping-safe work is weaker than engaging work, and reviewing weaker than
assessment, as in the inspectorate's findings; prompt answers and the judgement of their key
question go together. So ratings spread across the bands.

The cases, facts, answers and judgements come from the shared generator of synthetic cases
(audit/synthetic/cases.py), as the demo data's do; the organisation and its people are in
national_people.py, the rows in national_rows.py.

Everything is written with bulk inserts (COPY on PostgreSQL), ids reserved up front, so 100,000
reviews (5 million prompt answers, 1.2 million judgements) take about a minute. Nothing goes
through the services: no history rows or audit events are written; the roll-up's maintained
counts are then rebuilt for the inspection through the same contribution code as every save
(audit/counts/rebuild.py).

The same seed, size and title give the same data. A second call with the same arguments reuses
the inspection as it is; with another size or seed the earlier build (its cases included) is
deleted first.
"""

from __future__ import annotations

import datetime
import random
import time
import zlib
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from audit.counts.rebuild import rebuild_counts
from audit.models import (
    CaseReview,
    Inspection,
    InspectionStatus,
    Judgement,
    PromptAnswer,
    Resolution,
    SampledCase,
)
from audit.synthetic import national_rows as rows
from audit.synthetic.bulk import BulkWriter, Progress
from audit.synthetic.national_people import (  # noqa: F401  (the data set's names, in one place)
    CODE_PREFIX,
    PDUS_PER_REGION,
    REGIONS,
    USER_PREFIX,
    national_people,
    national_providers,
)
from cases.models import Sample
from standards.loaders import load_framework_file, shipped_files
from standards.models import Framework

DEFAULT_TITLE = "National benchmark inspection"
REVIEWS_PER_ASSESSOR = 200
PERIOD = (datetime.date(2026, 1, 1), datetime.date(2026, 6, 30))
# From this size up, PostgreSQL writes skip the row-by-row foreign-key checks (see BulkWriter).
TRUSTED_BUILD_SIZE = 20_000


@dataclass
class NationalDataset:
    inspection: Inspection
    reviews: int
    judgements: int
    prompt_answers: int
    resolutions: int
    providers: int
    assessors: int
    seed: int
    built: bool
    seconds: float


def _shipped_framework() -> Framework:
    framework = Framework.objects.filter(code="hmip-case-supervision", version="2018").first()
    if framework is None:
        framework = load_framework_file(shipped_files()[0])[0]
    return framework


def crn_prefix(title: str) -> str:
    """CRNs of one build start with this, so a rebuild finds its own cases."""
    return f"N{zlib.crc32(title.encode()) % 65536:04X}-"


# --- removing an earlier build ---------------------------------------------------------------


def delete_national_dataset(title: str = DEFAULT_TITLE) -> int:
    """Delete the inspections with this title and every row the build wrote (set-based)."""
    ids = list(Inspection.objects.filter(title=title).values_list("id", flat=True))
    if not ids:
        return 0
    marks = ", ".join(["%s"] * len(ids))
    sampled = f"SELECT id FROM audit_sampledcase WHERE inspection_id IN ({marks})"
    reviews = f"SELECT id FROM audit_casereview WHERE sampled_case_id IN ({sampled})"
    reads = f"SELECT id FROM audit_moderationread WHERE review_id IN ({reviews})"
    judgements = f"SELECT id FROM audit_judgement WHERE review_id IN ({reviews})"
    with transaction.atomic(), connection.cursor() as cursor:
        for table, column, subquery in (
            ("audit_resolution", "judgement_id", judgements),
            ("audit_moderationjudgement", "read_id", reads),
            ("audit_moderationread", "review_id", reviews),
            ("audit_judgement", "review_id", reviews),
            ("audit_promptanswer", "review_id", reviews),
            ("audit_reviewevent", "review_id", reviews),
            ("audit_reviewcontribution", "review_id", reviews),
            ("audit_rollupcount", "inspection_id", marks),
            ("audit_casereview", "sampled_case_id", sampled),
        ):
            cursor.execute(f"DELETE FROM {table} WHERE {column} IN ({subquery})", ids)
        sample_ids = list(
            Inspection.objects.filter(id__in=ids, sample__isnull=False).values_list(
                "sample_id", flat=True
            )
        )
        cursor.execute(f"DELETE FROM audit_sampledcase WHERE inspection_id IN ({marks})", ids)
        Inspection.objects.filter(id__in=ids).delete()
        Sample.objects.filter(id__in=sample_ids).delete()
        cursor.execute("DELETE FROM cases_case WHERE crn LIKE %s", [crn_prefix(title) + "%"])
    return len(ids)


# --- the build -------------------------------------------------------------------------------


def _existing(title: str, reviews: int, seed: int):
    inspection = Inspection.objects.filter(title=title).select_related("sample").first()
    if inspection is None or inspection.sample is None or inspection.sample.seed != seed:
        return None, inspection is not None
    count = CaseReview.objects.filter(sampled_case__inspection=inspection).count()
    return (inspection if count == reviews else None), True


def _summary(inspection, seed, built, started) -> NationalDataset:
    return NationalDataset(
        inspection=inspection,
        reviews=CaseReview.objects.filter(sampled_case__inspection=inspection).count(),
        judgements=Judgement.objects.filter(review__sampled_case__inspection=inspection).count(),
        prompt_answers=PromptAnswer.objects.filter(
            review__sampled_case__inspection=inspection
        ).count(),
        resolutions=Resolution.objects.filter(
            judgement__review__sampled_case__inspection=inspection
        ).count(),
        providers=inspection.providers.count(),
        assessors=SampledCase.objects.filter(inspection=inspection)
        .values("assessor")
        .distinct()
        .count(),
        seed=seed,
        built=built,
        seconds=time.perf_counter() - started,
    )


def build_national_dataset(
    *,
    reviews: int = 100_000,
    seed: int = 2026,
    title: str = DEFAULT_TITLE,
    region: int | None = None,
    moderated_share: float = 0.1,
    progress: Progress | None = None,
    verbose: bool = False,
) -> NationalDataset:
    """Build (or reuse) an inspection of `reviews` submitted reviews across the 120 PDUs, or
    across the ten PDUs of one region (1 to 12) when `region` is given. See the module notes."""
    if reviews < 1:
        raise ValueError("The data set needs at least one review.")
    if region is not None and not 1 <= region <= len(REGIONS):
        raise ValueError(f"There are {len(REGIONS)} regions: choose one from 1 to {len(REGIONS)}.")
    if progress is None:
        progress = (lambda message: print(message, flush=True)) if verbose else (lambda _: None)
    started = time.perf_counter()
    existing, stale = _existing(title, reviews, seed)
    if existing is not None:
        progress(f"“{title}” already holds {reviews:,} reviews built with seed {seed}: reused.")
        return _summary(existing, seed, False, started)
    if stale:
        delete_national_dataset(title)
        progress(f"Deleted the earlier “{title}” in {time.perf_counter() - started:.1f} s.")
        started = time.perf_counter()

    framework = _shipped_framework()
    with transaction.atomic():
        inspection = _build(
            framework=framework,
            reviews=reviews,
            seed=seed,
            title=title,
            region=region,
            moderated_share=moderated_share,
            progress=progress,
        )
        step = time.perf_counter()
        # The maintained counts, through the same contribution code as every save.
        counted = rebuild_counts(inspection_ids=[inspection.id])
        progress(f"  counts of {counted:,} reviews in {time.perf_counter() - step:.1f} s")
        step = time.perf_counter()
    progress(f"  committed (foreign keys checked) in {time.perf_counter() - step:.1f} s")
    _refresh_statistics(progress)
    result = _summary(inspection, seed, True, started)
    progress(
        f"Built “{title}”: {result.reviews:,} reviews, {result.prompt_answers:,} prompt "
        f"answers, {result.judgements:,} judgements, {result.resolutions:,} resolutions "
        f"across {result.providers} PDUs in {result.seconds:.1f} s."
    )
    return result


def _refresh_statistics(progress: Progress) -> None:
    """Fresh statistics; and the visibility maps of the tables the roll-up reads, so its
    aggregates are index-only scans straight away rather than after autovacuum's visit."""
    if connection.vendor != "postgresql":
        return
    step = time.perf_counter()
    with connection.cursor() as cursor:
        vacuumed = "audit_judgement, audit_promptanswer, audit_casereview, audit_rollupcount"
        if connection.in_atomic_block:
            # VACUUM cannot run inside a transaction (a caller's, or a test's).
            cursor.execute(f"ANALYZE {vacuumed}")
        else:
            cursor.execute(f"VACUUM (ANALYZE) {vacuumed}")
        cursor.execute(
            "ANALYZE cases_case, audit_sampledcase, audit_resolution, "
            "audit_moderationread, audit_moderationjudgement"
        )
    progress(f"  statistics refreshed in {time.perf_counter() - step:.1f} s")


def _reviews_per_pdu(rng, pdus, reviews) -> list[int]:
    """Reviews per PDU: caseloads differ in size."""
    weights = [rng.uniform(0.5, 1.5) for _ in pdus]
    shares = [reviews * w / sum(weights) for w in weights]
    per_pdu = [int(s) for s in shares]
    for i in sorted(range(len(pdus)), key=lambda i: shares[i] - per_pdu[i], reverse=True)[
        : reviews - sum(per_pdu)
    ]:
        per_pdu[i] += 1
    return per_pdu


def _inspection(*, framework, title, seed, reviews, pdus, people) -> Inspection:
    """The inspection in moderation, with its sample, providers and team."""
    sample = Sample.objects.create(
        window_start=PERIOD[0],
        window_end=PERIOD[1],
        requested_size=reviews,
        seed=seed,
        caseload_size=reviews * rows.CASELOAD_PER_SAMPLED_CASE,
        drawn_by=people["lead"].username,
    )
    sample.providers.set(pdus)
    inspection = Inspection.objects.create(
        title=title,
        framework=framework,
        period_start=PERIOD[0],
        period_end=PERIOD[1],
        status=InspectionStatus.MODERATION,
        sample=sample,
        lead=people["lead"],
    )
    inspection.providers.set(pdus)
    assessors = (a for group in people["assessors"].values() for a in group)
    inspection.team.set([people["lead"], *people["moderators"].values(), *assessors])
    return inspection


def _organisation(region, reviews, progress):
    regions, pdus = national_providers(region)
    assessors_per_region = max(1, round(reviews / REVIEWS_PER_ASSESSOR / len(regions)))
    people = national_people(regions, assessors_per_region)
    progress(
        f"  {len(regions)} regions, {len(pdus)} PDUs, "
        f"{assessors_per_region * len(regions)} assessors"
    )
    return pdus, people


def _build(*, framework, reviews, seed, title, region, moderated_share, progress) -> Inspection:
    rng = random.Random(f"{seed}:{region or 'all'}")
    writer = BulkWriter(progress)
    if writer.pg and reviews >= TRUSTED_BUILD_SIZE:
        if writer.skip_row_triggers():
            progress("  writing without row triggers: keys are consistent by construction")
        else:
            progress("  foreign keys will be checked row by row at commit (not a superuser)")
    now = timezone.now()
    pdus, people = _organisation(region, reviews, progress)
    per_pdu = _reviews_per_pdu(rng, pdus, reviews)
    quality = {p.pk: rng.uniform(0.45, 0.9) for p in pdus}
    lean = {a.pk: rng.gauss(0, 0.04) for group in people["assessors"].values() for a in group}
    inspection = _inspection(
        framework=framework, title=title, seed=seed, reviews=reviews, pdus=pdus, people=people
    )
    sampled_cases = rows.write_caseloads(
        writer, rng, pdus=pdus, per_pdu=per_pdu, prefix=crn_prefix(title), period=PERIOD, now=now
    )
    region_of = {p.pk: p.parent_id for p in pdus}
    first_sampled, assessor_of = rows.write_sampled_cases(
        writer,
        rng,
        sample=inspection.sample,
        inspection=inspection,
        sampled_cases=sampled_cases,
        assessors={p.pk: people["assessors"][p.parent_id] for p in pdus},
    )
    moderated = [rng.random() < moderated_share for _ in range(reviews)]
    reviewed = rows.ReviewRows(writer, rng, framework=framework, quality=quality, lean=lean)
    reviewed.write(
        sampled_cases=sampled_cases,
        assessor_of=assessor_of,
        first_sampled=first_sampled,
        moderated=moderated,
    )
    rows.write_moderation(
        writer,
        rng,
        rows=reviewed,
        moderated=moderated,
        moderator_of=[people["moderators"][region_of[c[2]]] for c in sampled_cases],
        lead=people["lead"],
        seed=seed,
        now=now,
    )
    rows.write_standard_ratings(
        rng, inspection=inspection, framework=framework, pdus=pdus, lead=people["lead"]
    )
    return inspection
