"""Working days counted against limits: every kind in one pass gives what each kind alone does."""

from hypothesis import given
from hypothesis import strategies as st

from standards.timeliness import KINDS, MAX_LIMIT, count_key, in_time, in_time_each

CODES = [kind.code for kind in KINDS]
days = st.one_of(st.none(), st.integers(min_value=-3, max_value=MAX_LIMIT + 5))
counts = st.dictionaries(
    st.one_of(
        st.builds(count_key, st.sampled_from(CODES), days),
        st.sampled_from(["reviews", "rosh_n", "rosh_d"]),  # other case facts, ignored
    ),
    st.integers(min_value=0, max_value=50),
)
limits = st.fixed_dictionaries(
    {code: st.integers(min_value=0, max_value=MAX_LIMIT) for code in CODES}
)


@given(counts, limits)
def test_every_kind_in_one_pass_is_each_kind_alone(found_counts, found_limits):
    each = in_time_each(found_counts, found_limits)
    assert each == {
        code: in_time(found_counts, code, limit) for code, limit in found_limits.items()
    }


def test_a_worked_example():
    allocated, appointment = CODES[0], CODES[1]
    held = {
        count_key(allocated, 0): 4,
        count_key(allocated, 1): 3,
        count_key(allocated, 2): 2,
        count_key(allocated, None): 5,
        count_key(appointment, 7): 1,
        "reviews": 14,
    }
    # Within 1 working day: 4 + 3 of the 9 known, 5 not known; 7 days against 5: late.
    assert in_time_each(held, {allocated: 1, appointment: 5}) == {
        allocated: (7, 9, 5),
        appointment: (0, 1, 0),
    }
