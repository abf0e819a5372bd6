"""Report table rows rendered in Python (HtmlTable.body_html) as the table template shows them."""

from audit.reports.formatters import HtmlCell, HtmlHeader, HtmlTable, cell_html


def test_each_kind_of_cell():
    assert cell_html(HtmlCell("North <PDU>", header=True, sort_value="North")) == (
        '<th scope="row" class="govuk-table__header" data-sort-value="North">North &lt;PDU&gt;</th>'
    )
    assert cell_html(HtmlCell("Good", tag_class="govuk-tag--green")) == (
        '<td class="govuk-table__cell"><strong class="govuk-tag govuk-tag--green">Good</strong>'
        "</td>"
    )
    assert cell_html(HtmlCell("80%", numeric=True, hint="4 of 5", href="/r/?a=1&b=2")) == (
        '<td class="govuk-table__cell govuk-table__cell--numeric">'
        '<a class="govuk-link" href="/r/?a=1&amp;b=2">80%</a>'
        '<span class="app-cell-hint">4 of 5</span></td>'
    )
    assert cell_html(HtmlCell("Not rated", muted=True)) == (
        '<td class="govuk-table__cell"><span class="app-muted">Not rated</span></td>'
    )


def test_rows_in_order_and_escaped():
    table = HtmlTable(
        slug="t",
        caption="T",
        description="",
        empty="None",
        headers=[HtmlHeader("Provider", False), HtmlHeader("Score", True)],
        rows=[
            [HtmlCell("<script>x</script>", header=True), HtmlCell("3", numeric=True)],
            [HtmlCell("B", header=True), HtmlCell("4", numeric=True)],
        ],
        downloads={},
    )
    html = str(table.body_html)
    assert "<script>" not in html and "&lt;script&gt;x&lt;/script&gt;" in html
    assert html.count('<tr class="govuk-table__row">') == 2
    assert html.index("&lt;script&gt;") < html.index(">B</th>")
