"""The yearly report as a Word document: the annual assessment's figures (the same as the JSON), the
Vietnamese administrative heading, a section per group, the table by unit, the units that missed,
the classes held, a chart, suppression; from the API, the dashboard and `kynangso report annual`;
and rendered by LibreOffice to page images (test-artifacts/)."""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import datetime
from pathlib import Path

import pytest
from docx import Document

from quiz_api.classes import service as classes
from quiz_api.organisers.service import Principal
from tests.organisers.helpers import bearer, make_organiser, web_login
from tests.reports import data

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
YEAR = 2026
MINE, OTHER, THIRD = "TN-P-long-an", "TN-S-so-y-te", "TN-S-so-tu-phap"


@pytest.fixture
def province(client, database):
    """Long An: 6 of 10 public servants passed (target 50%: met); Sở Y tế: 7 of 20 citizens (target 80%:
    missed by 9); Sở Tư pháp: 2 of 10 (a small cell). One class held by Long An, with 6 members."""
    make_organiser(database, "admin1", admin=True)
    make_organiser(database, "longan", units=(MINE,))
    with database.writing() as db:
        members = []
        for unit, group, n in ((MINE, "public_servant", 6), (OTHER, "citizen", 7), (THIRD, "public_servant", 2)):
            for i in range(n):
                lid = data.learner(db, unit=unit, group=group, name=f"{unit} {i}")
                data.attempt(db, lid, at=datetime(YEAR, 4, 2, 9, 0))
                if unit == MINE:
                    members.append(lid)
        data.target(db, year=YEAR, unit=MINE, group="public_servant", headcount=10, share=0.5)
        data.target(db, year=YEAR, unit=OTHER, group="citizen", headcount=20, share=0.8)
        data.target(db, year=YEAR, unit=THIRD, group="public_servant", headcount=10, share=0.5)
        admin = Principal(0, "admin1", "admin", frozenset())
        held, _ = classes.create(db=db, who=admin, known_modules={"mau-thu"}, now=datetime(YEAR, 3, 1), data=classes.ClassIn(
            title="Lớp tập huấn dữ liệu cá nhân", starts_at=datetime(YEAR, 4, 2, 8, 0), place="Hội trường Long An",
            unit_code=MINE, module_ids=["mau-thu"], trainer_name="Trần Bình", expected_headcount=10))
        for lid in members:
            classes.join(db=db, training_class=held, learner_id=lid)


def tables_text(doc) -> list[list[list[str]]]:
    return [[[cell.text for cell in row.cells] for row in table.rows] for table in doc.tables]


def all_text(doc) -> str:
    return "\n".join([p.text for p in doc.paragraphs] + [c for t in tables_text(doc) for r in t for c in r])


def pct(value) -> str:
    return "<5" if value is None else f"{value * 100:.0f}%"


def test_the_word_report_holds_the_annual_figures_of_the_json(client, province, banks):
    headers = bearer(client, "admin1")
    annual = client.get(f"/api/v1/reports/annual?year={YEAR}&format=json", headers=headers).json()
    response = client.get(f"/api/v1/reports/annual?year={YEAR}&format=docx", headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessing")
    assert "attachment" in response.headers["content-disposition"]
    doc = Document(io.BytesIO(response.content))
    text = all_text(doc)
    for words in ("UBND TỈNH TÂY NINH", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                  "Số: ....../BC-", "Tây Ninh, ngày ...... tháng ...... năm ......", "BÁO CÁO", str(YEAR)):
        assert words in text, words
    unit_table = next(t for t in tables_text(doc) if t[0][:3] == ["Đơn vị", "Nhóm", "Học phần"])
    body = unit_table[1:]
    rows = [r for r in annual["rows"] if r["unit_code"] != "*"]
    assert len(body) == len(rows) == 3
    for shown, row in zip(body, rows, strict=True):
        assert shown[0] == row["unit_name"]
        assert shown[3] == str(row["target"])
        assert shown[4] == ("<5" if row["trained"] is None else str(row["trained"]))
        assert shown[5] == pct(row["rate"])
        assert shown[6] == row["status"]
        assert shown[7] == ("<5" if row["gap"] is None else str(row["gap"]))
    # the small cell (2) is hidden, and Long An's 6 with it (complementary: the total would give it away)
    assert [r[4] for r in body] == ["<5", "7", "<5"]
    assert "Sở Y tế — " in text and "còn thiếu 9" in text  # missed, by name, with the shortfall
    assert "Long An — " not in text
    assert "Cán bộ, công chức, viên chức" in [p.text for p in doc.paragraphs if p.style.name == "Heading 2"]
    classes_table = next(t for t in tables_text(doc) if t[0][1] == "Lớp")
    assert classes_table[1][1:] == ["Lớp tập huấn dữ liệu cá nhân", "Long An", "Hội trường Long An", "6"]
    assert classes_table[1][0] == "02/04/2026 08:00"  # typed in Vietnam time, shown in Vietnam time
    images = [rel.target_part.blob for rel in doc.part.rels.values() if "image" in rel.reltype]
    assert len(images) == 1 and images[0][:8] == b"\x89PNG\r\n\x1a\n"
    total = next(r for r in annual["rows"] if r["unit_code"] == "*" and r["group"] == "*")
    assert f"{total['trained']} lượt" in text and f"chỉ tiêu {total['target']}" in text


def test_the_english_report_and_a_unit_organisers_own_units(client, province):
    doc = Document(io.BytesIO(client.get(f"/api/v1/reports/annual?year={YEAR}&format=docx&lang=en",
                                         headers=bearer(client, "longan")).content))
    text = all_text(doc)
    assert "SOCIALIST REPUBLIC OF VIỆT NAM" in text and "Results by unit" in text
    assert "Sở Y tế" not in text and "Long An" in text


def test_the_dashboard_offers_the_word_report(client, province):
    web_login(client, "admin1")
    page = client.get(f"/organiser?year={YEAR}")
    assert f"/organiser/download/annual?year={YEAR}&amp;format=docx" in page.text
    download = client.get(f"/organiser/download/annual?year={YEAR}&format=docx")
    assert download.status_code == 200 and download.content[:2] == b"PK"


@pytest.fixture
def cli_env(app, monkeypatch):
    from quiz_api.config import get_settings

    settings = app.state.settings
    monkeypatch.setenv("KYNANGSO_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("KYNANGSO_BANKS_DIR", str(settings.banks_dir))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_kynangso_report_annual_writes_the_word_file_and_libreoffice_renders_it(client, province, cli_env,
                                                                                tmp_path):
    from quiz_api.cli import main

    out = tmp_path / "bao-cao.docx"
    assert main(["report", "annual", "--year", str(YEAR), "--format", "docx", "-o", str(out)]) == 0
    doc = Document(str(out))
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in all_text(doc)
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None or shutil.which("pdftoppm") is None:
        pytest.skip("LibreOffice (soffice) or pdftoppm is not installed: the page images are not made")
    subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(out)], check=True, capture_output=True, timeout=180)
    pdf = tmp_path / "bao-cao.pdf"
    assert pdf.exists() and pdf.read_bytes()[:4] == b"%PDF"
    ARTIFACTS.mkdir(exist_ok=True)
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "2", str(pdf),
                    str(ARTIFACTS / "annual-report-page")], check=True, timeout=120)
    pages = sorted(ARTIFACTS.glob("annual-report-page-*.png"))
    assert len(pages) >= 2 and all(p.stat().st_size > 5000 for p in pages[:2])
