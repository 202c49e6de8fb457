"""Shared fixtures: a real Dovecot per test session, a fresh account per test."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from dovecot import Account, Dovecot, available

FIXTURES = Path(__file__).parent / "fixtures"
SHARED = Path(__file__).resolve().parents[2] / "shared"


def require_dovecot() -> None:
    if available():
        return
    if os.environ.get("CI") == "true":
        pytest.fail(
            "dovecot is not installed, and CI must run the IMAP tests "
            "(apt-get install dovecot-imapd)"
        )
    pytest.skip("dovecot is not installed (apt-get install dovecot-imapd)")


@pytest.fixture(scope="session")
def dovecot() -> Iterator[Dovecot]:
    require_dovecot()
    server = Dovecot()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def account(dovecot: Dovecot) -> Account:
    """A fresh user with an empty INBOX and SPECIAL-USE Drafts and Sent folders."""
    return dovecot.add_account()


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()
