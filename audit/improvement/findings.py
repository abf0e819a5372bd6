"""The findings of a provider's report an action may start from, and each one's figure.

Read from the roll-up the report shows (`audit.reports.rollup`), so the figure an action starts
from is the one on the page: sufficient of applicable for a key question, cases meeting a focus
measure of those it applies to. A standard rated from case data is rated at its weakest key
question (docs/rating-rules.md), so its figure is that key question's; a standard rated by
judgement has a rating and no figure.
"""

from __future__ import annotations

from dataclasses import dataclass

from audit.models import FindingKind
from audit.reports.rollup_results import ProviderRollup, whole_percent
from standards.rating import sufficiency, wilson_interval
from standards.statistics import Change, change


@dataclass(frozen=True)
class Figure:
    """n of N, with its percentage and 95% Wilson interval (None when nothing applies)."""

    numerator: int
    denominator: int

    @property
    def percentage(self) -> float | None:
        return sufficiency(self.numerator, self.denominator)

    @property
    def interval(self):
        return wilson_interval(self.numerator, self.denominator)

    @property
    def text(self) -> str:
        if not self.denominator:
            return "no cases"
        return f"{self.numerator} of {self.denominator} ({whole_percent(self.percentage)}%)"

    @property
    def interval_text(self) -> str:
        interval = self.interval
        if interval is None:
            return "–"
        return f"{whole_percent(interval[0])}% to {whole_percent(interval[1])}%"


@dataclass(frozen=True)
class Finding:
    kind: str
    code: str
    label: str
    measure_code: str
    figure: Figure | None

    @property
    def key(self) -> str:
        """How a form or a link names the finding: "kq:2.1.1", "standard:2.1", "focus:<code>"."""
        return f"{self.kind}:{self.code}"

    @property
    def choice_label(self) -> str:
        figure = self.figure.text if self.figure is not None else "rated by judgement, no figure"
        return f"{self.label}: {figure}"


def _weakest(result: ProviderRollup, codes) -> tuple[str, Figure | None]:
    """The key question of these whose percentage is lowest (the first on a tie)."""
    rated = [kq for code in codes if (kq := result.key_question(code)) and kq.applicable]
    if not rated:
        return (codes[0] if codes else ""), None
    weakest = min(rated, key=lambda kq: kq.sufficient / kq.applicable)
    return weakest.code, Figure(weakest.sufficient, weakest.applicable)


def findings(result: ProviderRollup) -> list[Finding]:
    """Every finding of one provider's results: standards, key questions, focus measures."""
    found = []
    for standard in result.standards:
        label = f"Standard {standard.code} {standard.title}"
        if standard.is_judgement_rated:
            found.append(Finding(FindingKind.STANDARD, standard.code, label, "", None))
            continue
        code, figure = _weakest(result, standard.key_question_codes)
        label += f" (weakest key question {code})" if code else ""
        found.append(Finding(FindingKind.STANDARD, standard.code, label, code, figure))
    for kq in result.key_questions:
        found.append(
            Finding(
                FindingKind.KEY_QUESTION,
                kq.code,
                f"Key question {kq.code} {kq.wording}",
                kq.code,
                Figure(kq.sufficient, kq.applicable),
            )
        )
    for measure in result.focus_measures:
        found.append(
            Finding(
                FindingKind.FOCUS_MEASURE,
                measure.code,
                f"Focus measure: {measure.label}",
                measure.code,
                Figure(measure.numerator, measure.denominator),
            )
        )
    return found


def figure_of(result: ProviderRollup, kind: str, measure_code: str) -> Figure | None:
    """The figure an action measures, in another inspection's results; None if not there."""
    if not measure_code:
        return None
    if kind == FindingKind.FOCUS_MEASURE:
        measure = next((m for m in result.focus_measures if m.code == measure_code), None)
        return Figure(measure.numerator, measure.denominator) if measure else None
    kq = result.key_question(measure_code)
    return Figure(kq.sufficient, kq.applicable) if kq else None


@dataclass(frozen=True)
class BeforeAfter:
    """An action's starting figure, its figure at the next inspection, and the test of the
    change (pooled two-proportion z test at 95%, `standards.statistics.change`)."""

    action: object
    before: Figure | None
    after: Figure | None

    @property
    def change(self) -> Change | None:
        if self.before is None or self.after is None:
            return None
        return change(
            self.before.numerator,
            self.before.denominator,
            self.after.numerator,
            self.after.denominator,
        )

    @property
    def verdict(self) -> str:
        result = self.change
        if result is None:
            return "No figure to compare"
        if result.cannot_tell:
            return result.reason
        direction = "Up" if result.difference > 0 else "Down"
        points = f"{direction} {abs(result.difference):.0f} points" if result.difference else ""
        if result.significant:
            return f"{points}: larger than chance would explain (z = {result.z:.2f})"
        return f"{points or 'No change'}: within what chance would explain (z = {result.z:.2f})"
