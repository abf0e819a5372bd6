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
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.contrib.auth.models import Group
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from audit.accounts.roles import Role
from audit.counts.rebuild import rebuild_counts
from audit.models import (
    CaseReview,
    Inspection,
    InspectionStatus,
    Judgement,
    ModerationJudgement,
    ModerationRead,
    PromptAnswer,
    Resolution,
    ReviewStatus,
    SampledCase,
    StandardJudgement,
    User,
)
from audit.synthetic.dates import case_date_cells
from cases.case_dates import CASE_DATE_FIELDS
from cases.models import Case, Provider, ProviderType, Sample
from standards.loaders import load_framework_file, shipped_files
from standards.models import Framework, KeyQuestion, Prompt, RatedBy
from standards.rating import Rating

DEFAULT_TITLE = "National benchmark inspection"
CODE_PREFIX = "NATL"
USER_PREFIX = "natl-"
REGIONS = (
    "North East",
    "North West",
    "Yorkshire and the Humber",
    "Greater Manchester",
    "East Midlands",
    "West Midlands",
    "East of England",
    "Wales",
    "South West",
    "South Central",
    "Kent, Surrey and Sussex",
    "London",
)
PDUS_PER_REGION = 10
REVIEWS_PER_ASSESSOR = 200
CASELOAD_PER_SAMPLED_CASE = 2
PERIOD = (datetime.date(2026, 1, 1), datetime.date(2026, 6, 30))
# From this size up, PostgreSQL writes skip the row-by-row foreign-key checks (see _Writer).
TRUSTED_BUILD_SIZE = 20_000

SUFFICIENT, NOT_SUFFICIENT, NA = "sufficient", "not_sufficient", "na"
LENS_SHIFT = {"engaging": 0.08, "desistance": 0.0, "keeping_safe": -0.12}
STANDARD_SHIFT = {"2.1": 0.02, "2.2": 0.0, "2.3": -0.02, "2.4": -0.06}
RATIONALES = {
    "engaging": [
        "The person's circumstances and barriers to engagement were not explored.",
        "Little evidence that the person's views shaped the work.",
        "Contact was not set at a level that would keep the person engaged.",
    ],
    "desistance": [
        "The main factors linked to offending were not analysed.",
        "Strengths and protective factors were not identified or built on.",
        "Services did not address the most relevant needs.",
    ],
    "keeping_safe": [
        "Domestic-abuse information from the police was not sought or not used.",
        "Risks to children were not analysed despite concerns in the record.",
        "The risk of harm to known victims was not assessed or managed.",
        "No contingency plan for changes in the level of risk.",
    ],
}
SENTENCES = (
    ("community_order", 40),
    ("suspended_sentence_order", 25),
    ("licence", 30),
    ("post_sentence_supervision", 5),
)
ROSH_LEVELS = (("low", 30), ("medium", 50), ("high", 17), ("very_high", 3))
GENDERS = (("male", 86), ("female", 12), ("other", 1), ("not_known", 1))
ETHNICITIES = (
    ("White", 72),
    ("Black", 9),
    ("Asian", 9),
    ("Mixed", 5),
    ("Other", 2),
    ("Not stated", 3),
)
AGE_BANDS = ("18-24", "25-34", "35-49", "50+")


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


Progress = Callable[[str], None]


def _weighted(rng: random.Random, options) -> str:
    values, weights = zip(*options)
    return rng.choices(values, weights=weights)[0]


def _clamp(p: float) -> float:
    return min(0.98, max(0.02, p))


def _shipped_framework() -> Framework:
    framework = Framework.objects.filter(code="hmip-case-supervision", version="2018").first()
    if framework is None:
        framework = load_framework_file(shipped_files()[0])[0]
    return framework


def crn_prefix(title: str) -> str:
    """CRNs of one build start with this, so a rebuild finds its own cases."""
    return f"N{zlib.crc32(title.encode()) % 65536:04X}-"


# --- writing in bulk ---------------------------------------------------------------------------


