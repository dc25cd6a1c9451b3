"""Static files in production: hashed names, precompressed (gzip and Brotli) by WhiteNoise."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    # JavaScript modules' imports (static/js/init.js imports GOV.UK Frontend) are rewritten to the
    # hashed names too, so the library is fetched once and cached for good rather than twice.
    support_js_module_import_aggregation = True
