"""Question banks: YAML files beside this module, loaded and validated once at start-up."""

from quiz_api.banks.loader import Bank, BankError, Question, check_banks, lesson_url, load_banks

__all__ = ["Bank", "BankError", "Question", "check_banks", "lesson_url", "load_banks"]
