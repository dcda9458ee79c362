"""Governance (安全与伦理): accounts, roles with scopes, audit, pseudonymised exports."""
