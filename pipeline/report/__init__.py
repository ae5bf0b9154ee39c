"""The review report: static HTML pages of the tables for analysts (``pipeline report``).

- :mod:`pipeline.report.data`: what the report shows, aggregated from the Parquet tables;
- :mod:`pipeline.report.charts`: the Vega-Lite chart specifications (altair);
- :mod:`pipeline.report.highlight`: a text and its mentions as a stream a template can mark up;
- :mod:`pipeline.report.views`: what each page shows (sections, evidence pages, doses);
- :mod:`pipeline.report.render`: the jinja2 templates (``templates/``, autoescaped) and links;
- :mod:`pipeline.report.build`: writes the pages (``static/`` holds the CSS, the script and the
  vendored Vega scripts).
"""

from pipeline.report.build import ReportResult, build_report
from pipeline.report.data import ReportError

__all__ = ["ReportError", "ReportResult", "build_report"]
