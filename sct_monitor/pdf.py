"""PDF reports drawn on the server by WeasyPrint from the same HTML as the screen report.

WeasyPrint needs Pango (and its fonts) from the operating system. Where they are missing the
service says so plainly on the report page, and the browser's print view still works.
"""

from functools import cache

from django.contrib.staticfiles import finders

INSTALL_HINT = (
    "PDF downloads are not available on this server: WeasyPrint's system libraries are missing "
    "({problem}). Install them with 'apt-get install -y libpango-1.0-0 libpangoft2-1.0-0 fonts-liberation', "
    "or use your browser's Print, which gives the same report."
)


@cache
def pdf_problem() -> str:
    """Why PDFs cannot be made here, or "" when they can."""
    try:
        import weasyprint  # noqa: F401  (loading it loads Pango)
    except (ImportError, OSError) as exc:
        return INSTALL_HINT.format(problem=str(exc).splitlines()[0][:200])
    return ""


def render_pdf(html: str) -> bytes:
    """A4 PDF of ``html`` with the report's print stylesheet. Nothing is fetched: the charts are
    inline SVG and the fonts the system's, so no URL in a report can make the server call out."""
    from weasyprint import CSS, HTML
    from weasyprint.urls import URLFetcher

    nothing = URLFetcher(allowed_protocols=("data",))
    with open(finders.find("css/report-pdf.css"), encoding="utf-8") as file:
        stylesheet = CSS(string=file.read(), url_fetcher=nothing)
    return HTML(string=html, url_fetcher=nothing).write_pdf(stylesheets=[stylesheet])
