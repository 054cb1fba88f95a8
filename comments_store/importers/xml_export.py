"""Reading large XML exports element by element, refusing DTDs and entity tricks (defusedxml)."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from .source import ImportFileError


def local(tag: str) -> str:
    """'{http://wordpress.org/export/1.2/}comment' -> 'comment'."""
    return tag.rsplit("}", 1)[-1]


def child(element: Element, name: str) -> Element | None:
    return next((c for c in element if local(c.tag) == name), None)


def text(element: Element, name: str) -> str:
    found = child(element, name)
    return (found.text or "").strip() if found is not None else ""


def attribute(element: Element | None, name: str) -> str:
    """An attribute by its local name (Disqus puts its ids in a namespace)."""
    if element is None:
        return ""
    return next((v for k, v in element.attrib.items() if local(k) == name), "")


def elements_at(path: str | Path, depth: int, root_name: str) -> Iterator[Element]:
    """Each complete element `depth` levels under the root (1: its children), freed once handed out."""
    path = Path(path)
    if not path.is_file():
        raise ImportFileError(f"fichier introuvable : {path}")
    level, parents = 0, []
    try:
        for event, element in iterparse(str(path), events=("start", "end"), forbid_dtd=True):
            if event == "start":
                if level == 0 and local(element.tag) != root_name:
                    raise ImportFileError(f"l'élément racine est <{local(element.tag)}>, <{root_name}> attendu")
                level += 1
                parents.append(element)
                continue
            level -= 1
            parents.pop()
            if level == depth:
                yield element
                parents[-1].remove(element)
    except (ParseError, DefusedXmlException) as exc:
        raise ImportFileError(f"XML illisible ou refusé ({exc})") from None
