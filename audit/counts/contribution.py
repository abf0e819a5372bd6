"""A review's contribution to the roll-up's counts, and the one writer that keeps them exact.

A counted review (its status in COUNTED_REVIEW_STATUSES) adds one to each of its count keys:
- ("reviews"): the review itself;
- ("fact", "<measure>_n" / "<measure>_d"): each case-fact focus measure it meets;
- ("fact", "time:<kind>:<working days>" or "time:<kind>:unknown"): each timeliness kind
  (audit/counts/timeliness.py);
- ("kq", key question, counted value): each judgement, at its counted value (a moderation
  resolution where there is one, else the assessor's value);
- ("bd", key question, counted value, dimension, dimension value): the same per case
  characteristic broken down by;
- ("tbd", "time:..." key, dimension, dimension value): each timeliness key per case
  characteristic (the timeliness breakdowns);
- ("prompt", prompt, value): each answer to a prompt a focus measure counts;
all at (inspection, provider) of its sampled case. A review that does not count adds nothing;
nor does any review while its inspection is still in planning (`counts_toward_rollup`): what is
scored before fieldwork starts is not yet evidence.

Every service that changes any of this calls `record_contribution_change(review_ids=...)` after
its writes, inside its transaction: the review's stored contribution (ReviewContribution) is
compared with the one computed now, and only the difference is added to the striped counts, in
a fixed key order so that concurrent saves never deadlock.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import BooleanField, Case, Value, When
from django.db.models.functions import Coalesce

from audit.counts.focus_measures import FACT_MEASURES, PROMPT_MEASURES
from audit.counts.timeliness import TIMELINESS_FIELDS, timeliness_facts
from audit.models import (
    COUNTED_REVIEW_STATUSES,
    STRIPES,
    CaseReview,
    CountKind,
    InspectionStatus,
    Judgement,
    PromptAnswer,
    ReviewContribution,
    RollupCount,
)
from standards.timeliness import PREFIX as TIME_PREFIX

# The case characteristics the breakdowns count by (fields of cases.Case), in report order.
BREAKDOWN_FIELDS = ("rosh_level", "sentence_type", "gender", "ethnicity", "practitioner_grade")
PROMPT_CODES = tuple(m.prompt_code for m in PROMPT_MEASURES)
COUNTED = [str(status) for status in COUNTED_REVIEW_STATUSES]
CHUNK = 2000


def counts_toward_rollup(*, review_status: str, inspection_status: str) -> bool:
    """The one rule for whether a review counts: submitted (or moderated), in an inspection
    whose fieldwork has started."""
    return review_status in COUNTED and inspection_status != InspectionStatus.PLANNING


def counted_reviews():
    """The reviews that count, as a queryset: the rule of `counts_toward_rollup`, in the
    database (for what is counted from the base tables on request)."""
    return CaseReview.objects.filter(status__in=COUNTED).exclude(
        sampled_case__inspection__status=InspectionStatus.PLANNING
    )


def _counts(row) -> bool:
    return counts_toward_rollup(
        review_status=row["status"], inspection_status=row["sampled_case__inspection__status"]
    )


# (inspection, provider, kind, subject, dimension, dimension value, value)
Key = tuple[int, int, str, int, str, str, str]
# The kinds as plain strings: a rebuild makes a hundred keys for each of 100,000 reviews.
REVIEWS, FACT, KEY_QUESTION, BREAKDOWN, TIMELINESS_BREAKDOWN, PROMPT = (
    kind.value
    for kind in (
        CountKind.REVIEWS,
        CountKind.FACT,
        CountKind.KEY_QUESTION,
        CountKind.BREAKDOWN,
        CountKind.TIMELINESS_BREAKDOWN,
        CountKind.PROMPT,
    )
)


@dataclass(frozen=True)
class ReviewState:
    """What a counted review contributes, in a form small enough to store with it."""

    inspection: int
    provider: int
    facts: tuple[str, ...]
    dimensions: tuple[str, ...]  # in BREAKDOWN_FIELDS order
    judgements: tuple[tuple[int, str], ...]  # (key question id, counted value)
    answers: tuple[tuple[int, str], ...]  # (prompt id, value)

    def keys(self) -> Counter:
        i, p = self.inspection, self.provider
        keys: Counter = Counter()
        keys[(i, p, REVIEWS, 0, "", "", "")] += 1
        dimensions = tuple(zip(BREAKDOWN_FIELDS, self.dimensions))
        for fact in self.facts:
            keys[(i, p, FACT, 0, "", "", fact)] += 1
            if fact.startswith(TIME_PREFIX):
                for field, found in dimensions:
                    keys[(i, p, TIMELINESS_BREAKDOWN, 0, field, found, fact)] += 1
        for kq, value in self.judgements:
            keys[(i, p, KEY_QUESTION, kq, "", "", value)] += 1
            for field, found in dimensions:
                keys[(i, p, BREAKDOWN, kq, field, found, value)] += 1
        for prompt, value in self.answers:
            keys[(i, p, PROMPT, prompt, "", "", value)] += 1
        return keys

    def to_json(self) -> dict:
        return {
            "i": self.inspection,
            "p": self.provider,
            "f": list(self.facts),
            "d": list(self.dimensions),
            "j": [list(pair) for pair in self.judgements],
            "a": [list(pair) for pair in self.answers],
        }

    @classmethod
    def from_json(cls, data: dict) -> ReviewState:
        return cls(
            inspection=data["i"],
            provider=data["p"],
            facts=tuple(data["f"]),
            dimensions=tuple(data["d"]),
            judgements=tuple((kq, value) for kq, value in data["j"]),
            answers=tuple((prompt, value) for prompt, value in data["a"]),
        )


def _fact_annotations() -> dict:
    found = {}
    for m in FACT_MEASURES:
        for suffix, q in (("n", m.numerator), ("d", m.denominator)):
            found[f"cf_{m.code}_{suffix}"] = Case(
                When(q, then=Value(True)), default=Value(False), output_field=BooleanField()
            )
    return found


def _review_rows(review_ids: list[int], *, with_stored: bool):
    reviews = CaseReview.objects.filter(pk__in=review_ids).order_by()
    facts = _fact_annotations()
    fields = [
        "pk",
        "status",
        "sampled_case__inspection_id",
        "sampled_case__inspection__status",
        "sampled_case__provider_id",
        *(f"sampled_case__case__{name}" for name in BREAKDOWN_FIELDS),
        *TIMELINESS_FIELDS,
        *facts,
    ]
    if with_stored:
        fields.append("contribution__state")
    return reviews.annotate(**facts).values(*fields)


def _states_of(rows) -> dict[int, ReviewState]:
    """Compute the state of the counted reviews among `rows`: two more queries whatever their
    number."""
    counted = {row["pk"]: row for row in rows if _counts(row)}
    if not counted:
        return {}
    judgements: dict[int, list] = {pk: [] for pk in counted}
    for review_id, kq, value in (
        Judgement.objects.filter(review_id__in=list(counted))
        .annotate(counted_value=Coalesce("resolution__value", "value"))
        .values_list("review_id", "key_question_id", "counted_value")
        .order_by()
    ):
        judgements[review_id].append((kq, value))
    answers: dict[int, list] = {pk: [] for pk in counted}
    for review_id, prompt, value in (
        PromptAnswer.objects.filter(review_id__in=list(counted), prompt__code__in=PROMPT_CODES)
        .values_list("review_id", "prompt_id", "value")
        .order_by()
    ):
        answers[review_id].append((prompt, value))
    timely = dict(zip(counted, timeliness_facts(list(counted.values()))))
    return {
        pk: ReviewState(
            inspection=row["sampled_case__inspection_id"],
            provider=row["sampled_case__provider_id"],
            facts=tuple(
                name.removeprefix("cf_") for name in row if name.startswith("cf_") and row[name]
            )
            + timely[pk],
            dimensions=tuple(row[f"sampled_case__case__{name}"] or "" for name in BREAKDOWN_FIELDS),
            judgements=tuple(sorted(judgements[pk])),
            answers=tuple(sorted(answers[pk])),
        )
        for pk, row in counted.items()
    }


def computed_states(review_ids: Iterable[int]) -> Iterator[tuple[int, ReviewState]]:
    """The contribution of every counted review among `review_ids`, from the base tables, in
    chunks (for rebuilding and checking the counts)."""
    ids = sorted(set(review_ids))
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        yield from _states_of(list(_review_rows(chunk, with_stored=False))).items()


def record_contribution_change(*, review_ids: Iterable[int]) -> int:
    """Bring the counts in step with these reviews as they are now; returns the count rows
    changed. Call it after the writes that change what the reviews count, in their transaction.

    The reviews are locked (in id order) while their stored contribution is read and replaced,
    so two transactions never apply the same change twice.
    """
    ids = sorted({int(pk) for pk in review_ids})
    if not ids or not _may_count(ids):
        return 0
    changed = 0
    # No savepoint of its own: it runs inside its caller's transaction, and fails with it.
    with transaction.atomic(savepoint=False):
        for start in range(0, len(ids), CHUNK):
            changed += _record_chunk(ids[start : start + CHUNK])
    return changed


def _may_count(ids: list[int]) -> bool:
    """Whether any of these reviews counts now or did when last recorded: one small query, so
    that a save during fieldwork (nothing counted before or now) costs no more. Without a lock:
    where nothing counts there is nothing to apply, and a transaction making a review count
    takes the lock itself."""
    for status, inspection_status, recorded in CaseReview.objects.filter(pk__in=ids).values_list(
        "status", "sampled_case__inspection__status", "contribution__review_id"
    ):
        if recorded is not None or counts_toward_rollup(
            review_status=status, inspection_status=inspection_status
        ):
            return True
    return False


def record_case_change(*, case_ids: Iterable[int], **kwargs) -> int:
    """Bring the counts in step after cases' characteristics changed: their counted reviews'
    breakdown dimensions may have moved."""
    reviews = CaseReview.objects.filter(
        sampled_case__case_id__in=list(case_ids), contribution__isnull=False
    ).values_list("pk", flat=True)
    return record_contribution_change(review_ids=list(reviews))


def _record_chunk(ids: list[int]) -> int:
    # Lock first, then read in a statement of its own: after waiting for another transaction's
    # lock, a locking read sees that transaction's change to the locked row but not to the
    # rows joined to it (its stored contribution), so one query would read a stale ledger.
    list(CaseReview.objects.filter(pk__in=ids).select_for_update().order_by("pk").values("pk"))
    rows = list(_review_rows(ids, with_stored=True))
    stored = {
        row["pk"]: ReviewState.from_json(row["contribution__state"])
        for row in rows
        if row["contribution__state"] is not None
    }
    if not stored and not any(_counts(row) for row in rows):
        return 0  # nothing counted before or now: nothing to write
    now = _states_of(rows)
    delta: Counter = Counter()
    for pk in set(stored) | set(now):
        before, after = stored.get(pk), now.get(pk)
        if before == after:
            continue
        stripe = pk % STRIPES
        # What the review counts changed, even where no count moves (a case's characteristic
        # or dates, read by the timeliness breakdowns): its inspection's figures may differ.
        for state in (before, after):
            if state is not None:
                delta[(state.inspection, state.provider, *CHANGED, stripe)] = 1
        if after is not None:
            for key, n in after.keys().items():
                delta[(*key, stripe)] += n
        if before is not None:
            for key, n in before.keys().items():
                delta[(*key, stripe)] -= n
    changed = add_to_counts(delta)
    gone = [pk for pk in stored if pk not in now]
    if gone:
        ReviewContribution.objects.filter(review_id__in=gone).delete()
    fresh = [
        ReviewContribution(review_id=pk, state=state.to_json())
        for pk, state in now.items()
        if stored.get(pk) != state
    ]
    if fresh:
        ReviewContribution.objects.bulk_create(
            fresh, update_conflicts=True, unique_fields=["review"], update_fields=["state"]
        )
    return changed


# The count key of kind "changes", after (inspection, provider) and before the stripe.
CHANGED = (CountKind.CHANGES.value, 0, "", "", "")


COLUMNS = "inspection_id, provider_id, kind, subject, dimension, dimension_value, value, stripe, n"
CONFLICT = "inspection_id, kind, provider_id, subject, dimension, dimension_value, value, stripe"
# Above this many keys (a rebuild, a bulk import), PostgreSQL is sent them with COPY.
COPY_ABOVE = 5000


def _copy_and_add(table: str, rows: list) -> None:
    """The keys COPYed into a scratch table, then added with one INSERT ... ON CONFLICT in the
    same sorted order as the batches would: a rebuild of 100,000 reviews sends 170,000 keys,
    which as bound parameters cost more than computing them."""
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE rollup_delta (inspection_id bigint, provider_id bigint, "
            "kind varchar(7), subject integer, dimension varchar(24), "
            "dimension_value varchar(60), value varchar(60), stripe smallint, n integer, "
            "position serial)"
        )
        try:
            with cursor.cursor.copy(f"COPY rollup_delta ({COLUMNS}) FROM STDIN") as copy:
                for key, n in rows:
                    copy.write_row((*key, n))
            cursor.execute(
                f"INSERT INTO {table} ({COLUMNS}) SELECT {COLUMNS} FROM rollup_delta "
                f"ORDER BY position ON CONFLICT ({CONFLICT}) "
                f"DO UPDATE SET n = {table}.n + EXCLUDED.n"
            )
        finally:
            cursor.execute("DROP TABLE rollup_delta")


def changes_of(delta: Counter) -> Counter:
    """One more change for each (inspection, provider, stripe) whose counts `delta` moves,
    unless `delta` already adds one."""
    changed: Counter = Counter()
    for (i, p, kind, *_, stripe), n in delta.items():
        key = (i, p, *CHANGED, stripe)
        if n and kind != CountKind.CHANGES and key not in delta:
            changed[key] = 1
    return changed


def add_to_counts(delta: Counter) -> int:
    """Add each key's delta to its stripe, and one to the change count of every (inspection,
    provider, stripe) it moves: one upsert per batch, keys in a fixed order."""
    merged = Counter(delta)
    merged.update(changes_of(delta))  # update, not +, which would drop the negative deltas
    rows = sorted((key, n) for key, n in merged.items() if n)
    if not rows:
        return 0
    table = RollupCount._meta.db_table
    if len(rows) > COPY_ABOVE and connection.vendor == "postgresql":
        _copy_and_add(table, rows)
        return len(rows)
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 500):
            batch = rows[start : start + 500]
            values = ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s, %s)"] * len(batch))
            params = [part for key, n in batch for part in (*key, n)]
            cursor.execute(
                f"INSERT INTO {table} ({COLUMNS}) VALUES {values} "
                f"ON CONFLICT ({CONFLICT}) DO UPDATE SET n = {table}.n + EXCLUDED.n",
                params,
            )
    return len(rows)