class _Writer:
    """Ids reserved up front and rows written in bulk: COPY on PostgreSQL, executemany elsewhere.

    Reserving the ids lets related rows (a review's answers, a judgement's resolution) be
    written without reading anything back.
    """

    def __init__(self, progress: Progress):
        self.pg = connection.vendor == "postgresql"
        self.ops = connection.ops
        self.progress = progress
        self.started = time.perf_counter()

    def skip_row_triggers(self) -> bool:
        """Write this transaction's rows without PostgreSQL's row triggers, so millions of
        foreign-key checks are not queued for the commit, as `pg_restore --disable-triggers`
        does. The rows are consistent by construction (ids reserved, then referenced); at the
        sizes the tests build, every key is checked. Needs a superuser: False otherwise."""
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = replica")
        except DatabaseError:
            return False
        return True

    def reserve(self, model, count: int) -> int:
        """The first of `count` consecutive ids no other writer will use."""
        table = model._meta.db_table
        with connection.cursor() as cursor:
            if not self.pg:
                cursor.execute(f'SELECT COALESCE(MAX(id), 0) + 1 FROM "{table}"')
                return cursor.fetchone()[0]
            cursor.execute(f'LOCK TABLE "{table}" IN SHARE ROW EXCLUSIVE MODE')
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
            sequence = cursor.fetchone()[0]
            cursor.execute("SELECT nextval(%s)", [sequence])
            first = cursor.fetchone()[0]
            if count > 1:
                cursor.execute("SELECT setval(%s, %s)", [sequence, first + count - 1])
            return first

    def when(self, value: datetime.datetime):
        return self.ops.adapt_datetimefield_value(value)

    def day(self, value: datetime.date):
        return self.ops.adapt_datefield_value(value)

    def write(
        self,
        model_or_table,
        columns: list[str],
        rows: Iterable[tuple],
        *,
        total: int = 0,
        label: str = "",
    ) -> int:
        table = (
            model_or_table if isinstance(model_or_table, str) else (model_or_table._meta.db_table)
        )
        names = ", ".join(f'"{c}"' for c in columns)
        started, written, step = time.perf_counter(), 0, max(total // 5, 1)
        with connection.cursor() as cursor:
            if self.pg:
                with cursor.cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
                    for row in rows:
                        copy.write_row(row)
                        written += 1
                        if total >= 500_000 and written % step == 0:
                            self.progress(f"    {label}: {written:,} of {total:,}")
            else:
                sql = f'INSERT INTO "{table}" ({names}) VALUES ({", ".join(["%s"] * len(columns))})'
                batch = []
                for row in rows:
                    batch.append(row)
                    if len(batch) == 5000:
                        cursor.executemany(sql, batch)
                        written += len(batch)
                        batch = []
                if batch:
                    cursor.executemany(sql, batch)
                    written += len(batch)
        if label:
            self.progress(
                f"  {label}: {written:,} written in "
                f"{time.perf_counter() - started:.1f} s "
                f"({time.perf_counter() - self.started:.0f} s so far)"
            )
        return written


# --- the organisation and its people ---------------------------------------------------------


def _providers(region: int | None) -> tuple[list[Provider], list[Provider]]:
    regions = []
    for r, name in enumerate(REGIONS, start=1):
        provider, _ = Provider.objects.get_or_create(
            code=f"{CODE_PREFIX}-REG-{r:02d}",
            defaults={
                "name": f"{name} region",
                "type": ProviderType.REGION,
                "in_force_from": datetime.date(2021, 6, 26),
            },
        )
        regions.append(provider)
    existing = set(
        Provider.objects.filter(code__startswith=f"{CODE_PREFIX}-PDU-").values_list(
            "code", flat=True
        )
    )
    Provider.objects.bulk_create(
        Provider(
            code=f"{CODE_PREFIX}-PDU-{r:02d}-{p:02d}",
            name=f"{REGIONS[r - 1]} PDU {p:02d}",
            type=ProviderType.PDU,
            parent=parent,
            in_force_from=datetime.date(2021, 6, 26),
        )
        for r, parent in enumerate(regions, start=1)
        for p in range(1, PDUS_PER_REGION + 1)
        if f"{CODE_PREFIX}-PDU-{r:02d}-{p:02d}" not in existing
    )
    pdus = list(Provider.objects.filter(code__startswith=f"{CODE_PREFIX}-PDU-").order_by("code"))
    if region is not None:
        pdus = [p for p in pdus if p.code.startswith(f"{CODE_PREFIX}-PDU-{region:02d}-")]
        regions = [regions[region - 1]]
    return regions, pdus


def _people(regions: list[Provider], assessors_per_region: int) -> dict:
    """The lead, a moderator per region and the assessors of each region (created once)."""
    wanted = [(f"{USER_PREFIX}lead", "National", "Lead", Role.LEAD, None)]
    for region in regions:
        r = region.code[-2:]
        wanted.append(
            (
                f"{USER_PREFIX}moderator-{r}",
                region.name.removesuffix(" region"),
                "Moderator",
                Role.MODERATOR,
                region,
            )
        )
        wanted += [
            (
                f"{USER_PREFIX}assessor-{r}-{a:03d}",
                f"Assessor {a}",
                region.name.removesuffix(" region"),
                Role.ASSESSOR,
                region,
            )
            for a in range(1, assessors_per_region + 1)
        ]
    existing = set(
        User.objects.filter(username__startswith=USER_PREFIX).values_list("username", flat=True)
    )
    new = [(u, f, last, role, region) for u, f, last, role, region in wanted if u not in existing]
    if new:
        created = User.objects.bulk_create(
            User(
                username=u, first_name=f, last_name=last, email=f"{u}@example.gov.uk", password="!"
            )  # no password: these people never sign in
            for u, f, last, role, region in new
        )
        created = (
            {u.username: u for u in User.objects.filter(username__in=[u for u, *_ in new])}
            if created[0].pk is None
            else {u.username: u for u in created}
        )
        groups = {g.name: g for g in Group.objects.filter(name__in=list(Role.values))}
        User.groups.through.objects.bulk_create(
            User.groups.through(user_id=created[u].pk, group_id=groups[role].pk)
            for u, f, last, role, region in new
        )
        every_region = [
            r.pk for r in Provider.objects.filter(code__startswith=f"{CODE_PREFIX}-REG-")
        ]
        User.providers.through.objects.bulk_create(
            User.providers.through(user_id=created[u].pk, provider_id=p)
            for u, f, last, role, region in new
            for p in ([region.pk] if region else every_region)
        )
    users = {u.username: u for u in User.objects.filter(username__in=[w[0] for w in wanted])}
    return {
        "lead": users[f"{USER_PREFIX}lead"],
        "moderators": {
            region.pk: users[f"{USER_PREFIX}moderator-{region.code[-2:]}"] for region in regions
        },
        "assessors": {
            region.pk: [
                users[f"{USER_PREFIX}assessor-{region.code[-2:]}-{a:03d}"]
                for a in range(1, assessors_per_region + 1)
            ]
            for region in regions
        },
    }


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
    if connection.vendor == "postgresql":
        # Fresh statistics; and the visibility maps of the tables the roll-up reads, so its
        # aggregates are index-only scans straight away rather than after autovacuum's visit.
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
    result = _summary(inspection, seed, True, started)
    progress(
        f"Built “{title}”: {result.reviews:,} reviews, {result.prompt_answers:,} prompt "
        f"answers, {result.judgements:,} judgements, {result.resolutions:,} resolutions "
        f"across {result.providers} PDUs in {result.seconds:.1f} s."
    )
    return result


def _build(*, framework, reviews, seed, title, region, moderated_share, progress) -> Inspection:
    rng = random.Random(f"{seed}:{region or 'all'}")
    writer = _Writer(progress)
    if writer.pg and reviews >= TRUSTED_BUILD_SIZE:
        if writer.skip_row_triggers():
            progress("  writing without row triggers: keys are consistent by construction")
        else:
            progress("  foreign keys will be checked row by row at commit (not a superuser)")
    now = timezone.now()
    regions, pdus = _providers(region)
    assessors_per_region = max(1, round(reviews / REVIEWS_PER_ASSESSOR / len(regions)))
    people = _people(regions, assessors_per_region)
    progress(
        f"  {len(regions)} regions, {len(pdus)} PDUs, "
        f"{assessors_per_region * len(regions)} assessors"
    )

    key_questions = list(
        KeyQuestion.objects.filter(
            standard__framework=framework, standard__rated_by=RatedBy.CASE_DATA
        )
        .select_related("standard")
        .order_by("standard__order", "order")
    )
    prompts = {kq.pk: [] for kq in key_questions}
    for prompt in Prompt.objects.filter(key_question__in=key_questions).order_by("order", "code"):
        prompts[prompt.key_question_id].append(prompt)
    prompt_count = sum(len(p) for p in prompts.values())

    # Reviews per PDU: caseloads differ in size.
    weights = [rng.uniform(0.5, 1.5) for _ in pdus]
    shares = [reviews * w / sum(weights) for w in weights]
    per_pdu = [int(s) for s in shares]
    for i in sorted(range(len(pdus)), key=lambda i: shares[i] - per_pdu[i], reverse=True)[
        : reviews - sum(per_pdu)
    ]:
        per_pdu[i] += 1
    quality = {p.pk: rng.uniform(0.45, 0.9) for p in pdus}
    lean = {a.pk: rng.gauss(0, 0.04) for people_ in people["assessors"].values() for a in people_}

    sample = Sample.objects.create(
        window_start=PERIOD[0],
        window_end=PERIOD[1],
        requested_size=reviews,
        seed=seed,
        caseload_size=reviews * CASELOAD_PER_SAMPLED_CASE,
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
    inspection.team.set(
        [
            people["lead"],
            *people["moderators"].values(),
            *(a for group in people["assessors"].values() for a in group),
        ]
    )

    # Caseloads: every PDU's cases, of which a random half were sampled.
    prefix = crn_prefix(title)
    caseload = reviews * CASELOAD_PER_SAMPLED_CASE
    first_case = writer.reserve(Case, caseload)
    cases, sampled_cases = [], []
    stamp = writer.when(now)
    n = 0
    for pdu, count in zip(pdus, per_pdu):
        chosen = set(rng.sample(range(count * CASELOAD_PER_SAMPLED_CASE), count))
        for i in range(count * CASELOAD_PER_SAMPLED_CASE):
            rosh = _weighted(rng, ROSH_LEVELS)
            high = rosh in ("high", "very_high")
            mappa = (
                rng.choice((1, 2))
                if high and rng.random() < 0.5
                else 3
                if rng.random() < 0.01
                else None
            )
            case = (
                first_case + n,
                f"{prefix}{n:07d}",
                pdu.pk,
                _weighted(rng, SENTENCES),
                writer.day(PERIOD[0] - datetime.timedelta(days=rng.randrange(60, 240))),
                rosh,
                mappa,
                (1 if rng.random() < 0.8 else 2) if mappa else None,
                _weighted(rng, GENDERS),
                _weighted(rng, ETHNICITIES),
                rng.choice(AGE_BANDS),
                rng.random() < 0.35,
                rng.random() < 0.25,
                "po" if rng.random() < 0.6 or high else "pso",
                stamp,
                stamp,
            )
            case += case_date_cells(writer, case[1], case[4])
            cases.append(case)
            if i in chosen:
                sampled_cases.append(case)
            n += 1
    writer.write(
        Case,
        [
            "id",
            "crn",
            "provider_id",
            "sentence_type",
            "start_date",
            "rosh_level",
            "mappa_category",
            "mappa_level",
            "gender",
            "ethnicity",
            "age_band",
            "domestic_abuse_history",
            "child_safeguarding_concerns",
            "practitioner_grade",
            "created_at",
            "updated_at",
            *CASE_DATE_FIELDS,
        ],
        cases,
        label="cases in the caseloads",
    )
    del cases
    first_link = writer.reserve(Sample.cases.through, reviews)
    writer.write(
        Sample.cases.through,
        ["id", "sample_id", "case_id"],
        ((first_link + i, sample.pk, c[0]) for i, c in enumerate(sampled_cases)),
    )

    # Sampled cases, each assigned to an assessor of its region.
    first_sampled = writer.reserve(SampledCase, reviews)
    region_of = {p.pk: p.parent_id for p in pdus}
    assessor_of = []
    for c in sampled_cases:
        assessor_of.append(rng.choice(people["assessors"][region_of[c[2]]]))
    assigned = writer.when(datetime.datetime(2026, 7, 1, 9, tzinfo=datetime.UTC))
    writer.write(
        SampledCase,
        ["id", "inspection_id", "case_id", "provider_id", "assessor_id", "assigned_at"],
        (
            (first_sampled + i, inspection.pk, c[0], c[2], assessor_of[i].pk, assigned)
            for i, c in enumerate(sampled_cases)
        ),
        label="sampled cases",
    )

    # Reviews with their case facts, answers and judgements.
    first_review = writer.reserve(CaseReview, reviews)
    first_answer = writer.reserve(PromptAnswer, reviews * prompt_count)
    first_judgement = writer.reserve(Judgement, reviews * len(key_questions))
    moderated = [rng.random() < moderated_share for _ in range(reviews)]
    review_rows, judgement_rows = [], []
    plans: dict = {}
    random_, gauss = rng.random, rng.gauss
    base_time = datetime.datetime(2026, 7, 2, 9, tzinfo=datetime.UTC)

    def answers():
        """Prompt answers, streamed to the database while the reviews and judgements that go
        with them are collected (foreign keys are checked at commit)."""
        next_answer, next_judgement = first_answer, first_judgement
        for i, c in enumerate(sampled_cases):
            (
                case_id,
                crn,
                provider_id,
                sentence,
                start,
                rosh,
                mappa,
                mappa_level,
                gender,
                _eth,
                _age,
                da,
                child,
                _grade,
                *_stamps,
            ) = c
            assessor = assessor_of[i]
            q = quality[provider_id] + lean[assessor.pk]
            facts, applicability = _case_facts(
                rng, q, rosh, mappa, mappa_level, da, child, sentence, gender
            )
            submitted = base_time + datetime.timedelta(minutes=rng.randrange(60 * 24 * 60))
            review_id = first_review + i
            review_rows.append(
                (
                    review_id,
                    first_sampled + i,
                    ReviewStatus.MODERATED.value if moderated[i] else ReviewStatus.SUBMITTED.value,
                    7 if moderated[i] else 6,
                    *facts,
                    writer.when(submitted - datetime.timedelta(hours=rng.randrange(2, 72))),
                    writer.when(submitted),
                    assessor.pk,
                    writer.when(submitted),
                )
            )
            plan = plans.get(applicability)
            if plan is None:
                plan = plans[applicability] = _plan(applicability, key_questions, prompts)
            for kq_id, shift, may_be_na, kq_applies, rationales, prompt_plan in plan:
                p = _clamp(q + shift + gauss(0, 0.1))
                # A key question that can be not applicable (reviewing) sometimes is: no
                # review was due in the period.
                judged_na = not kq_applies or (may_be_na and random_() < 0.12)
                yes = answered = 0
                for prompt_id, applies, prompt_may_be_na in prompt_plan:
                    if judged_na or not applies or (prompt_may_be_na and random_() < 0.03):
                        value = NA
                    elif random_() < p:
                        value = "yes"
                        answered += 1
                        yes += 1
                    else:
                        value = "no"
                        answered += 1
                    yield (next_answer, review_id, prompt_id, value)
                    next_answer += 1
                if judged_na:
                    value, rationale = NA, ""
                else:
                    evidence = yes / answered if answered else p
                    if random_() < (p + evidence) / 2:
                        value, rationale = SUFFICIENT, ""
                    else:
                        value, rationale = NOT_SUFFICIENT, rng.choice(rationales)
                judgement_rows.append(
                    [
                        next_judgement,
                        review_id,
                        kq_id,
                        value,
                        rationale,
                    ]
                )
                next_judgement += 1

    writer.write(
        PromptAnswer,
        [
            "id",
            "review_id",
            "prompt_id",
            "value",
        ],
        answers(),
        total=reviews * prompt_count,
        label="prompt answers",
    )
    writer.write(
        CaseReview,
        [
            "id",
            "sampled_case_id",
            "status",
            "version",
            *FACT_COLUMNS,
            "started_at",
            "submitted_at",
            "submitted_by_id",
            "updated_at",
        ],
        review_rows,
        label="submitted reviews",
    )

    # Moderation: a blind second read of the moderated reviews, and the lead's resolutions.
    reads, second, resolutions = [], [], []
    first_read = writer.reserve(ModerationRead, sum(moderated))
    per_review = len(key_questions)
    for i, is_moderated in enumerate(moderated):
        if not is_moderated:
            continue
        review_id = first_review + i
        read_id = first_read + len(reads)
        submitted = review_rows[i][-3]
        region_id = region_of[sampled_cases[i][2]]
        reads.append(
            (
                read_id,
                review_id,
                people["moderators"][region_id].pk,
                ModerationRead.Reason.RANDOM.value,
                seed,
                submitted,
                writer.when(now),
            )
        )
        for row in judgement_rows[i * per_review : (i + 1) * per_review]:
            value = row[3]
            second_value = value
            if value != NA and rng.random() < 0.12:
                second_value = NOT_SUFFICIENT if value == SUFFICIENT else SUFFICIENT
            rationale = (
                rng.choice(RATIONALES["keeping_safe"]) if second_value == NOT_SUFFICIENT else ""
            )
            second.append((read_id, row[2], second_value, rationale))
            if second_value != value:
                resolved = second_value if rng.random() < 0.65 else value
                resolutions.append((row[0], resolved))
    writer.write(
        Judgement,
        [
            "id",
            "review_id",
            "key_question_id",
            "value",
            "rationale",
        ],
        (tuple(row) for row in judgement_rows),
        total=len(judgement_rows),
        label="judgements",
    )
    judgement_rows = review_rows = None  # free the rows before the next batch
    writer.write(
        ModerationRead,
        [
            "id",
            "review_id",
            "moderator_id",
            "reason",
            "selection_seed",
            "selected_at",
            "completed_at",
        ],
        reads,
        label="completed second reads",
    )
    first_second = writer.reserve(ModerationJudgement, len(second))
    writer.write(
        ModerationJudgement,
        ["id", "read_id", "key_question_id", "value", "rationale"],
        ((first_second + i, *row) for i, row in enumerate(second)),
    )
    first_resolution = writer.reserve(Resolution, len(resolutions))
    resolved_at = writer.when(now)
    writer.write(
        Resolution,
        ["id", "judgement_id", "value", "note", "resolved_by_id", "resolved_at"],
        (
            (
                first_resolution + i,
                judgement_id,
                value,
                "Resolved with the moderator after discussing the case.",
                people["lead"].pk,
                resolved_at,
            )
            for i, (judgement_id, value) in enumerate(resolutions)
        ),
        label="resolutions of disagreements",
    )

    # The lead's ratings of the standards rated by judgement, for every PDU.
    ratings = [
        Rating.OUTSTANDING,
        Rating.GOOD,
        Rating.GOOD,
        Rating.REQUIRES_IMPROVEMENT,
        Rating.REQUIRES_IMPROVEMENT,
        Rating.INADEQUATE,
    ]
    StandardJudgement.objects.bulk_create(
        StandardJudgement(
            inspection=inspection,
            provider=pdu,
            standard=standard,
            rating=rng.choice(ratings),
            entered_by=people["lead"],
            rationale="Rated from the fieldwork evidence and interviews.",
        )
        for pdu in pdus
        for standard in framework.standards.filter(rated_by=RatedBy.JUDGEMENT).order_by("order")
    )
    return inspection


FACT_COLUMNS = [
    "rosh_screening_completed",
    "rosh_screening_on_time",
    "rosh_level_found",
    "full_risk_analysis_completed",
    "domestic_abuse_enquiries_needed",
    "domestic_abuse_enquiries_made",
    "domestic_abuse_reply_received",
    "domestic_abuse_reply_sufficient",
    "child_safeguarding_enquiries_needed",
    "child_safeguarding_enquiries_made",
    "child_safeguarding_reply_received",
    "child_safeguarding_reply_sufficient",
    "home_visit_needed",
    "home_visit_made",
    "mappa_category",
    "mappa_level",
    "management_oversight_sufficient",
    "person_interviewed",
]
LEVELS = ["low", "medium", "high", "very_high"]


def _case_facts(rng, q, rosh, mappa, mappa_level, da, child, sentence, gender):
    """The case facts as an assessor records them (FACT_COLUMNS order), and the facts the
    framework's applicability rules read, as `audit.scoring.rules.review_facts` derives them."""

    def yes(p):
        return "yes" if rng.random() < _clamp(p) else "no"

    screened = yes(q + 0.15)
    found = (
        rosh
        if rng.random() < 0.9
        else LEVELS[min(3, max(0, LEVELS.index(rosh) + rng.choice((-1, 1))))]
    )
    full_required = found != "low"
    full = yes(q) if full_required else "na"
    if screened == "no":  # the fact rules: no screening, so no level and no full analysis
        found, full, full_required = "not_screened", "", None
    da_needed = "yes" if da else ("yes" if rng.random() < 0.05 else "no")
    cs_needed = "yes" if child else ("yes" if rng.random() < 0.05 else "no")
    da_made = yes(q) if da_needed == "yes" else "na"
    cs_made = yes(q - 0.05) if cs_needed == "yes" else "na"
    da_received = yes(0.85) if da_made == "yes" else "na"
    cs_received = yes(0.8) if cs_made == "yes" else "na"
    home_needed = (
        "yes"
        if (
            da_needed == "yes"
            or cs_needed == "yes"
            or (found in ("high", "very_high") and rng.random() < 0.7)
        )
        else "no"
    )
    facts = (
        screened,
        yes(q) if screened == "yes" else "na",
        found,
        full,
        da_needed,
        da_made,
        da_received,
        yes(0.8) if da_received == "yes" else "na",
        cs_needed,
        cs_made,
        cs_received,
        yes(0.75) if cs_received == "yes" else "na",
        home_needed,
        yes(q - 0.2) if home_needed == "yes" else "na",
        mappa,
        mappa_level,
        yes(q - 0.1),
        "yes" if rng.random() < 0.4 else "no",
    )
    applicability = (
        ("sentence_type", sentence),
        ("rosh_level", found),
        ("gender", gender),
        ("domestic_abuse_history", da),
        ("child_safeguarding_concerns", child),
        ("mappa_eligible", mappa is not None),
        ("home_visit_needed", home_needed == "yes"),
        ("domestic_abuse_enquiries_needed", da_needed == "yes"),
        ("child_safeguarding_enquiries_needed", cs_needed == "yes"),
        ("full_risk_analysis_required", full_required),
    )
    return facts, applicability


def _plan(applicability, key_questions, prompts):
    """What answering each key question involves for cases with these facts: its id, how its
    lens and standard shift the chance of good work, whether it may be judged not applicable,
    whether it applies, the rationales for "not sufficient", and each prompt's id, whether it
    applies and whether it may be answered not applicable."""
    facts = dict(applicability)
    return [
        (
            kq.pk,
            LENS_SHIFT[kq.lens] + STANDARD_SHIFT.get(kq.standard.code, 0),
            kq.allows_not_applicable,
            kq.applies_to(facts),
            RATIONALES[kq.lens],
            [(p.pk, p.applies_to(facts), p.allows_not_applicable) for p in prompts[kq.pk]],
        )
        for kq in key_questions
    ]
