import io

import pytest
from django.core.exceptions import ImproperlyConfigured
from pypdf import PdfReader

from guanxi.core import pdf
from guanxi.core.checks import pdf_font_check


def _fonts(reader: PdfReader) -> list:
    fonts = []
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            fonts.append(font.get_object())
    return fonts


def test_the_pdf_embeds_a_truetype_subset_and_the_chinese_extracts():
    content = pdf.pdf_render(pdf.Document(title="满意度期间报告", blocks=[
        pdf.Heading("总体满意度"), pdf.Text("客户关怀 – 中秋节问候 2026"),
        pdf.Table(header=["维度", "得分"], rows=[["服务态度", 87.5]]),
        pdf.BarChart(title="驱动因素", categories=["及时性"], values=[0.4])]))
    reader = PdfReader(io.BytesIO(content))
    fonts = _fonts(reader)
    assert fonts, "no font in the page resources"
    for font in fonts:
        descriptor = font.get("/FontDescriptor")
        assert descriptor is not None and "/FontFile2" in descriptor, f"{font['/BaseFont']} is not embedded"
        assert font["/Subtype"] == "/TrueType"
    text = reader.pages[0].extract_text()
    for words in ("满意度期间报告", "总体满意度", "中秋节问候", "服务态度", "87.5"):
        assert words in text


def test_a_missing_font_file_is_a_clear_error_and_a_system_check_warning(settings, monkeypatch):
    settings.PDF_FONT_PATH = "/nonexistent/font.ttc"
    monkeypatch.setattr(pdf.pdfmetrics, "getRegisteredFontNames", lambda: [])
    with pytest.raises(ImproperlyConfigured, match="make fonts"):
        pdf.pdf_render(pdf.Document(title="报告"))
    assert [w.id for w in pdf_font_check(None)] == ["core.W001"]


def test_the_installed_font_passes_the_system_check():
    assert pdf_font_check(None) == []
