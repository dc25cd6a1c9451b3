from django.conf import settings
from django.db import models


class ImportOutcome(models.TextChoices):
    PREVIEWED = "previewed", "Previewed, not yet imported"
    REFUSED = "refused", "Refused: errors found"
    IMPORTED = "imported", "Imported"


class ImportLog(models.Model):
    """Every import tried: who, when, what file (with its SHA-256), what it did or why not."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    kind = models.CharField(max_length=30)
    file_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    rows = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    errors = models.TextField(blank=True, help_text="The first errors found, one per line.")
    override_published = models.BooleanField(default=False)
    outcome = models.CharField(max_length=20, choices=ImportOutcome)
    via = models.CharField(max_length=20, default="web")
    # The uploaded bytes, kept between preview and confirmation, then cleared.
    content = models.BinaryField(blank=True, default=b"", editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Import {self.pk}: {self.kind} {self.file_name} ({self.get_outcome_display()})"
