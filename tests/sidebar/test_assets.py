"""The sidebar's own weight and origins: JS + CSS under 60 KB uncompressed, no build step, no CDN but the helpdesks'."""

import re
from pathlib import Path

STATIC = Path(__file__).resolve().parents[2] / "adapter" / "sidebar" / "static"
TEMPLATES = Path(__file__).resolve().parents[2] / "adapter" / "sidebar" / "templates"
BUDGET_BYTES = 60 * 1024
HELPDESK_SDKS = ("https://static.zdassets.com/",)


def test_javascript_and_css_stay_under_60_kb():
    assets = [p for p in STATIC.rglob("*") if p.suffix in (".js", ".css")]
    assert len(assets) >= 8  # the panel, its sections and the three hosts
    total = sum(p.stat().st_size for p in assets)
    assert total < BUDGET_BYTES, f"{total} bytes: {sorted((p.stat().st_size, p.name) for p in assets)[-3:]}"


def test_no_script_or_style_comes_from_anywhere_but_us_and_the_helpdesk():
    sources = [*STATIC.rglob("*.js"), *STATIC.rglob("*.css"), *TEMPLATES.rglob("*.html")]
    for path in sources:
        for url in re.findall(r"""(?:src|href)=["'](https?://[^"']+)""", path.read_text()):
            assert url.startswith(HELPDESK_SDKS), f"{path.name} loads {url}"
        assert "import(" not in path.read_text() or path.suffix != ".js", f"{path.name} imports a module at run time"
