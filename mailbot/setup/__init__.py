"""`mailbot setup`: from an email address to a working .env and a first dry run (server discovery, login, folders, the owner's details)."""
