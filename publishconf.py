"""Production settings: absolute URLs, canonical and OpenGraph tags, drafts left out.

Build with `invoke preview` (or `invoke publish`), with BOUCLE_SITEURL set to
the public address of the blog.
"""
import os
import sys

sys.path.append(os.curdir)
from pelicanconf import *  # noqa: E402,F401,F403

SITEURL = os.environ.get("BOUCLE_SITEURL", "https://blog.atlas-emploi.example").rstrip("/")
FEED_DOMAIN = SITEURL
RELATIVE_URLS = False
SEO_TAGS = True
DELETE_OUTPUT_DIRECTORY = True
# Drafts are previewed locally only: a public build does not write them at all.
DRAFT_SAVE_AS = ""
DRAFT_LANG_SAVE_AS = ""
