"""What a cycle did, message by message: the `--json` contract."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Processed:
    message_id: str | None
    requester: str | None
    decision: str
    reasons: tuple[str, ...]
    draft: bool  # a draft was stored now
    found: bool = False  # the draft was in Drafts already (another mailbot, a lost state)
    withdrawn: tuple[str, ...] = ()  # steps of our earlier drafts taken back (not edited)

    def as_json(self) -> dict[str, object]:
        return {
            "message_id": self.message_id,
            "requester": self.requester,
            "decision": self.decision,
            "reasons": list(self.reasons),
            "draft": self.draft,
            "draft_found": self.found,
            "withdrawn": list(self.withdrawn),
        }


@dataclass
class CycleReport:
    processed: list[Processed] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, object]:
        return {"processed": [p.as_json() for p in self.processed], "errors": self.errors}
