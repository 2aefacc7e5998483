"""Documents people upload (proofs, attachments): PDF, JPEG or PNG recognised by their first bytes, whatever the
name or the declared type says, with a size limit. One check for every upload of the product."""

from __future__ import annotations

from typing import Any

from opencpf.core.exceptions import DomainError

# First bytes of each accepted format -> (content type, extension).
SIGNATURES: dict[bytes, tuple[str, str]] = {
    b"%PDF-": ("application/pdf", "pdf"),
    b"\xff\xd8\xff": ("image/jpeg", "jpg"),
    b"\x89PNG\r\n\x1a\n": ("image/png", "png"),
}
ACCEPT = ".pdf,.jpg,.jpeg,.png"  # for the file input's `accept` attribute (a hint only: the bytes decide)


class InvalidUpload(DomainError):
    code = "invalid_upload"
    message = "Le fichier doit être un PDF, un JPEG ou un PNG."


def check_document(upload: Any, *, max_bytes: int) -> tuple[str, str]:
    """(content type, extension) of an uploaded document, or InvalidUpload with the reason in French.
    The file is left at its start."""
    size = int(getattr(upload, "size", 0) or 0)
    if size <= 0:
        raise InvalidUpload("Le fichier est vide.")
    if size > max_bytes:
        raise InvalidUpload(f"Le fichier dépasse {max_bytes // (1024 * 1024)} Mo.")
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    for signature, found in SIGNATURES.items():
        if head.startswith(signature):
            return found
    raise InvalidUpload()
