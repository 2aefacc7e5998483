import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from opencpf.core.uploads import InvalidUpload, check_document


@pytest.mark.parametrize(
    ("content", "found"),
    [
        (b"%PDF-1.7\n...", ("application/pdf", "pdf")),
        (b"\xff\xd8\xff\xe0JFIF", ("image/jpeg", "jpg")),
        (b"\x89PNG\r\n\x1a\n\x00\x00", ("image/png", "png")),
    ],
)
def test_documents_are_recognised_by_their_bytes_whatever_their_name(content, found):
    upload = SimpleUploadedFile("trompeur.exe", content, content_type="application/octet-stream")
    assert check_document(upload, max_bytes=1024) == found
    assert upload.read(4) == content[:4]  # left at its start for whoever stores it


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "Le fichier est vide."),
        (b"MZ\x90\x00 an executable named .pdf", "Le fichier doit être un PDF, un JPEG ou un PNG."),
        (b"%PDF-" + b"x" * 2 * 1024 * 1024, "Le fichier dépasse 1 Mo."),
    ],
)
def test_other_files_are_refused_with_a_reason(content, message):
    upload = SimpleUploadedFile("justificatif.pdf", content, content_type="application/pdf")
    with pytest.raises(InvalidUpload) as refused:
        check_document(upload, max_bytes=1024 * 1024)
    assert refused.value.message == message and refused.value.code == "invalid_upload"


def test_plain_file_objects_work_too():
    data = io.BytesIO(b"%PDF-1.4")
    data.size = 8  # type: ignore[attr-defined]
    assert check_document(data, max_bytes=10) == ("application/pdf", "pdf")
