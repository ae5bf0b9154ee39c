"""PDF files for the PDF reader's tests, written with reportlab from known text.

:func:`leaflet_pdf` lays out a leaflet (title, numbered headings in a larger bold font, wrapped
paragraphs, bullet lists) over several pages, with a running header and a page-number footer on
every page and an outline (bookmarks) of its headings: what a reader must keep (the text, the
headings on lines of their own) and drop (header, footer); :func:`leaflet_text` is the same text
as the lines a text file would hold: the round trip's expected text. :func:`leaflet_html` is the
leaflet as a web page, for printing to PDF with a browser; :func:`canvas_pdf` draws pages line
by line (hyphenation, page breaks inside a paragraph, scans without text).
"""

from __future__ import annotations

import io

#: (kind, text) blocks: "title", "heading", "para", "item"
LEAFLET_BLOCKS: list[tuple[str, str]] = [
    ("title", "Ibuprofen 400 mg film-coated tablets"),
    ("para", "Read all of this leaflet carefully before you start taking this medicine because it contains "
             "important information for you. Keep this leaflet: you may need to read it again."),
    ("heading", "1. What ibuprofen is and what it is used for"),
    ("para", "Ibuprofen belongs to a group of medicines called non-steroidal anti-inflammatory drugs. "
             "It is used for the relief of rheumatoid arthritis, osteoarthritis, back pain, dental pain "
             "and period pain. It is also used to reduce fever in adults."),
    ("heading", "2. What you need to know before you take ibuprofen"),
    ("para", "Do not take ibuprofen if you have an active stomach ulcer, severe heart failure or severe "
             "liver failure, or if you have had asthma or a skin rash after taking aspirin."),
    ("item", "Talk to your doctor if you have high blood pressure or kidney disease."),
    ("item", "Talk to your doctor if you have lupus or Crohn's disease."),
    ("para", "Taking ibuprofen for a long time may slightly increase the risk of heart attack or stroke. "
             "Elderly patients are more likely to have bleeding in the stomach."),
    ("heading", "3. How to take ibuprofen"),
    ("para", "Adults: take 400 mg three times a day with food. Do not take more than 1200 mg in 24 hours. "
             "Children under 12 years should not take these tablets. If your pain lasts for more than "
             "ten days, talk to your doctor."),
    ("heading", "4. Possible side effects"),
    ("para", "Like all medicines, this medicine can cause side effects, although not everybody gets them. "
             "Common side effects are heartburn, nausea, abdominal pain, diarrhoea and headache. "
             "Uncommon side effects are dizziness, insomnia and skin rash. Rarely, ibuprofen causes "
             "kidney damage, liver damage or a severe allergic reaction with swelling of the face."),
    ("para", "Stop taking ibuprofen and tell your doctor at once if you notice black tarry stools, "
             "vomiting of blood or blistering of the skin."),
    ("heading", "5. How to store ibuprofen"),
    ("para", "Keep this medicine out of the sight and reach of children. Do not use this medicine after the "
             "expiry date which is stated on the carton. Store below 25 degrees."),
    ("heading", "6. Contents of the pack and other information"),
    ("para", "The active substance is ibuprofen. Each film-coated tablet contains 400 mg ibuprofen. The "
             "other ingredients are microcrystalline cellulose, croscarmellose sodium and magnesium stearate."),
]

HEADER = "Package leaflet: information for the patient"


def leaflet_text() -> str:
    """The leaflet as a text file would hold it: a block per line, a blank line before headings."""
    lines: list[str] = []
    for kind, text in LEAFLET_BLOCKS:
        if kind == "heading" and lines:
            lines.append("")
        lines.append(("• " if kind == "item" else "") + text)
    return "\n".join(lines) + "\n"


