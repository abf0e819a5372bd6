"""Focus measures: the inspectorate's headline checks, from the case facts and prompts."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q


@dataclass(frozen=True)
class FactMeasure:
    """n = counted reviews matching `numerator`; N = those matching `denominator`."""

    code: str
    label: str
    numerator: Q
    denominator: Q


@dataclass(frozen=True)
class PromptMeasure:
    """n = "yes" answers to a prompt; N = yes and no answers (not applicable left out)."""

    code: str
    label: str
    prompt_code: str


YES = "yes"


YES_NO = ("yes", "no")


FACT_MEASURES: tuple[FactMeasure, ...] = (
    FactMeasure(
        "rosh_screening_completed",
        "RoSH screening completed",
        Q(rosh_screening_completed=YES),
        Q(rosh_screening_completed__in=YES_NO),
    ),
    FactMeasure(
        "rosh_screening_on_time",
        "RoSH screening completed on time",
        Q(rosh_screening_on_time=YES),
        Q(rosh_screening_on_time__in=YES_NO),
    ),
    FactMeasure(
        "full_risk_analysis_completed",
        "Full risk-of-harm analysis completed where required",
        Q(full_risk_analysis_completed=YES),
        Q(full_risk_analysis_completed__in=YES_NO),
    ),
    FactMeasure(
        "domestic_abuse_enquiries_made",
        "Domestic-abuse enquiries made where needed",
        Q(domestic_abuse_enquiries_needed=YES, domestic_abuse_enquiries_made=YES),
        Q(domestic_abuse_enquiries_needed=YES),
    ),
    FactMeasure(
        "child_safeguarding_enquiries_made",
        "Child safeguarding enquiries made where needed",
        Q(child_safeguarding_enquiries_needed=YES, child_safeguarding_enquiries_made=YES),
        Q(child_safeguarding_enquiries_needed=YES),
    ),
    FactMeasure(
        "home_visits_made",
        "Home visits made where needed",
        Q(home_visit_needed=YES, home_visit_made=YES),
        Q(home_visit_needed=YES),
    ),
    FactMeasure(
        "management_oversight_sufficient",
        "Management oversight sufficient",
        Q(management_oversight_sufficient=YES),
        Q(management_oversight_sufficient__in=YES_NO),
    ),
)


PROMPT_MEASURES: tuple[PromptMeasure, ...] = (
    PromptMeasure("rosh_screening_sufficient", "RoSH screening on time and accurate", "2.1.3.a"),
    PromptMeasure(
        "domestic_abuse_reply_used",
        "Domestic-abuse enquiries made and the reply used",
        "2.1.3.d",
    ),
    PromptMeasure(
        "child_safeguarding_reply_used",
        "Child safeguarding enquiries made and the reply used",
        "2.1.3.e",
    ),
    PromptMeasure(
        "home_visits_to_manage_risk", "Home visits made to manage risk of harm", "2.3.3.b"
    ),
)
