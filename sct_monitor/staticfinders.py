"""Serves the plotly.min.js that ships inside the installed plotly package, as static/plotly/.

The browser library then always matches the Python package that builds the figures, and
nothing is copied into the repository or fetched from a CDN.
"""

from pathlib import Path

import plotly
from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage

PLOTLY_FILE = "plotly.min.js"
PREFIX = "plotly"


class PlotlyFinder(BaseFinder):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.storage = FileSystemStorage(location=Path(plotly.__file__).parent / "package_data")
        self.storage.prefix = PREFIX

    def find(self, path: str, find_all: bool = False, **kwargs):
        if path == f"{PREFIX}/{PLOTLY_FILE}":
            match = self.storage.path(PLOTLY_FILE)
            return [match] if find_all else match
        return [] if find_all else None

    def list(self, ignore_patterns):
        yield PLOTLY_FILE, self.storage

    def check(self, **kwargs):
        return []
