"""Shared fixtures. The compiled-knowledge cache goes to a per-session temporary directory,
so tests never read or write the user's cache."""

from __future__ import annotations

import os
import tempfile

import pytest

os.environ.setdefault("STEMCHECK_CACHE_DIR", tempfile.mkdtemp(prefix="stemcheck-test-cache-"))
os.environ.pop("FORCE_COLOR", None)


@pytest.fixture(scope="session")
def checker():
    from stemcheck.api import load_checker

    return load_checker()
