"""Setting mailbot up for an address: its IMAP server (discover), OAuth2 (oauth)."""
