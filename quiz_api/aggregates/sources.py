"""The raw rows the aggregates count, named here as bare tables (no model imports): this package
sits below the domains that call it (attempts, certificates, learners), so it imports none of them.
"""

from sqlalchemy import Boolean, DateTime, Float, Integer, String, column, table

learner = table("learner", column("id", Integer), column("unit_code", String), column("group", String))
attempt = table("attempt", column("id", String), column("learner_id", Integer), column("module_id", String),
                column("attempt_no", Integer), column("submitted_at", DateTime), column("passed", Boolean),
                column("score", Float), column("correct_count", Integer), column("question_count", Integer))
answer = table("attempt_answer", column("attempt_id", String), column("position", Integer),
               column("question_id", String), column("chosen", String), column("correct", Boolean))
certificate = table("certificate", column("learner_id", Integer), column("kind", String), column("subject", String),
                    column("issued_at", DateTime), column("revoked_at", DateTime))
pending = table("report_question_pending", column("attempt_id", String))
