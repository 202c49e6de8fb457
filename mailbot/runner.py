"""One cycle (or one question) against the configured server: settings wired to the parts."""

from __future__ import annotations

import threading

from mailbot.config import Settings
from mailbot.mailboxes import open_mailbox
from mailbot.notifications import Notification, Requester
from mailbot.people.contacts import load_contacts
from mailbot.people.index import CorrespondenceIndex
from mailbot.people.known import KnownPeople, OwnerLists, Verdict
from mailbot.pipeline import CycleReport, history_folders, run_cycle
from mailbot.rules import Context, Decision, decide
from mailbot.state import State


def known_people(settings: Settings, index: CorrespondenceIndex | None) -> KnownPeople:
    return KnownPeople(
        contacts=load_contacts(settings.contacts),
        index=index,
        lists=OwnerLists.parse(settings.known, settings.known_domains),
        min_sent=settings.known_min_sent,
    )


def run_once(
    settings: Settings, *, dry_run: bool = False, stop: threading.Event | None = None
) -> CycleReport:
    """One cycle against the configured IMAP server (a dry run on a scratch copy of state)."""
    with (
        State(settings.state_path, scratch=dry_run) as state,
        open_mailbox(settings, state.db) as mailbox,
    ):
        index = CorrespondenceIndex(state.db)
        context = Context(known_people(settings, index), settings.owner.addresses)
        return run_cycle(mailbox, state, settings, context, index, dry_run=dry_run, stop=stop)


def assess_name(settings: Settings, name: str, *, refresh: bool) -> tuple[Verdict, Decision]:
    """What the owner's sources say about a name, and what a note-less invitation would get."""
    with State(settings.state_path) as state:
        index = CorrespondenceIndex(state.db)
        if refresh:
            with open_mailbox(settings, state.db) as mailbox:
                index.refresh(mailbox, history_folders(mailbox, settings), settings.owner.addresses)
        people = known_people(settings, index)
        invitation = Notification(kind="invitation", requester=Requester(name=name), key="who")
        decision = decide(invitation, Context(people, settings.owner.addresses))
        return people.assess(Requester(name=name)), decision
