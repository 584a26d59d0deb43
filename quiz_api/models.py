"""Every table, imported in one place so metadata (and Alembic) sees the whole schema."""

from quiz_api.aggregates.models import ReportMonth, ReportPick, ReportQuestion, ReportQuestionPending
from quiz_api.attempts.models import Attempt, AttemptAnswer
from quiz_api.audit import AuditLog
from quiz_api.certificates.models import Certificate
from quiz_api.classes.models import ClassMember, ClassModule, TrainingClass
from quiz_api.db import Base
from quiz_api.learners.models import Learner
from quiz_api.organisers.models import Organiser, OrganiserUnit
from quiz_api.ratelimit import RateLimitCounter
from quiz_api.reports.models import AppMeta, Target
from quiz_api.units.models import Unit

__all__ = [
    "AppMeta", "Attempt", "AttemptAnswer", "AuditLog", "Base", "Certificate", "ClassMember", "ClassModule",
    "Learner", "Organiser", "OrganiserUnit", "RateLimitCounter", "ReportMonth", "ReportPick", "ReportQuestion",
    "ReportQuestionPending", "Target", "TrainingClass", "Unit",
]
