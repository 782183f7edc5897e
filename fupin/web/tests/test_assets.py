"""Intranet deployments have no internet: no page, template or stylesheet may load anything
from outside the app."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

WEB_DIR = Path(__file__).resolve().parent.parent
EXTERNAL = re.compile(r"""(?:src|href|action|srcset)\s*=\s*["']?\s*(?:https?:)?//""", re.I)


def _pages(users, households):
    a1 = households["a1"].pk
    return [
        (None, reverse("web:login")),
        ("county", reverse("web:region", args=["610926000000"])),
        ("county", reverse("web:households", args=["610926000000"])),
        ("clerk_a", reverse("web:household", args=[a1])),
        ("clerk_a", reverse("web:household_edit", args=[a1])),
        ("admin", reverse("web:users")),
        ("auditor", reverse("web:audit") + "?verify=1"),
        ("county", "/no-such-page/"),
        ("city", reverse("web:household_edit", args=[a1])),
    ]


def test_rendered_pages_load_nothing_external(client, users, households):
    for persona, url in _pages(users, households):
        client.logout()
        if persona:
            client.force_login(users[persona])
        resp = client.get(url)
        assert resp.status_code in (200, 403, 404), url
        # CSRF tokens are random text and may contain "cdn" by chance.
        html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", resp.content.decode())
        assert not EXTERNAL.search(html), url
        assert 'src="http' not in html and 'href="http' not in html, url
        assert "<meta name=\"viewport\"" in html, url
        assert "fonts.googleapis" not in html and "cdn" not in html.lower(), url


# Third-party files copied in by `make assets` (e.g. ECharts): their text mentions URLs (licence,
# SVG namespace) that are not loads; what matters is that pages load them from /static/.
VENDOR_DIR = WEB_DIR / "static" / "web" / "vendor"


def test_templates_and_static_files_reference_no_external_url():
    files = [*WEB_DIR.glob("templates/**/*.html"), *WEB_DIR.glob("static/**/*")]
    assert any(f.suffix == ".css" for f in files)
    for f in files:
        if f.is_dir() or VENDOR_DIR in f.parents:
            continue
        text = f.read_text(encoding="utf-8")
        assert "http://" not in text and "https://" not in text, f
        assert "@import" not in text and "@font-face" not in text, f
