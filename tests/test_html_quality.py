"""The public pages are valid HTML (W3C Nu checker) and static files get hashed, cacheable names.

The Nu checker runs when Java and vnu.jar are available: `npm ci` (or `npm install`) puts the jar
in ./node_modules; VNU_JAR may point at another copy.
"""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command
from django.templatetags.static import static
from django.test import override_settings

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "demo" / "wikimedia-summit-2022.yaml"


def vnu_command():
    jar = Path(os.environ.get("VNU_JAR") or ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar")
    java = shutil.which("java")
    if not java or not jar.exists():
        pytest.skip(
            f"the HTML checker needs java and vnu.jar (looked at {jar}): run `npm ci` in the project "
            "and install a Java runtime (apt-get install default-jre-headless), or set VNU_JAR"
        )
    return [java, "-Xss4m", "-jar", str(jar), "--format", "json", "--errors-only"]


@pytest.fixture
def demo(db):
    call_command("import_agenda", str(DEMO), verbosity=0)
    return "/wikimedia-summit-2022"


def test_public_pages_have_no_html_errors(client, demo, tmp_path):
    command = vnu_command()
    urls = [
        f"{demo}/",
        f"{demo}/day/1/",
        f"{demo}/day/2/",
        f"{demo}/day/2/grid/",
        f"{demo}/breakouts/",
        f"{demo}/breakouts/?q=hub&format=hybrid&has_notes=no",
        f"{demo}/breakouts/?format=nonsense",
        f"{demo}/breakouts/roles-and-responsibilities/",
    ]
    files = []
    for n, url in enumerate(urls):
        response = client.get(url)
        assert response.status_code == 200, url
        path = tmp_path / f"page-{n}.html"
        path.write_bytes(response.content)
        files.append(str(path))
    result = subprocess.run([*command, *files], capture_output=True, text=True, timeout=240, check=False)
    assert result.stderr.strip().startswith("{"), result.stderr[:500]
    messages = json.loads(result.stderr)["messages"]
    errors = [
        f"{urls[files.index(m['url'].removeprefix('file:'))]}:{m.get('lastLine')}: {m['message']}"
        for m in messages
        if m.get("type") == "error"
    ]
    assert not errors, "\n".join(errors)


def test_pages_load_nothing_from_other_hosts(client, demo):
    html = client.get(f"{demo}/day/2/").content.decode()
    for tag in ['src="http', "src='http", 'rel="stylesheet" href="http', "//cdn"]:
        assert tag not in html


@override_settings(
    STORAGES={
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    },
)
def test_static_files_get_hashed_names_and_compressed_copies(tmp_path, settings):
    settings.STATIC_ROOT = tmp_path
    call_command("collectstatic", interactive=False, verbosity=0)
    css, js = static("summit.css"), static("agenda.js")
    assert css != "/static/summit.css" and css.endswith(".css")
    assert js != "/static/agenda.js"
    assert (tmp_path / css.removeprefix("/static/")).exists()
    assert (tmp_path / (css.removeprefix("/static/") + ".gz")).exists()
