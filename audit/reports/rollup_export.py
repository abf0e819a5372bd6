"""The roll-up as JSON and CSV rows: the serialisation shared by the JSON endpoint and the
`rollup` command.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from django.core.serializers.json import DjangoJSONEncoder

from audit.reports import rollup_cache
from audit.reports.rollup_results import InspectionRollup, ProviderRollup
from standards.rating import Rating


def _rating_value(rating: Rating | None):
    return rating.value if rating is not None else None


def provider_to_dict(result: ProviderRollup) -> dict:
    return {
        "code": result.code,
        "name": result.name,
        "reviews": result.reviews,
        "key_questions": [
            {
                "code": kq.code,
                "standard": kq.standard_code,
                "sufficient": kq.sufficient,
                "applicable": kq.applicable,
                "not_applicable": kq.not_applicable,
                "percentage": kq.percentage,
                "ci_low": kq.ci_low,
                "ci_high": kq.ci_high,
                "rating": _rating_value(kq.rating),
            }
            for kq in result.key_questions
        ],
        "standards": [
            {
                "code": s.code,
                "title": s.title,
                "rated_by": s.rated_by,
                "data_rating": _rating_value(s.data_rating),
                "override": _rating_value(s.override),
                "rating": _rating_value(s.rating),
                "rationale": s.rationale,
            }
            for s in result.standards
        ],
        "focus_measures": [
            {
                "code": m.code,
                "label": m.label,
                "numerator": m.numerator,
                "denominator": m.denominator,
                "percentage": m.percentage,
                "ci_low": m.ci_low,
                "ci_high": m.ci_high,
                **({"not_known": m.not_known} if m.is_timeliness else {}),
            }
            for m in result.focus_measures
        ],
        "overall": {
            "score": result.overall.score,
            "max_score": result.overall.max_score,
            "standards_rated": result.overall.standards_rated,
            "standards_in_scheme": result.overall.standards_in_scheme,
            "partial": result.overall.is_partial,
            "rating": _rating_value(result.overall.rating),
        },
    }


def rollup_to_dict(result: InspectionRollup) -> dict:
    return {
        "inspection": {
            "id": result.inspection_id,
            "title": result.title,
            "status": result.status,
            "period_start": result.period_start.isoformat(),
            "period_end": result.period_end.isoformat(),
            "framework": {"code": result.framework_code, "version": result.framework_version},
        },
        "partial_scope": result.is_partial_scope,
        "providers": [provider_to_dict(p) for p in result.providers],
        "whole_inspection": provider_to_dict(result.whole),
    }


CSV_COLUMNS = [
    "provider_code",
    "provider_name",
    "record",
    "code",
    "sufficient",
    "applicable",
    "not_applicable",
    "not_known",
    "percentage",
    "ci_low",
    "ci_high",
    "data_rating",
    "override",
    "rating",
    "score",
    "max_score",
    "partial",
]


def rollup_json(result: InspectionRollup) -> bytes:
    """The roll-up as the JSON endpoint serves it, kept beside the roll-up when it was kept:
    a national roll-up is over a megabyte of JSON, built and encoded on every request else."""
    return rollup_cache.beside(
        result.source,
        lambda: json.dumps(rollup_to_dict(result), cls=DjangoJSONEncoder, indent=2).encode(),
        "json",
    )


def rollup_csv_rows(result: InspectionRollup) -> Iterable[dict]:
    """One row per key question, standard, focus measure and overall result of each provider."""
    for p in (*result.providers, result.whole):
        base = {"provider_code": p.code or "", "provider_name": p.name}
        for kq in p.key_questions:
            yield {
                **base,
                "record": "key_question",
                "code": kq.code,
                "sufficient": kq.sufficient,
                "applicable": kq.applicable,
                "not_applicable": kq.not_applicable,
                "percentage": kq.percentage,
                "ci_low": kq.ci_low,
                "ci_high": kq.ci_high,
                "rating": _rating_value(kq.rating),
            }
        for s in p.standards:
            yield {
                **base,
                "record": "standard",
                "code": s.code,
                "data_rating": _rating_value(s.data_rating),
                "override": _rating_value(s.override),
                "rating": _rating_value(s.rating),
            }
        for m in p.focus_measures:
            yield {
                **base,
                "record": "focus_measure",
                "code": m.code,
                "sufficient": m.numerator,
                "applicable": m.denominator,
                "percentage": m.percentage,
                "ci_low": m.ci_low,
                "ci_high": m.ci_high,
                "not_known": m.not_known if m.is_timeliness else None,
            }
        yield {
            **base,
            "record": "overall",
            "code": "overall",
            "rating": _rating_value(p.overall.rating),
            "score": p.overall.score,
            "max_score": p.overall.max_score,
            "partial": p.overall.is_partial,
        }
