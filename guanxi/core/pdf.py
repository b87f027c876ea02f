"""PDF documents with Chinese text (reports: the satisfaction period report, analytics' scheduled
reports): a title, headings, paragraphs, tables, drawn bar charts and embedded images, on A4.

Chinese is set in WenQuanYi Micro Hei (文泉驿微米黑, a TrueType font with glyf outlines; Debian's
fonts-wqy-microhei, which `make run` and `make test` install), embedded as a subset of the glyphs the
document uses: every reader shows the text, none needs a CJK font of its own, and the text extracts as
Unicode. Another TrueType font (or collection) can be set with PDF_FONT_PATH / PDF_FONT_INDEX. Latin
text and digits use the same font so mixed lines align."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Image as PlatypusImage
from reportlab.platypus import LongTable, Paragraph, SimpleDocTemplate, Spacer, TableStyle

CJK_FONT = "GuanxiCJK"
PAGE_WIDTH = A4[0] - 36 * mm  # inside the margins
_MAX_BARS = 30


def font_missing() -> str:
    """Why the PDF font cannot be used, or "" when it can."""
    if not Path(settings.PDF_FONT_PATH).is_file():
        return (f"The PDF font {settings.PDF_FONT_PATH} is missing: install it with `make fonts` "
                "(apt-get install fonts-wqy-microhei) or set PDF_FONT_PATH to a TrueType CJK font.")
    return ""


def _font() -> str:
    if CJK_FONT not in pdfmetrics.getRegisteredFontNames():
        if problem := font_missing():
            raise ImproperlyConfigured(problem)
        pdfmetrics.registerFont(TTFont(CJK_FONT, settings.PDF_FONT_PATH, subfontIndex=settings.PDF_FONT_INDEX))
    return CJK_FONT


@dataclass(frozen=True)
class Heading:
    text: str


@dataclass(frozen=True)
class Text:
    """A paragraph of plain text (no markup: `<` and `&` are shown as written)."""

    text: str
    small: bool = False


@dataclass(frozen=True)
class Table:
    header: Sequence[str]
    rows: Sequence[Sequence[object]]
    widths: Sequence[float] | None = None  # shares of the page width; default equal


@dataclass(frozen=True)
class BarChart:
    """A horizontal bar chart drawn in the PDF (vector): one bar per category; None is no bar."""

    title: str
    categories: Sequence[str]
    values: Sequence[float | None]
    unit: str = ""


@dataclass(frozen=True)
class Image:
    """A raster image (PNG or JPEG bytes, e.g. a chart rendered elsewhere), scaled to `width_share`
    of the page width."""

    data: bytes
    width_share: float = 1.0


@dataclass
class Document:
    title: str
    blocks: list = field(default_factory=list)
    author: str = ""
    subject: str = ""


def _styles(font: str) -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("gx-body", fontName=font, fontSize=10, leading=15, wordWrap="CJK")
    return {
        "title": ParagraphStyle("gx-title", parent=base, fontSize=18, leading=24, spaceAfter=6 * mm),
        "heading": ParagraphStyle("gx-heading", parent=base, fontSize=13, leading=18, spaceBefore=4 * mm,
                                  spaceAfter=2 * mm),
        "body": ParagraphStyle("gx-text", parent=base, spaceAfter=2 * mm),
        "small": ParagraphStyle("gx-small", parent=base, fontSize=8, leading=11, textColor=colors.grey),
        "cell": ParagraphStyle("gx-cell", parent=base, fontSize=8, leading=10),
    }


def _escape(text: object) -> str:
    return ("" if text is None else str(text)).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _table(block: Table, styles, font: str) -> LongTable:
    columns = max(len(block.header), *(len(r) for r in block.rows)) if block.rows else len(block.header)
    shares = list(block.widths or [1 / max(columns, 1)] * columns)
    widths = [PAGE_WIDTH * s / sum(shares) for s in shares]
    data = [[Paragraph(_escape(c), styles["cell"]) for c in block.header]]
    data += [[Paragraph(_escape(c), styles["cell"]) for c in row] for row in block.rows]
    table = LongTable(data, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), font),
        ("GRID", (0, 0), (-1, -1), 0.25, colors.lightgrey),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f1f3f5")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]))
    return table


def _bar_chart(block: BarChart, font: str) -> Drawing:
    pairs = [(str(c), v) for c, v in zip(block.categories, block.values, strict=False)][:_MAX_BARS]
    height = 30 + 16 * max(len(pairs), 1)
    drawing = Drawing(PAGE_WIDTH, height + 20, initialFontName=font)
    drawing.add(String(0, height + 6, block.title, fontName=font, fontSize=10))
    if not pairs:
        return drawing
    chart = HorizontalBarChart()
    chart.x, chart.y, chart.width, chart.height = 110, 20, PAGE_WIDTH - 150, height - 30
    chart.data = [[0 if v is None else float(v) for _c, v in reversed(pairs)]]
    chart.categoryAxis.categoryNames = [c for c, _v in reversed(pairs)]
    chart.categoryAxis.labels.fontName = chart.valueAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = chart.valueAxis.labels.fontSize = 8
    chart.valueAxis.valueMin = min(0, *(v for _c, v in pairs if v is not None), 0)
    chart.bars[0].fillColor = colors.HexColor("#206bc4")
    chart.barLabelFormat = "%.1f" + block.unit.replace("%", "%%")
    chart.barLabels.fontName, chart.barLabels.fontSize = font, 7
    chart.barLabels.boxAnchor, chart.barLabels.dx = "w", 3
    drawing.add(chart)
    return drawing


def _image(block: Image) -> PlatypusImage:
    image = PlatypusImage(io.BytesIO(block.data))
    width = PAGE_WIDTH * max(0.1, min(block.width_share, 1.0))
    image.drawHeight, image.drawWidth = image.imageHeight * width / image.imageWidth, width
    return image


def pdf_render(document: Document) -> bytes:
    """The document as PDF bytes (A4 portrait, page numbers in the footer)."""
    font = _font()
    styles = _styles(font)
    story: list = [Paragraph(_escape(document.title), styles["title"])]
    for block in document.blocks:
        if isinstance(block, Heading):
            story.append(Paragraph(_escape(block.text), styles["heading"]))
        elif isinstance(block, Text):
            story.append(Paragraph(_escape(block.text), styles["small" if block.small else "body"]))
        elif isinstance(block, Table):
            story += [_table(block, styles, font), Spacer(1, 3 * mm)]
        elif isinstance(block, BarChart):
            story += [_bar_chart(block, font), Spacer(1, 3 * mm)]
        elif isinstance(block, Image):
            story += [_image(block), Spacer(1, 3 * mm)]
        else:
            raise TypeError(f"not a PDF block: {block!r}")

    def footer(canvas, doc):
        canvas.saveState()
        canvas.setFont(font, 8)
        canvas.drawRightString(A4[0] - 18 * mm, 10 * mm, f"{doc.page}")
        canvas.restoreState()

    out = io.BytesIO()
    pdf = SimpleDocTemplate(out, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=18 * mm,
                            bottomMargin=18 * mm, title=document.title, author=document.author,
                            subject=document.subject, invariant=True, initialFontName=font)
    pdf.build(story, onFirstPage=footer, onLaterPages=footer)
    return out.getvalue()
