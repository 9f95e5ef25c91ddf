import pytest
from rest_framework.test import APIClient

from api.models import ApiToken, Scope
from api.tokens import create_token


@pytest.fixture
def api():
    return APIClient()


def bearer(client, key):
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


@pytest.fixture
def personal_key():
    def make(user):
        return create_token(user=user, name="phone")[1]

    return make


@pytest.fixture
def organiser_key():
    def make(user, *scopes):
        return create_token(
            user=user, name="screens", kind=ApiToken.Kind.ORGANISER, scopes=scopes or Scope.values
        )[1]

    return make
