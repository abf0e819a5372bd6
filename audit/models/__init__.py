"""The audit's models, one module per concern; every model is importable from here."""

from audit.models.accounts import User
from audit.models.choices import (
    COUNTED_REVIEW_STATUSES,
    InspectionStatus,
    ReviewStatus,
    YesNo,
    YesNoNotApplicable,
)
from audit.models.counts import STRIPES, CountKind, ReviewContribution, RollupCount
from audit.models.improvement import ActionChange, ActionState, FindingKind, ImprovementAction
from audit.models.inspections import Inspection, SampledCase
from audit.models.moderation import ModerationJudgement, ModerationRead, Resolution
from audit.models.notifications import Notification, NotificationKind
from audit.models.published import (
    FROZEN_MODELS,
    FROZEN_WITH_INSPECTION,
    InspectionPublished,
    Publication,
    PublishedFigures,
    ensure_not_published,
)
from audit.models.reviews import (
    CaseReview,
    FrameworkFixed,
    HeldSave,
    Judgement,
    PromptAnswer,
    ReviewEvent,
)
from audit.models.standard_ratings import StandardJudgement
from audit.models.trail import AuditEvent

__all__ = [
    "ActionChange",
    "ActionState",
    "FindingKind",
    "ImprovementAction",
    "COUNTED_REVIEW_STATUSES",
    "STRIPES",
    "CountKind",
    "ReviewContribution",
    "RollupCount",
    "FROZEN_MODELS",
    "FROZEN_WITH_INSPECTION",
    "AuditEvent",
    "CaseReview",
    "FrameworkFixed",
    "HeldSave",
    "Inspection",
    "InspectionPublished",
    "InspectionStatus",
    "Judgement",
    "ModerationJudgement",
    "ModerationRead",
    "Notification",
    "NotificationKind",
    "PromptAnswer",
    "Publication",
    "PublishedFigures",
    "Resolution",
    "ReviewEvent",
    "ReviewStatus",
    "SampledCase",
    "StandardJudgement",
    "User",
    "YesNo",
    "YesNoNotApplicable",
    "ensure_not_published",
]
