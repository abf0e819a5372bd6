"""The audit's models, one module per concern; every model is importable from here."""

from audit.models.accounts import User
from audit.models.choices import (
    COUNTED_REVIEW_STATUSES,
    InspectionStatus,
    ReviewStatus,
    YesNo,
    YesNoNotApplicable,
)
from audit.models.inspections import Inspection, SampledCase
from audit.models.moderation import ModerationJudgement, ModerationRead, Resolution
from audit.models.published import (
    FROZEN_MODELS,
    FROZEN_WITH_INSPECTION,
    InspectionPublished,
    PublishedFigures,
)
from audit.models.reviews import (
    CaseReview,
    FrameworkFixed,
    HeldSave,
    Judgement,
    PromptAnswer,
    ReviewEvent,
)
from audit.models.rollup import (
    CaseReviewQuerySet,
    CountedValuesQuerySet,
    JudgementQuerySet,
    PromptAnswerQuerySet,
    ResolutionQuerySet,
    ReviewValuesQuerySet,
    RollupPlace,
    SampledCaseQuerySet,
    fill_review_copy,
    refresh_counted,
    refresh_review_copy,
)
from audit.models.standard_ratings import StandardJudgement
from audit.models.trail import AuditEvent

__all__ = [
    "COUNTED_REVIEW_STATUSES",
    "FROZEN_MODELS",
    "FROZEN_WITH_INSPECTION",
    "AuditEvent",
    "CaseReview",
    "CaseReviewQuerySet",
    "CountedValuesQuerySet",
    "FrameworkFixed",
    "HeldSave",
    "Inspection",
    "InspectionPublished",
    "InspectionStatus",
    "Judgement",
    "JudgementQuerySet",
    "ModerationJudgement",
    "ModerationRead",
    "PromptAnswer",
    "PromptAnswerQuerySet",
    "PublishedFigures",
    "Resolution",
    "ResolutionQuerySet",
    "ReviewEvent",
    "ReviewStatus",
    "ReviewValuesQuerySet",
    "RollupPlace",
    "SampledCase",
    "SampledCaseQuerySet",
    "StandardJudgement",
    "User",
    "YesNo",
    "YesNoNotApplicable",
    "fill_review_copy",
    "refresh_counted",
    "refresh_review_copy",
]
