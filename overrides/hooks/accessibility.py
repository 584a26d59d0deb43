"""MkDocs hook: small accessibility repairs to the HTML that Markdown extensions produce.

- Task-list checkboxes (pymdownx.tasklist) are bare <input>s inside an empty <label>: screen readers
  announce "checkbox, not checked" with no name (axe: label, critical). Each gets an aria-label
  made from its list item's own text.
- Content-tab label rows scroll sideways on phones, but hold no focusable element, so keyboard users
  cannot scroll them (axe: scrollable-region-focusable). The row becomes focusable.
"""

from __future__ import annotations

import html
import re

_TASK = re.compile(
    r'(<li class="task-list-item"><label class="task-list-control"><input type="checkbox")'
    r'([^>]*>)(<span class="task-list-indicator"></span></label>)(.*?)(?=<ul|<ol|</li>)',
    re.S,
)
_TAG = re.compile(r"<[^>]+>")
_TABS = '<div class="tabbed-labels">'


def _label(match: re.Match[str]) -> str:
    text = " ".join(html.unescape(_TAG.sub(" ", match.group(4))).split())
    if len(text) > 140:
        text = text[:137].rstrip() + "…"
    name = html.escape(text, quote=True)
    return f'{match.group(1)} aria-label="{name}"{match.group(2)}{match.group(3)}{match.group(4)}'


def on_page_content(html_text: str, **kwargs) -> str:
    html_text = _TASK.sub(_label, html_text)
    return html_text.replace(_TABS, '<div class="tabbed-labels" tabindex="0">')