def leaflet_pdf(*, outline: bool = True, pages_break_after: tuple[int, ...] = (5, 10), encrypt: str | None = None) -> bytes:
    """The leaflet as a PDF: title 18 pt bold, headings 13 pt bold, body 10 pt, lists with
    bullets, a running header and a "Page N of M" footer on every page, an outline of the
    headings, and page breaks after the given block indexes (so that headers repeat)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import ListFlowable, ListItem, PageBreak, Paragraph, SimpleDocTemplate

    body = ParagraphStyle("body", fontName="Helvetica", fontSize=10, leading=13, spaceAfter=6)
    heading = ParagraphStyle("heading", fontName="Helvetica-Bold", fontSize=13, leading=16, spaceBefore=10, spaceAfter=6)
    title = ParagraphStyle("title", fontName="Helvetica-Bold", fontSize=18, leading=22, spaceAfter=12)

    class Heading(Paragraph):
        def draw(self) -> None:  # an outline entry at each heading
            super().draw()
            if outline:
                key = f"h{id(self)}"
                self.canv.bookmarkPage(key)
                self.canv.addOutlineEntry(self.getPlainText(), key, level=0)

    story: list = []
    total_pages = len(pages_break_after) + 1
    for index, (kind, text) in enumerate(LEAFLET_BLOCKS):
        if kind == "title":
            story.append(Paragraph(text, title))
        elif kind == "heading":
            story.append(Heading(text, heading))
        elif kind == "item":
            story.append(ListFlowable([ListItem(Paragraph(text, body))], bulletType="bullet", start="•"))
        else:
            story.append(Paragraph(text, body))
        if index in pages_break_after:
            story.append(PageBreak())

    def furniture(canvas, document) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 8)
        canvas.drawString(20 * mm, A4[1] - 12 * mm, HEADER)
        canvas.drawRightString(A4[0] - 20 * mm, 10 * mm, f"Page {document.page} of {total_pages}")
        canvas.restoreState()

    buffer = io.BytesIO()
    kwargs = {"encrypt": encrypt} if encrypt else {}
    document = SimpleDocTemplate(buffer, pagesize=A4, title=LEAFLET_BLOCKS[0][1], **kwargs)
    document.build(story, onFirstPage=furniture, onLaterPages=furniture)
    return buffer.getvalue()


def leaflet_html(page_breaks_before: tuple[int, ...] = (6, 11)) -> str:
    """The leaflet as an HTML page (h1, h2, p, ul), with CSS page breaks before the given blocks:
    for printing to PDF with a browser."""
    import html

    parts = []
    for index, (kind, text) in enumerate(LEAFLET_BLOCKS):
        style = ' style="break-before: page"' if index in page_breaks_before else ""
        tag = {"title": "h1", "heading": "h2", "para": "p"}.get(kind)
        if tag is None:
            parts.append(f"<ul{style}><li>{html.escape(text)}</li></ul>")
        else:
            parts.append(f"<{tag}{style}>{html.escape(text)}</{tag}>")
    return (
        "<!doctype html><html><head><title>Ibuprofen leaflet</title><style>body{font-family:sans-serif;"
        "font-size:11pt} h1{font-size:20pt} h2{font-size:14pt}</style></head><body>" + "".join(parts) + "</body></html>"
    )


def canvas_pdf(pages: list[list[tuple[float, str, float]]], *, image_only: bool = False) -> bytes:
    """A PDF drawn line by line: each page a list of (font size, text, y in points from the
    bottom); ``image_only`` draws a grey picture instead of any text (a scan without OCR)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas as pdf_canvas

    buffer = io.BytesIO()
    canvas = pdf_canvas.Canvas(buffer, pagesize=A4)
    for lines in pages:
        if image_only:
            from reportlab.lib.utils import ImageReader

            canvas.drawImage(ImageReader(_grey_png()), 50, 400, width=400, height=300)
        else:
            for size, text, y in lines:
                canvas.setFont("Helvetica", size)
                canvas.drawString(72, y, text)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _grey_png() -> io.BytesIO:
    """A small grey PNG (no PIL needed): what a scanned page holds instead of text."""
    import struct
    import zlib

    width, height = 40, 30
    rows = b"".join(b"\x00" + bytes([128]) * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")
    return io.BytesIO(png)
