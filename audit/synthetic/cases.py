"""One seeded generator of synthetic cases, shared by the demo data, the national data set and
the test factories: case records, the facts an assessor records, prompt answers and judgements.

Everything is drawn from the `random.Random` passed in, so the same seed gives the same data.
The shares are realistic rather than uniform (sentences, RoSH levels, gender and risk flags as
in a typical caseload), and the answers are plausible: a `quality` (the chance of good work,
0 to 1) sets how often prompts are met, keeping-safe work is weaker than engaging work and
reviewing weaker than assessment, and a key question's judgement goes with its prompts'
evidence. Rows are plain values (tuples in column order), so the national data set can stream
them to COPY; `case_fields` and `review_facts` give the same as keyword arguments for models.
"""

from __future__ import annotations

import datetime
import random

from audit.scoring.case_facts import FACT_FIELDS
from standards.models import KeyQuestion, Prompt, RatedBy

SUFFICIENT, NOT_SUFFICIENT, NA = "sufficient", "not_sufficient", "na"

SENTENCES = (
    ("community_order", 40),
    ("suspended_sentence_order", 25),
    ("licence", 30),
    ("post_sentence_supervision", 5),
)
ROSH_LEVELS = (("low", 30), ("medium", 50), ("high", 17), ("very_high", 3))
LEVELS = ["low", "medium", "high", "very_high"]
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

# How each lens and standard moves the chance of good work, as in the inspectorate's findings.
LENS_SHIFT = {"engaging": 0.08, "desistance": 0.0, "keeping_safe": -0.12}
STANDARD_SHIFT = {"2.1": 0.02, "2.2": 0.0, "2.3": -0.02, "2.4": -0.06}
RATIONALES = {
    "engaging": [
        "The person's circumstances and barriers to engagement were not explored.",
        "Little evidence that the person's views shaped the work.",
        "Contact was not set at a level that would keep the person engaged.",
        "No evidence the person's views were sought; the plan was written for them, not with them.",
    ],
    "desistance": [
        "The main factors linked to offending were not analysed.",
        "Strengths and protective factors were not identified or built on.",
        "Services did not address the most relevant needs.",
        "Sentence plan objectives were generic and not linked to the offending.",
    ],
    "keeping_safe": [
        "Domestic-abuse information from the police was not sought or not used.",
        "Risks to children were not analysed despite concerns in the record.",
        "The risk of harm to known victims was not assessed or managed.",
        "No contingency plan for changes in the level of risk.",
        "Home visit identified as needed but not carried out in the period.",
    ],
}

CASE_COLUMNS = [
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
]
FACT_COLUMNS = FACT_FIELDS  # the facts an assessor records, in page order


def weighted(rng: random.Random, options) -> str:
    values, weights = zip(*options)
    return rng.choices(values, weights=weights)[0]


def clamp(p: float) -> float:
    return min(0.98, max(0.02, p))


# --- case records ------------------------------------------------------------------------------


def case_values(rng: random.Random, *, first_start: datetime.date, spread_days: int) -> tuple:
    """One case record in CASE_COLUMNS order, starting within `spread_days` of `first_start`."""
    rosh = weighted(rng, ROSH_LEVELS)
    high = rosh in ("high", "very_high")
    mappa = (
        rng.choice((1, 2)) if high and rng.random() < 0.5 else 3 if rng.random() < 0.01 else None
    )
    return (
        weighted(rng, SENTENCES),
        first_start + datetime.timedelta(days=rng.randrange(spread_days)),
        rosh,
        mappa,
        (1 if rng.random() < 0.8 else 2) if mappa else None,
        weighted(rng, GENDERS),
        weighted(rng, ETHNICITIES),
        rng.choice(AGE_BANDS),
        rng.random() < 0.35,
        rng.random() < 0.25,
        "po" if rng.random() < 0.6 or high else "pso",
    )


