"""Mailboxes the pipeline reads from and stores drafts in."""
