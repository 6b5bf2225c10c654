"""The year's work plan as a section of the leading group's year (reports' annual page and Word file)."""

import io

import pytest
from django.urls import reverse
from django.utils import timezone
from docx import Document

pytestmark = pytest.mark.django_db


def test_the_year_page_and_word_file_show_the_plans_progress(world, client_for, records):
    year = timezone.localdate().year
    client = client_for(world.cast["student_affairs"])
    page = client.get(reverse("reports:annual", args=[year])).content.decode()
    assert 'data-testid="year-plan"' in page and "每班每学期至少一次心理主题班会" in page
    assert "学院心理健康讲座" not in page  # the college's plan is still a draft
    document = Document(io.BytesIO(client.get(reverse("reports:annual_docx", args=[year])).content))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    assert "每班每学期至少一次心理主题班会" in cells
    texts = [paragraph.text for paragraph in document.paragraphs]
    assert "年度工作计划" in texts
