"""The rule: known people get nothing, strangers without a note get asked, doubt goes to review."""

from __future__ import annotations

from pathlib import Path

from mailbot.notifications import Notification, Requester
from mailbot.people.contacts import Contact, Contacts, load_contacts
from mailbot.people.known import KnownPeople, OwnerLists
from mailbot.rules import ASK, IGNORE, KNOWN, REVIEW, Context, decide

OWNER = frozenset({"robin@owner.example"})


def invitation(
    name: str = "Priya Raman", note: str | None = None, **requester: str
) -> Notification:
    return Notification(
        kind="invitation",
        network="linkedin",
        requester=Requester(name=name, **requester),
        note=note,
        key="linkedin:invitation:1",
    )


def context(*contacts: Contact) -> Context:
    index = Contacts()
    for c in contacts:
        index.add(c)
    return Context(KnownPeople(contacts=index), OWNER)


def test_stranger_without_note_is_asked() -> None:
    decision = decide(invitation(), context())
    assert decision.action == ASK and decision.wants_draft
    assert "Priya Raman" in decision.reasons[0]


def test_stranger_with_note_goes_to_review_quoting_it() -> None:
    decision = decide(invitation(note="We met at PyCon."), context())
    assert decision.action == REVIEW and not decision.wants_draft
    assert "We met at PyCon." in decision.reasons[0]


def test_contact_matched_by_normalised_name() -> None:
    known = Contact.of(name="JOSÉ  o'brien", email=None, profile_url=None, source="people.csv")
    decision = decide(invitation(name="José O’Brien"), context(known))
    assert decision.action == KNOWN
    assert "people.csv" in decision.reasons[0] and "full name" in decision.reasons[0]


def test_contact_matched_by_email_and_profile() -> None:
    by_mail = Contact.of(
        name="Someone Else", email="Priya@Acme.example", profile_url=None, source="a"
    )
    assert decide(invitation(email="priya@acme.example"), context(by_mail)).action == KNOWN
    by_url = Contact.of(
        name="P. R.",
        email=None,
        profile_url="https://www.linkedin.com/in/priya-r",
        source="Connections.csv",
    )
    found = decide(
        invitation(profile_url="https://in.linkedin.com/comm/in/priya-r"), context(by_url)
    )
    assert found.action == KNOWN and "profile URL" in found.reasons[0]


def test_a_different_name_is_not_known() -> None:
    other = Contact.of(name="Priya Ramanathan", email=None, profile_url=None, source="a")
    assert decide(invitation(), context(other)).action == ASK


def test_non_invitations_and_look_alikes_are_ignored() -> None:
    message = Notification(kind="message", reasons=("LinkedIn message notification",))
    fake = Notification(kind="suspicious", reasons=("links go to evil.example",))
    assert decide(message, context()).action == IGNORE
    look_alike = decide(fake, context())
    assert look_alike.action == IGNORE and "evil.example" in look_alike.reasons[0]


def test_own_address_is_never_answered() -> None:
    assert decide(invitation(email="ROBIN@owner.example"), context()).action == IGNORE


def test_contacts_files(tmp_path: Path) -> None:
    """Generic CSV, LinkedIn's Connections.csv (with its Notes preamble) and vCard."""
    generic = tmp_path / "people.csv"
    generic.write_text("name,email\nAda Lovelace,ada@example.org\n")
    connections = tmp_path / "Connections.csv"
    connections.write_text(
        'Notes:\n"When exporting your connection data, you may notice that some of the '
        'email addresses are missing."\n\n'
        "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
        "Grace,Hopper,https://www.linkedin.com/in/grace-hopper,,Navy,Admiral,01 Jan 2020\n"
    )
    vcard = tmp_path / "people.vcf"
    vcard.write_text(
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Émile Zola\r\nN:Zola;Émile;;;\r\n"
        "EMAIL;TYPE=INTERNET:emile@example.fr\r\nEND:VCARD\r\n"
    )
    contacts = load_contacts([generic, connections, vcard])
    assert set(contacts.by_name) == {"ada lovelace", "grace hopper", "emile zola"}
    assert "emile@example.fr" in contacts.by_email
    assert "linkedin:grace-hopper" in contacts.by_profile


def test_owner_lists_and_domains() -> None:
    lists = OwnerLists.parse(
        ["Priya Raman", "bo@acme.example", "https://www.linkedin.com/in/mei-lin"], ["owner.example"]
    )
    people = KnownPeople(lists=lists)
    ctx = Context(people, OWNER)
    assert decide(invitation(), ctx).action == KNOWN
    assert decide(invitation("Bo Li", email="BO@acme.example"), ctx).action == KNOWN
    by_url = invitation("Mei Lin", profile_url="https://de.linkedin.com/comm/in/mei-lin")
    assert decide(by_url, ctx).action == KNOWN
    colleague = decide(invitation("Sam Doe", email="sam@owner.example"), ctx)
    assert colleague.action == KNOWN and "MAILBOT_KNOWN_DOMAINS" in colleague.reasons[0]


def test_near_namesake_in_contacts_goes_to_review() -> None:
    bob = Contact.of(name="Robert Smith", email=None, profile_url=None, source="people.csv")
    decision = decide(invitation("Bob Smith"), context(bob))
    assert decision.action == REVIEW
    assert "Robert Smith" in decision.reasons[0] and "nickname" in decision.reasons[0]
