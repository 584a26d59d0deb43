"""MkDocs hook: hreflang alternates that search engines (and Lighthouse) accept.

Material writes `<link rel="alternate" href=... hreflang=...>` from the language list that
mkdocs-static-i18n fills in per page (each Vietnamese page names its English twin and back), but
with relative addresses, which hreflang does not allow, and without `x-default`. Here each href
becomes absolute (site_url, which `make site` takes from KYNANGSO_PUBLIC_URL) and an `x-default`
alternate names the Vietnamese page, the site's default language.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin

_ALTERNATE = re.compile(r'<link rel="alternate" href="(?P<href>[^"]*)" hreflang="(?P<lang>[^"]+)">')
DEFAULT_LANG = "vi"


def absolute_alternates(html: str, page_url: str) -> str:
    """Make the page's hreflang links absolute against page_url and add x-default (once)."""
    links = list(_ALTERNATE.finditer(html))
    if not links:
        return html
    rendered = []
    default = None
    for link in links:
        href = urljoin(page_url, link.group("href"))
        lang = link.group("lang")
        if lang == "x-default":
            continue
        rendered.append(f'<link rel="alternate" href="{href}" hreflang="{lang}">')
        if lang == DEFAULT_LANG:
            default = href
    if default:
        rendered.append(f'<link rel="alternate" href="{default}" hreflang="x-default">')
    start, end = links[0].start(), links[-1].end()
    between = html[start:end]
    # Material writes the links one after another (whitespace between): replace the run as a whole.
    if _ALTERNATE.sub("", between).strip():
        return html
    return html[:start] + "\n    ".join(rendered) + html[end:]


def on_post_page(output: str, page, config) -> str:
    site_url = config.get("site_url")
    if not site_url:
        return output
    return absolute_alternates(output, urljoin(site_url, page.url))


def on_post_template(output: str, template_name: str, config) -> str:
    """404.html is no page's twin: its alternates were left over from the last page built."""
    if template_name != "404.html":
        return output
    return _ALTERNATE.sub("", output)
