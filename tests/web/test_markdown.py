"""Article bodies: Markdown rendered by marked, kept inert by DOMPurify (web/js/markdown.js), in
the browser that shows them."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.web.conftest import NewContext

HOSTILE = """# Returns

**Keep the box.** Read [the policy](https://help.example.test/returns) first.

[click me](javascript:alert(1)) <img src=x onerror="window.hit = 1"> <script>window.hit = 2</script>
<a href="#" onclick="window.hit = 3">tricky</a> <form action="/x"><input name=q></form>
<iframe src="https://example.test"></iframe> <style>body { display: none }</style>

- one
- two
"""

_RENDER = """async (source) => {
  const { Markdown } = await import('/js/markdown.js')
  const { h, render } = await import('preact')
  const target = document.createElement('div')
  target.id = 'rendered'
  document.body.append(target)
  render(h(Markdown, { source }), target)
}"""


def test_markdown_keeps_its_formatting_and_loses_everything_that_could_run(
    new_context: NewContext,
) -> None:
    page = new_context().new_page()
    page.goto("/")
    page.evaluate(_RENDER, HOSTILE)
    rendered = page.locator("#rendered")
    expect(rendered.get_by_role("heading", name="Returns")).to_be_visible()
    expect(rendered.get_by_role("strong")).to_have_text("Keep the box.")
    expect(rendered.get_by_role("listitem")).to_have_count(2)
    policy = rendered.get_by_role("link", name="the policy")
    expect(policy).to_have_attribute("href", "https://help.example.test/returns")
    expect(policy).to_have_attribute("target", "_blank")
    expect(policy).to_have_attribute("rel", "noopener noreferrer")

    markup = rendered.inner_html()
    for inert in ("javascript:", "onerror", "onclick", "<script", "<form", "<input", "<iframe",
                  "<style"):  # fmt: skip
        assert inert not in markup, (inert, markup)
    assert page.evaluate("window.hit") is None
    expect(page.locator("body")).to_be_visible()
