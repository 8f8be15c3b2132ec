"""Audits: an existing stack (stack.py) and a hand-written plan document (doc.py)."""
