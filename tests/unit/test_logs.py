import logging

from quiz_api.logs import RedactLearnerCodes


def test_access_log_lines_never_contain_a_learner_code():
    record = logging.LogRecord("uvicorn.access", logging.INFO, "", 0, '%s - "%s %s HTTP/%s" %d',
                               ("127.0.0.1:5000", "GET", "/api/v1/learners/KXMA-EFGV-6EA1-M/data", "1.1", 200), None)
    RedactLearnerCodes().filter(record)
    line = record.getMessage()
    assert "KXMA" not in line and "/api/v1/learners/***/data" in line
