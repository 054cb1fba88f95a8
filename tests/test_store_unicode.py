"""The store's public functions on arbitrary Unicode: a clear answer or a named error, never a crash."""
from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import comments_store
from comments_store import NewComment, StoreError

# Any code point, lone surrogates, NUL and bidirectional marks included, and the odd very long string.
ANY_CHAR = st.one_of(st.characters(exclude_categories=()), st.sampled_from(
    ["\ud800", "\udfff", "\x00", "\u202e", "\u200f", "\ufeff", "\U0010ffff"]))
ANY_TEXT = st.one_of(st.text(ANY_CHAR, max_size=300), st.just("é" * 100_000), st.just("a\ud800" * 50_000))


@pytest.fixture
def store(db):
    comments_store.register_threads(db, [{"slug": "article", "title": "Article", "url": "/article/"}])
    return db


def stored_or_refused(call):
    try:
        return call()
    except StoreError as exc:
        assert exc.code  # a named error the API can turn into a 4xx
        return None


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(author=ANY_TEXT, body=ANY_TEXT, email=st.one_of(st.none(), ANY_TEXT), website=st.one_of(st.none(), ANY_TEXT))
def test_adding_any_text_stores_it_readably_or_refuses_it(store, author, body, email, website):
    result = stored_or_refused(lambda: comments_store.add_comment(
        store, "article", NewComment(author=author, body=body, email=email, website=website), moderation="none"))
    if result is not None:
        comment, _token = result
        again = comments_store.get_comment(store, comment.id)
        assert again.body == comment.body and again.author == comment.author
        assert "\x00" not in again.body and not any("\ud800" <= ch <= "\udfff" for ch in again.body)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=ANY_TEXT)
def test_lookups_with_any_text_find_nothing_or_raise_a_named_error(store, text):
    window = dt.timedelta(minutes=15)
    assert stored_or_refused(lambda: comments_store.get_thread(store, text)) in (None,) or text == "article"
    assert comments_store.counts(store, [text]) == {text: 0}
    assert comments_store.comments_of(store, text) == []
    assert comments_store.unsubscribe(store, text) == 0
    assert comments_store.erase_person(store, text) == 0
    assert comments_store.search(store, text=text, author=text, thread=text) == ([], 0)
    stored_or_refused(lambda: comments_store.list_approved(store, text))
    stored_or_refused(lambda: comments_store.edit_own(store, text, 1, text, text, window=window))
    stored_or_refused(lambda: comments_store.delete_own(store, "article", 1, text, window=window))
    stored_or_refused(lambda: comments_store.register_threads(store, [{"slug": text, "title": text, "url": "/x/"}]))
    stored_or_refused(lambda: comments_store.import_comments(store, [{"slug": "article", "author": text, "body": text,
                                                                      "lang": text}]))


def test_surrogates_are_refused_by_name():
    with pytest.raises(comments_store.InvalidComment) as info:
        comments_store.check_comment(NewComment(author="Sara", body="bonjour \ud800"))
    assert (info.value.code, info.value.field) == ("invalid_text", "body")
