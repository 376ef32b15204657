from tools.report_articles import cut_articles

ATTRIBUTES = 'data-oe-model="recouvrement.action" data-oe-id="7" data-oe-lang="fr_FR"'
PAGE = f"""<!DOCTYPE html>
<html lang="fr-FR"><head><title>Relevé</title></head>
<body class="container"><div id="wrapwrap"><main>
  <div class="article o_report_layout_standard" {ATTRIBUTES}>
    <div class="page"><p>Relevé REL0000007</p><div>a<br/>b</div></div>
  </div>
  <div class="article" data-oe-model="recouvrement.action" data-oe-id="12">
    <div class="page"><p>Statement REL0000012</p></div>
  </div>
</main></div></body></html>"""


def test_cuts_each_article_with_its_record_and_language():
    articles = cut_articles(PAGE)
    assert [(model, rid, lang) for model, rid, lang, _html in articles] == [
        ("recouvrement.action", 7, "fr_FR"),
        ("recouvrement.action", 12, None),
    ]
    first = articles[0][3]
    assert first.startswith('<div class="article o_report_layout_standard"')
    assert first.endswith("</div></div>\n  </div>")
    assert "REL0000012" not in first
    assert articles[1][3] == (
        '<div class="article" data-oe-model="recouvrement.action" '
        'data-oe-id="12">\n    <div class="page"><p>Statement REL0000012</p>'
        "</div>\n  </div>"
    )


def test_anything_but_plain_articles_is_left_to_the_parser():
    # Something before the first article (a header, say).
    assert cut_articles(PAGE.replace("<main>", "<main><div class='header'/>")) is None
    # No <main>, no article, an article without record.
    assert cut_articles("<html><body><p>x</p></body></html>") is None
    assert cut_articles("<main><p>x</p></main>") is None
    assert cut_articles(PAGE.replace(' data-oe-id="12"', "")) is None
    # An article nested in another one.
    nested = PAGE.replace(
        "<p>Relevé REL0000007</p>",
        '<div class="article" data-oe-model="x" data-oe-id="1"></div>',
    )
    assert cut_articles(nested) is None
