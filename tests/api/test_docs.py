"""The schema is OpenAPI 3.1 generated from the code; its documentation page loads its assets
from the installed package (static files), never from a CDN."""

import re

import pytest
import yaml
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_schema_is_openapi_3_1_with_every_endpoint(client):
    schema = yaml.safe_load(client.get(reverse("api:schema")).content)
    assert schema["openapi"] == "3.1.0"
    assert "/api/v1/summits/{summit}/breakout-rooms/" in schema["paths"]
    assert {"token", "session"} <= set(schema["components"]["securitySchemes"])


def test_docs_page_loads_only_its_own_static_assets(client):
    page = client.get(reverse("api:docs")).content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert any("redoc" in source for source in sources)
    assert all(source.startswith(("/static/", "/api/")) for source in sources), sources