def case_fields(rng: random.Random, *, first_start: datetime.date, spread_days: int) -> dict:
    """A case record as keyword arguments for `cases.models.Case`."""
    return dict(
        zip(CASE_COLUMNS, case_values(rng, first_start=first_start, spread_days=spread_days))
    )


# --- case facts ----------------------------------------------------------------------------------


def case_facts(rng, q, rosh, mappa, mappa_level, da, child, sentence, gender):
    """The case facts as an assessor records them (FACT_COLUMNS order), and the facts the
    framework's applicability rules read, as `audit.scoring.rules.review_facts` derives them.
    `q` is the chance of good work."""

    def yes(p):
        return "yes" if rng.random() < clamp(p) else "no"

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
    high_found = found in ("high", "very_high")
    home_needed = (
        "yes" if "yes" in (da_needed, cs_needed) or (high_found and rng.random() < 0.7) else "no"
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
    needed = (home_needed, da_needed, cs_needed)
    return facts, _applicability(sentence, found, gender, da, child, mappa, needed, full_required)


def _applicability(sentence, found, gender, da, child, mappa, needed, full_required) -> tuple:
    """The facts the applicability rules read, as `audit.scoring.rules.review_facts` derives
    them from the case and the recorded facts (`needed`: home visit, domestic-abuse and
    child-safeguarding enquiries)."""
    home_needed, da_needed, cs_needed = needed
    return (
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


def review_facts(rng: random.Random, quality: float, case) -> tuple[dict, dict]:
    """The facts for a saved or unsaved `Case`, as keyword arguments for `CaseReview`, and the
    facts its framework's applicability rules read."""
    facts, applicability = case_facts(
        rng,
        quality,
        case.rosh_level,
        case.mappa_category,
        case.mappa_level,
        case.domestic_abuse_history,
        case.child_safeguarding_concerns,
        case.sentence_type,
        case.gender,
    )
    return dict(zip(FACT_COLUMNS, facts)), dict(applicability)


# --- prompt answers and judgements ---------------------------------------------------------------


def plan(facts: dict, key_questions, prompts: dict) -> list[tuple]:
    """What answering each key question involves for a case with these facts: its id, how its
    lens and standard shift the chance of good work, whether it may be judged not applicable,
    whether it applies, the rationales for "not sufficient", and each prompt's id, whether it
    applies and whether it may be answered not applicable. `prompts`: key question id -> its
    prompts in order; key questions need their standard loaded."""
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


def judge(rng: random.Random, quality: float, step: tuple) -> tuple[list, str, str]:
    """One key question of a review, as `plan` describes it: its prompts' answers as
    (prompt id, value), and the judgement with its rationale. A key question that may be not
    applicable (reviewing) sometimes is: no review was due in the period."""
    random_ = rng.random
    _kq_id, shift, may_be_na, kq_applies, rationales, prompt_plan = step
    p = clamp(quality + shift + rng.gauss(0, 0.1))
    judged_na = not kq_applies or (may_be_na and random_() < 0.12)
    yes = answered = 0
    answers = []
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
        answers.append((prompt_id, value))
    if judged_na:
        return answers, NA, ""
    evidence = yes / answered if answered else p
    if random_() < (p + evidence) / 2:
        return answers, SUFFICIENT, ""
    return answers, NOT_SUFFICIENT, rng.choice(rationales)


def second_read(rng: random.Random, value: str, rationales: list[str]) -> tuple[str, str]:
    """A moderator's blind judgement of a key question first judged `value`: mostly the same."""
    second = value
    if value != NA and rng.random() < 0.12:
        second = NOT_SUFFICIENT if value == SUFFICIENT else SUFFICIENT
    return second, rng.choice(rationales) if second == NOT_SUFFICIENT else ""


def framework_questions(framework) -> tuple[list, dict]:
    """The key questions of the framework's standards rated from case data (with their
    standards, in order), and each one's prompts in order, as `plan` takes them."""
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
    return key_questions, prompts
