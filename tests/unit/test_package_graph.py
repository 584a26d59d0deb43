"""quiz_api's packages form layers: no two import each other (tools/package_graph.py)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("package_graph", ROOT / "tools" / "package_graph.py")
package_graph = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(package_graph)


def test_no_two_packages_of_quiz_api_import_each_other():
    edges = package_graph.graph()
    assert "learners" in edges["attempts"], "the graph should see the imports it checks"
    assert package_graph.ties(edges) == []


def test_privacy_sits_above_attempts_and_certificates():
    edges = package_graph.graph()
    assert {"attempts", "certificates"} <= edges["privacy"]
    assert not any("privacy" in edges.get(name, set()) for name in ("attempts", "certificates", "learners"))


def test_the_pages_package_knows_no_domain():
    assert package_graph.graph()["pages"] <= {"errors", "labels", "cookies"}  # cookies: names and flags only


def test_a_tie_is_found_through_absolute_and_relative_imports(tmp_path):
    for name in ("alpha", "beta"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "__init__.py").write_text("")
    (tmp_path / "alpha" / "service.py").write_text("from quiz_api.beta import models\n")
    (tmp_path / "beta" / "models.py").write_text("from ..alpha import service\n")
    (tmp_path / "gamma.py").write_text("import quiz_api.alpha.service\n")
    edges = package_graph.graph(tmp_path)
    assert edges == {"alpha": {"beta"}, "beta": {"alpha"}, "gamma": {"alpha"}}
    assert package_graph.ties(edges) == [("alpha", "beta")]
