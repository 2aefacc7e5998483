"""The dependency audit fails on a known vulnerability, and says clearly when it could check nothing."""

from tools.audit_dependencies import read_report


def test_a_known_vulnerability_is_reported() -> None:
    report = {
        "dependencies": [
            {"name": "django", "version": "5.2.0", "vulns": [{"id": "PYSEC-2025-1", "fix_versions": ["5.2.1"]}]},
            {"name": "lxml", "version": "6.0.0", "vulns": []},
        ]
    }
    audit = read_report("requirements.lock", report)
    assert audit.vulnerable == ["django 5.2.0: PYSEC-2025-1 (corrigé en 5.2.1)"]
    assert audit.checked == 2 and not audit.unchecked


def test_unreachable_service_is_not_a_clean_audit() -> None:
    report = {
        "dependencies": [{"name": "django", "skip_reason": "Dependency not found on PyPI and could not be audited"}]
    }
    audit = read_report("requirements.lock", report)
    assert audit.checked == 0 and audit.unchecked == ["django"] and not audit.vulnerable
