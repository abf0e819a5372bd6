"""Explained ratings: why a standard and an overall rating are what they are, as sentences a
manager can quote. Read from the roll-up's results and the framework's rating scheme only, so a
page, its exports and its PDF say the same thing.
"""

from __future__ import annotations

from decimal import Decimal

from audit.reports.rollup_results import KeyQuestionResult, ProviderRollup, StandardResult
from standards.rating import Rating, RatingScheme


def _percent(value: Decimal) -> str:
    return f"{value.normalize():f}%"


def band_limits(rating: Rating, scheme: RatingScheme) -> str:
    """A percentage band's limits in words: "65% up to but not including 80%"."""
    bands = scheme.percentage_bands  # best first
    for index, band in enumerate(bands):
        if band.rating != rating:
            continue
        if index == 0:
            return f"{_percent(band.lower_bound)} or more"
        upper = bands[index - 1].lower_bound
        if band.lower_bound <= 0:
            return f"below {_percent(upper)}"
        return f"{_percent(band.lower_bound)} up to but not including {_percent(upper)}"
    return ""


def score_band_table(scheme: RatingScheme) -> str:
    """The framework's overall bands in one sentence, lowest first."""
    parts = [
        f"{band.min_score} to {band.max_score} points {band.rating.label}"
        for band in scheme.score_bands
    ]
    return "; ".join(parts)


def _sentence(text: str) -> str:
    """Free text ending as a sentence does."""
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else f"{text}."


def _figure(kq: KeyQuestionResult) -> str:
    return f"{kq.percent_display}% ({kq.sufficient} of {kq.applicable} cases)"


def _weakest(key_questions: list[KeyQuestionResult]) -> list[KeyQuestionResult]:
    """The key questions that set a case standard's band: those in its weakest band."""
    rated = [kq for kq in key_questions if kq.rating is not None]
    if not rated:
        return []
    worst = min(kq.rating.points for kq in rated)
    return sorted((kq for kq in rated if kq.rating.points == worst), key=lambda kq: kq.percentage)


def _data_sentence(
    standard: StandardResult, key_questions: list[KeyQuestionResult], scheme: RatingScheme
) -> str:
    setters = _weakest(key_questions)
    if not setters:
        return (
            f"Standard {standard.code} has no data-driven rating: none of its key questions "
            "had an applicable case."
        )
    band = setters[0].rating
    first = setters[0]
    sentence = (
        f"Standard {standard.code} is {band.label} because a standard takes the band of its "
        f"weakest key question: {first.code} was {_figure(first)}, in the {band.label} band "
        f"({band_limits(band, scheme)})."
    )
    if len(setters) > 1:
        others = ", ".join(f"{kq.code} ({kq.percent_display}%)" for kq in setters[1:])
        sentence += f" Also in that band: {others}."
    better = [kq for kq in key_questions if kq.rating is not None and kq not in setters]
    if better:
        listed = ", ".join(f"{kq.code} {kq.percent_display}% {kq.rating.label}" for kq in better)
        sentence += f" Its other key questions: {listed}."
    return sentence


def standard_explanation(
    standard: StandardResult, key_questions: list[KeyQuestionResult], scheme: RatingScheme
) -> str:
    """Why the standard has the rating that counts."""
    if standard.is_judgement_rated:
        if standard.entered_rating is None:
            return f"Standard {standard.code} is rated by judgement and has not been rated yet."
        reason = f": {_sentence(standard.rationale)}" if standard.rationale else "."
        return (
            f"Standard {standard.code} is {standard.entered_rating.label}, rated by the lead "
            f"inspector's judgement{reason}"
        )
    sentence = _data_sentence(standard, key_questions, scheme)
    if standard.is_overridden:
        data = standard.data_rating.label if standard.data_rating else "not rated"
        reason = f" The reason given: {_sentence(standard.rationale)}" if standard.rationale else ""
        sentence = (
            f"Standard {standard.code} is {standard.entered_rating.label}: the lead inspector "
            f"overrode the data-driven rating ({data}).{reason} Without the override: {sentence}"
        )
    return sentence


def overall_explanation(result: ProviderRollup, scheme: RatingScheme) -> str:
    """The points per standard, the total and the framework version's band table."""
    overall = result.overall
    points = [f"{s.code} {s.rating.label} {s.rating.points}" for s in result.standards if s.rating]
    bands = f"This framework version's bands: {score_band_table(scheme)}."
    if not points:
        return f"No standard is rated yet, so there is no overall score. {bands}"
    listed = f"Points per standard: {', '.join(points)}."
    if overall.rating is None:
        return (
            f"Only {overall.standards_rated} of {overall.standards_in_scheme} standards are "
            f"rated, so the total of {overall.score} points (out of {overall.max_score}) gives "
            f"no overall rating. {listed} {bands}"
        )
    return (
        f"The overall rating is {overall.rating.label}: the {overall.standards_rated} standards "
        f"score {overall.score} points out of {overall.max_score}, which is in the "
        f"{overall.rating.label} band. {listed} {bands}"
    )


def explanations(result: ProviderRollup, scheme: RatingScheme) -> list[tuple[str, str]]:
    """(subject, sentence) for the overall rating, then each standard."""
    rows = [("Overall", overall_explanation(result, scheme))]
    for standard in result.standards:
        kqs = [result.key_question(code) for code in standard.key_question_codes]
        rows.append(
            (
                standard.code,
                standard_explanation(standard, [kq for kq in kqs if kq is not None], scheme),
            )
        )
    return rows
