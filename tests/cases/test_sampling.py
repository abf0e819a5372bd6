"""Stratified sampling: proportional, reproducible, women kept; the sample-size calculator."""

import datetime
import math
from collections import Counter
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cases import sampling
from cases.models import Gender, RoshLevel, SentenceType
from cases.sampling import Stratum, allocate, margin_of_error, sample_size

from ..factories import CaseFactory, ProviderFactory

# Calculator ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "caseload, confidence, margin, expected",
    [
        (1000, 95, 0.05, 278),
        (500, 80, 0.10, 39),
        (12600, 95, 0.05, 373),
        (12600, 80, 0.05, 163),
        (200, 95, 0.10, 66),
    ],
)
def test_sample_size_matches_the_worked_examples(caseload, confidence, margin, expected):
    assert sample_size(caseload, confidence, margin) == expected


def test_sample_size_accepts_fractions_or_percentages():
    assert sample_size(1000, 0.95, 0.05) == sample_size(1000, 95, 5) == 278
    assert sample_size(500, 0.8, 10) == 39


def test_uncorrected_size_is_the_worked_n0():
    z = sampling.z_score(95)
    assert round(z * z * 0.25 / 0.05**2, 1) == 384.2  # the notes' 384.15, rounded
    assert round(sampling.z_score(80) ** 2 * 0.25 / 0.10**2, 2) == 41.06


def test_sample_size_edges():
    assert sample_size(0, 95, 0.05) == 0
    assert sample_size(10, 95, 0.05) == 10  # never more than the caseload
    assert sample_size(1, 95, 0.05) == 1
    with pytest.raises(ValueError):
        sample_size(100, 97, 0.05)
    with pytest.raises(ValueError):
        sample_size(100, 95, 0)
    with pytest.raises(ValueError):
        sample_size(-1, 95, 0.05)


@pytest.mark.parametrize(
    "caseload, n, confidence, margin",
    [
        (1000, 278, 95, 0.05),
        (500, 39, 80, 0.10),
        (12600, 373, 95, 0.05),
        (12600, 163, 80, 0.05),
        (200, 66, 95, 0.10),
    ],
)
def test_margin_of_error_is_the_inverse_of_the_calculator(caseload, n, confidence, margin):
    assert margin_of_error(n, caseload, confidence) <= margin
    assert margin_of_error(n - 1, caseload, confidence) > margin


def test_margin_of_error_edges():
    assert margin_of_error(0, 100, 95) is None
    assert margin_of_error(100, 100, 95) == 0.0
    assert margin_of_error(100, 1000, 80) < margin_of_error(100, 1000, 95)


@given(st.integers(1, 200_000), st.sampled_from([80, 95]), st.integers(1, 30))
def test_calculated_size_always_achieves_the_margin(caseload, confidence, margin_percent):
    n = sample_size(caseload, confidence, margin_percent / 100)
    assert 1 <= n <= caseload
    assert margin_of_error(n, caseload, confidence) <= margin_percent / 100 + 1e-12
    if n > 1:
        assert margin_of_error(n - 1, caseload, confidence) > margin_percent / 100 - 1e-12


# Allocation ----------------------------------------------------------------------------------

ALL_STRATA = [
    Stratum(rosh, group, gender)
    for rosh in RoshLevel.values
    for group in sampling.SENTENCE_GROUPS
    for gender in (Gender.FEMALE, Gender.MALE, Gender.OTHER)
]


def shares(counts, size, key):
    total = sum(counts.values())
    grouped = Counter()
    for stratum, n in counts.items():
        grouped[key(stratum)] += Fraction(n * size, total)
    return grouped


def assert_controlled(counts, size, allocation):
    assert sum(allocation.values()) == size
    for key in (lambda s: s, lambda s: s.primary, lambda s: s.gender):
        exact = shares(counts, size, key)
        got = Counter()
        for stratum, n in allocation.items():
            got[key(stratum)] += n
        for group, share in exact.items():
            assert math.floor(share) <= got[group] <= math.ceil(share), (group, share, got[group])
    for stratum, n in allocation.items():
        assert n <= counts[stratum]


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(st.sampled_from(ALL_STRATA), st.integers(1, 400), min_size=1),
    st.data(),
)
def test_every_stratum_gets_floor_or_ceiling_of_its_share(counts, data):
    total = sum(counts.values())
    size = data.draw(st.integers(0, total))
    assert_controlled(counts, size, allocate(counts, size))


def test_women_are_not_rounded_away():
    """Women spread thinly over ten strata: plain largest remainder would give them none."""
    counts = {}
    for rosh in RoshLevel.values:
        for group in sampling.SENTENCE_GROUPS:
            counts[Stratum(rosh, group, Gender.MALE)] = 180
            counts[Stratum(rosh, group, Gender.FEMALE)] = 20
    allocation = allocate(counts, 30)  # women's share: 3 exactly
    women = sum(n for s, n in allocation.items() if s.gender == Gender.FEMALE)
    assert women == 3
    assert_controlled(counts, 30, allocation)


def test_allocation_prefers_largest_remainders():
    counts = {
        Stratum("low", "community", "male"): 55,
        Stratum("medium", "community", "male"): 30,
        Stratum("high", "licence", "male"): 15,
    }
    # shares of 10: 5.5, 3.0, 1.5 -> ties broken in stratum order; exact ones untouched
    assert allocate(counts, 10) == {
        Stratum("low", "community", "male"): 6,
        Stratum("medium", "community", "male"): 3,
        Stratum("high", "licence", "male"): 1,
    }


