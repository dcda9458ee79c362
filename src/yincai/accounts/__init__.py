"""Accounts: logins bound to a role and a scope, argon2 passwords, server-side login sessions and
TOTP two-factor. Below the hub and every capability: the domain model and the web plumbing
name accounts, accounts name neither (management, login pages and audit live in governance)."""
