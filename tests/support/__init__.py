"""Test support: paths of the checkout, and the end-to-end helpers (``e2e``)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
KNOWLEDGE = ROOT / "knowledge"
