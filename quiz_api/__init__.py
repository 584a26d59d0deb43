"""Kỹ năng số quiz service: grading, learners, certificates and organiser reports."""

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