def test_allocation_rejects_impossible_sizes():
    counts = {Stratum("low", "community", "male"): 3}
    with pytest.raises(ValueError):
        allocate(counts, 4)
    assert allocate(counts, 0) == {Stratum("low", "community", "male"): 0}


# Drawing -------------------------------------------------------------------------------------


@pytest.fixture
def caseload(db):
    """300 cases across the strata, 12% women, one PDU and one out of the window."""
    pdu = ProviderFactory(code="PDU-S")
    other = ProviderFactory(code="PDU-OTHER")
    rng = __import__("random").Random(7)
    sentences = list(SentenceType.values)
    for i in range(300):
        CaseFactory(
            crn=f"S{i:06d}",
            provider=pdu,
            sentence_type=rng.choice(sentences),
            rosh_level=rng.choices(RoshLevel.values, weights=[30, 50, 15, 3, 2])[0],
            gender=Gender.FEMALE if i % 25 < 3 else Gender.MALE,
            start_date=datetime.date(2026, 1, 1) + datetime.timedelta(days=i % 150),
        )
    CaseFactory(crn="S999999", provider=pdu, start_date=datetime.date(2025, 6, 1))
    CaseFactory(crn="O000001", provider=other, start_date=datetime.date(2026, 2, 1))
    return pdu


WINDOW = dict(window_start=datetime.date(2026, 1, 1), window_end=datetime.date(2026, 6, 30))


def test_same_seed_same_sample(caseload):
    first = sampling.draw_sample(providers=[caseload], size=40, seed=12345, **WINDOW)
    second = sampling.draw_sample(providers=[caseload], size=40, seed=12345, **WINDOW)
    other = sampling.draw_sample(providers=[caseload], size=40, seed=54321, **WINDOW)
    crns = lambda s: sorted(s.cases.values_list("crn", flat=True))  # noqa: E731
    assert crns(first) == crns(second)
    assert crns(first) != crns(other)
    assert first.sample_strata == other.sample_strata  # allocation does not depend on the seed


def test_sample_records_seed_strata_and_size(caseload):
    sample = sampling.draw_sample(providers=[caseload], size=40, seed=99, drawn_by="lead", **WINDOW)
    assert sample.seed == 99 and sample.drawn_by == "lead"
    assert sample.caseload_size == 300  # the out-of-window and other provider's cases excluded
    assert sum(sample.caseload_strata.values()) == 300
    assert sum(sample.sample_strata.values()) == 40 == sample.cases.count()
    assert list(sample.providers.all()) == [caseload]
    drawn = Counter(
        Stratum.of(c.rosh_level, c.sentence_type, c.gender).key for c in sample.cases.all()
    )
    assert drawn == Counter({k: v for k, v in sample.sample_strata.items() if v})
    counts = {Stratum.from_key(k): v for k, v in sample.caseload_strata.items()}
    allocation = {Stratum.from_key(k): v for k, v in sample.sample_strata.items()}
    assert_controlled(counts, 40, allocation)


def test_women_kept_in_a_drawn_sample(caseload):
    sample = sampling.draw_sample(providers=[caseload], size=25, seed=1, **WINDOW)
    women = sample.cases.filter(gender=Gender.FEMALE).count()
    total_women = sum(v for k, v in sample.caseload_strata.items() if k.endswith("|female"))
    share = Fraction(total_women * 25, 300)
    assert math.floor(share) <= women <= math.ceil(share)
    assert women >= 2


def test_default_seed_is_random_and_recorded(caseload):
    sample = sampling.draw_sample(providers=[caseload], size=10, **WINDOW)
    again = sampling.draw_sample(providers=[caseload], size=10, seed=sample.seed, **WINDOW)
    assert set(sample.cases.values_list("id", flat=True)) == set(
        again.cases.values_list("id", flat=True)
    )


def test_region_samples_its_pdus(db):
    region = ProviderFactory(code="REG", type="region")
    pdu = ProviderFactory(code="PDU-R", parent=region)
    CaseFactory.create_batch(5, provider=pdu, start_date=datetime.date(2026, 2, 1))
    sample = sampling.draw_sample(providers=[region], size=5, seed=3, **WINDOW)
    assert sample.caseload_size == 5 and sample.cases.count() == 5


def test_draw_sample_query_count_is_constant(caseload, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        sampling.draw_sample(providers=[caseload], size=150, seed=5, **WINDOW)


def test_strata_table_shows_caseload_beside_sample():
    table = sampling.strata_table(
        {"low|community|male": 60, "low|community|female": 20, "high|licence|male": 20},
        {"low|community|male": 6, "low|community|female": 2, "high|licence|male": 2},
    )
    assert [(r.label, r.caseload, r.sample, r.expected) for r in table["by_gender"]] == [
        ("Female", 20, 2, 2.0),
        ("Male", 80, 8, 8.0),
    ]
    assert [(r.label, r.caseload, r.sample) for r in table["by_primary"]] == [
        ("Low, community sentence", 80, 8),
        ("High, licence or PSS", 20, 2),
    ]
    assert table["cells"][0].label == "Low, community sentence, female"
    assert (table["caseload_total"], table["sample_total"]) == (100, 10)
