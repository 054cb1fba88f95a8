"""Readers' feedback for the product team: tags (problem, suggestion), review, weekly digests.

Reads comments through comments_store; owns its own tables (feedback.store).
"""
