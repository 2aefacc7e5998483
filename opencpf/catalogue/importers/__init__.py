"""Importers of the national referentials and of LHEO files (called by the management commands)."""
