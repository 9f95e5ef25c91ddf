"""The open-space pages are valid HTML (W3C Nu checker), signed in and not."""

import json
import subprocess
from pathlib import Path

from agenda.agenda_file import import_agenda
from summit.agenda_file import load_file
from tests.factories import make_participant
from tests.test_html_quality import vnu_command

EXAMPLE = Path(__file__).resolve().parent.parent.parent / "demo" / "open-space-example.yaml"


def test_open_space_pages_have_no_html_errors(db, client, tmp_path):
    command = vnu_command()
    summit = import_agenda(data=load_file(EXAMPLE))
    base = f"/{summit.slug}"
    anonymous = [f"{base}/open-space/S2.1/", f"{base}/now/?at=2030-06-04T08:00:00Z", f"{base}/day/1/"]
    signed_in = [
        f"{base}/open-space/S2.1/",
        f"{base}/open-space/S2.1/propose/",
        f"{base}/open-space/S2.1/mine/",
    ]
    files, urls = [], []
    for url in anonymous:
        urls.append(url)
        files.append(_save(client, url, tmp_path / f"page-{len(files)}.html"))
    client.force_login(make_participant(summit).user)
    for url in signed_in:
        urls.append(url)
        files.append(_save(client, url, tmp_path / f"page-{len(files)}.html"))
    result = subprocess.run([*command, *files], capture_output=True, text=True, timeout=240, check=False)
    messages = json.loads(result.stderr)["messages"]
    errors = [
        f"{urls[files.index(m['url'].removeprefix('file:'))]}:{m.get('lastLine')}: {m['message']}"
        for m in messages
        if m.get("type") == "error"
    ]
    assert not errors, "\n".join(errors)


def _save(client, url, path):
    response = client.get(url)
    assert response.status_code == 200, url
    path.write_bytes(response.content)
    return str(path)
