"""Approved comments as reply trees, the shape the theme renders."""
from __future__ import annotations

from dataclasses import dataclass, field

from comments_store import Comment


@dataclass
class CommentNode:
    comment: Comment
    depth: int = 1
    replies: list[CommentNode] = field(default_factory=list)

    def __getattr__(self, name):
        # Templates read node.author, node.html… straight through to the comment.
        return getattr(self.comment, name)


def build_tree(comments: list[Comment]) -> list[CommentNode]:
    """Nest replies under their parents, oldest first; replies whose parent is not shown go to the top level."""
    nodes = {c.id: CommentNode(c) for c in comments}
    roots: list[CommentNode] = []
    for c in comments:
        node = nodes[c.id]
        parent = nodes.get(c.parent_id) if c.parent_id else None
        (parent.replies if parent else roots).append(node)
    _set_depth(roots, 1)
    return _prune(roots)


def _set_depth(nodes: list[CommentNode], depth: int) -> None:
    for node in nodes:
        node.depth = depth
        _set_depth(node.replies, depth + 1)


def _prune(nodes: list[CommentNode]) -> list[CommentNode]:
    """Drop deleted placeholders that no longer hold any visible reply."""
    kept = []
    for node in nodes:
        node.replies = _prune(node.replies)
        if not node.comment.deleted or node.replies:
            kept.append(node)
    return kept


def count_visible(comments: list[Comment]) -> int:
    return sum(1 for c in comments if not c.deleted)
