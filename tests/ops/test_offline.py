"""The installable platform's server side (docs/offline.md): the manifest, the service worker and the offline page."""

from __future__ import annotations

import json
import re

import pytest
from django.contrib.staticfiles import finders

from ops import offline

pytestmark = pytest.mark.django_db


def test_the_manifest_names_the_platform_in_chinese_with_icons_that_exist(client):
    """GIVEN anyone WHEN the manifest is read THEN it is the web app manifest type, in Chinese by default, opens the
    home page standalone, and every icon it names is a static file."""
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    data = json.loads(response.content)
    assert (data["name"], data["start_url"], data["display"], data["lang"]) == (
        "安全生产监管平台",
        "/",
        "standalone",
        "zh-hans",
    )
    sizes = {icon["sizes"] for icon in data["icons"]}
    assert {"192x192", "512x512"} <= sizes
    for icon in data["icons"]:
        assert finders.find(icon["src"].removeprefix("/static/")), icon["src"]
    assert any(icon.get("purpose") == "maskable" for icon in data["icons"])


def test_the_service_worker_is_served_from_the_root_uncached_and_names_files_that_exist(client):
    """GIVEN anyone WHEN /sw.js is read THEN it is JavaScript the browser may install for the whole site and must
    not keep in its HTTP cache, and every shell file it names exists."""
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    text = response.content.decode()
    shell = json.loads(re.search(r"const SHELL_FILES = (\[.*?\]);", text).group(1))
    assert "/offline/" in shell
    for address in shell:
        if address.startswith("/static/"):
            assert finders.find(address.removeprefix("/static/")), address
    assert re.search(r'const VERSION = "[0-9a-f]{12}";', text)


def test_the_version_changes_when_a_shell_file_changes(client, monkeypatch, tmp_path):
    """GIVEN the worker's version WHEN a file of the shell has other bytes THEN the version is another, so that the
    phones replace their kept shell (static addresses are not hashed without the manifest storage)."""
    offline.worker_script.cache_clear()
    before = re.search(r'const VERSION = "(\w+)"', client.get("/sw.js").content.decode()).group(1)
    changed = tmp_path / "site.css"
    changed.write_text("body { color: red }")
    real = finders.find
    monkeypatch.setattr(finders, "find", lambda name, *a, **k: str(changed) if name == "css/site.css" else real(name))
    offline.worker_script.cache_clear()
    try:
        after = re.search(r'const VERSION = "(\w+)"', client.get("/sw.js").content.decode()).group(1)
    finally:
        offline.worker_script.cache_clear()
    assert before != after


def test_the_offline_page_holds_nobodys_data_and_says_what_works(client, world):
    """GIVEN a logged-in inspector WHEN the offline page is read THEN it carries no name, no navigation and no token
    (it is kept on the phone for whoever uses it), in Chinese, with the words the scripts need."""
    client.force_login(world.users["inspector"])
    response = client.get("/offline/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "此页面需要网络" in page and "本机保存的记录" in page
    assert 'id="offline-words"' in page and "条待上传" in page
    assert "csrfmiddlewaretoken" not in page and "mainnav" not in page
    assert str(world.users["inspector"].username) not in page and "data-user" not in page


def test_pages_link_the_manifest_and_load_the_queue_only_for_people_logged_in(client, world, settings):
    """GIVEN the login page and a logged-in page WHEN read THEN both link the manifest; only the logged-in page
    registers the worker's script, carries the person and the photo size (the setting), and the words."""
    settings.OFFLINE_PHOTO_LONG_EDGE = 1200
    login = client.get("/accounts/login/").content.decode()
    assert 'rel="manifest"' in login
    assert "js/offline.js" not in login and "offline-words" not in login
    inspector = world.users["inspector"]
    client.force_login(inspector)
    page = client.get("/inspections/").content.decode()
    assert 'rel="manifest"' in page and "js/offline.js" in page
    assert f'data-user="{inspector.pk}"' in page and 'data-photo-edge="1200"' in page
    assert "data-offline-ready" in page and 'class="offline-status"' in page


def test_the_hazard_form_carries_the_category_codes_for_offline_filing(client, world):
    """GIVEN the hazard form WHEN shown THEN it names the API to send to offline and each category's code by the
    value its chip posts, and marks a re-shown form as posted (its key must then be kept)."""
    client.force_login(world.users["inspector"])
    page = client.get("/hazards/new/").content.decode()
    assert 'data-offline="hazard"' in page and 'data-queue-url="/api/v1/hazards/"' in page
    codes = json.loads(re.search(r'data-category-codes="([^"]*)"', page).group(1).replace("&quot;", '"'))
    from hazards.models import HazardCategory

    assert codes == {str(c.pk): c.code for c in HazardCategory.objects.filter(is_active=True)}
    assert "data-posted" not in page
    shown_again = client.post("/hazards/new/", {"place": ""}).content.decode()
    assert "data-posted" in shown_again
