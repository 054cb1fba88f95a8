"""Pelican plugin: connects the blog's articles to the comment store at build time."""
from .plugin import register

__all__ = ["register"]
