"""Cut the HTML rendering of a report on several records into its articles.

Odoo's reports render one ``<div class="article" data-oe-model=...
data-oe-id=... data-oe-lang=...>`` per record inside the page's ``<main>``;
``ir.actions.report._prepare_html`` parses the whole rendering with lxml to
find them. For the plain case (nothing but articles in ``<main>``) cutting
the text at each article's opening tag gives the same articles, in their
rendered markup, at a fraction of the cost; anything else returns None and
the caller parses the HTML.
"""

import re

ARTICLE_START = re.compile(r'<div class="article[ "]')
ATTRIBUTE = re.compile(r'\s(data-oe-(?:model|id|lang))="([^"]*)"')


def cut_articles(html):
    """[(model, record id, language or None, article markup)] of ``html``
    (text), or None when it is not a sequence of articles in ``<main>``."""
    main_start = html.find("<main>")
    main_end = html.rfind("</main>")
    if main_start < 0 or main_end < main_start:
        return None
    content = html[main_start + len("<main>") : main_end]
    starts = [match.start() for match in ARTICLE_START.finditer(content)]
    if not starts or content[: starts[0]].strip():
        return None
    articles = []
    for begin, end in zip(starts, [*starts[1:], len(content)], strict=True):
        article = content[begin:end].rstrip()
        tag_end = article.find(">")
        if tag_end < 0 or not article.endswith("</div>"):
            return None
        attributes = dict(ATTRIBUTE.findall(article[: tag_end + 1]))
        if (
            not attributes.get("data-oe-model")
            or not attributes.get("data-oe-id", "").isdigit()
        ):
            return None
        articles.append(
            (
                attributes["data-oe-model"],
                int(attributes["data-oe-id"]),
                attributes.get("data-oe-lang") or None,
                article,
            )
        )
    # An article nested in another would have cut its parent short.
    for _model, _id, _lang, article in articles:
        if article.count("<div") != article.count("</div>"):
            return None
    return articles
