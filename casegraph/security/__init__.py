"""Governance, pure: who acts (Actor), why (Purpose), what is allowed (Policy), and the
audit log's maths (events, Merkle tree, signed checkpoints). No IO, no SQL."""
