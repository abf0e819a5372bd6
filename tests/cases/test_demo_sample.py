"""The demo data includes a stratified sample drawn for one PDU, drawn once."""

import pytest

from audit.synthetic import demo
from cases import sampling
from cases.models import Sample

pytestmark = pytest.mark.django_db


def test_demo_draws_one_stratified_sample_for_a_pdu_and_is_idempotent():
    pdus = demo.load_providers()
    demo.load_cases(pdus)
    sample = demo.load_drawn_sample(pdus)
    assert [p.code for p in sample.providers.all()] == ["PDU-WOL"]
    assert sample.seed == demo.DEMO_SAMPLE_SEED
    assert sample.requested_size == sampling.sample_size(sample.caseload_size, 80, 0.10)
    assert sample.cases.count() == sample.requested_size == sum(sample.sample_strata.values())
    assert set(sample.cases.values_list("provider__code", flat=True)) == {"PDU-WOL"}
    assert sample.cases.filter(gender="female").exists()
    assert demo.load_drawn_sample(pdus) == sample
    assert Sample.objects.filter(seed=demo.DEMO_SAMPLE_SEED).count() == 1
