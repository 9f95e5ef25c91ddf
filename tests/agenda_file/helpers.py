"""Shared helpers of the agenda file tests: the example of docs/agenda-format.md, files, dumps."""

import copy
import re
from pathlib import Path

import yaml
from django.apps import apps
from django.core import serializers

from agenda.agenda_file import import_agenda
from summit.agenda_file import AgendaError, load_file

ROOT = Path(__file__).resolve().parent.parent.parent
DEMO = ROOT / "demo" / "wikimedia-summit-2022.yaml"
EXAMPLE = yaml.safe_load(
    re.search(r"## 11\..*?```yaml\n(.*?)```", (ROOT / "docs" / "agenda-format.md").read_text(), re.S).group(1)
)


def example():
    return copy.deepcopy(EXAMPLE)


def write(tmp_path, data, name="agenda.yaml"):
    path = tmp_path / name
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        text = data if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
    return path


def import_file(path, **options):
    return import_agenda(data=load_file(path), source=str(path), **options)


def errors_of(path, **options):
    try:
        import_file(path, **options)
    except AgendaError as error:
        return error.errors
    raise AssertionError(f"{path} was imported")


def full_dump():
    """Every row of every model of the project and of Django's apps, serialised: equal dumps
    mean a byte-for-byte equal database."""
    return {
        model._meta.label: serializers.serialize("json", model.objects.order_by("pk"))
        for model in apps.get_models()
    }


def session(data, index=0):
    return data["days"][0]["sessions"][index]


def part(data, index):
    return session(data)["parts"][index]


def breakout(data, index):
    return part(data, 1)["breakout_rooms"][index]
