"""Governance: actors, contexts, policy and audit maths. Pure; added by the governance issue."""
