"""The real public samples in ../shared/corpus (optional): every label must hold."""

from __future__ import annotations

import csv

import pytest
from conftest import SHARED

from mailbot.notifications import parse

CORPUS = SHARED / "corpus"
pytestmark = pytest.mark.skipif(
    not (CORPUS / "sources.tsv").exists(), reason="../shared/corpus is not here"
)


def _labelled() -> list[dict[str, str]]:
    if not (CORPUS / "sources.tsv").exists():
        return []
    with (CORPUS / "sources.tsv").open(newline="") as f:
        return [row for row in csv.DictReader(f, delimiter="\t") if row["file"].startswith("eml/")]


@pytest.mark.parametrize("row", _labelled(), ids=lambda row: row["file"])
def test_corpus_message(row: dict[str, str]) -> None:
    n = parse((CORPUS / row["file"]).read_bytes())
    if row["expect"] == "invitation":
        assert n.kind == "invitation", n.reasons
        assert n.requester is not None and n.requester.name
        assert (n.note is not None) == (row["personal_note"] == "yes")
        assert n.key and n.key.startswith("linkedin:invitation:")
    else:
        assert n.kind != "invitation", n.reasons
