"""Language of a comment: the store's detector (comments_store.language), which records it with each comment."""
from comments_store.language import LANGS, detect, detect_with_mix

__all__ = ["LANGS", "detect", "detect_with_mix"]
