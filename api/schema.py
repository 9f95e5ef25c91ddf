"""How the OpenAPI schema names the API's two ways in (imported in ApiConfig.ready)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object


class TokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.TokenAuthentication"
    name = "token"

    def get_security_definition(self, auto_schema):
        scheme = build_bearer_security_scheme_object(header_name="Authorization", token_prefix="Bearer")  # noqa: S106 — a scheme name
        scheme["description"] = "A personal or organiser token (smt_…), shown once when created."
        return scheme


class SessionScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.SessionAuthentication"
    name = "session"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "cookie", "name": "sessionid"}


def _error(description):
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def add_common_answers(result, generator, request, public):
    """Answers every operation may give, documented once: 429 (rate limits) everywhere, 401 for a
    bad token, 400 where a body or a query is read, 404 for a page past the last."""
    for path in result.get("paths", {}).values():
        for operation in path.values():
            responses = operation.setdefault("responses", {})
            responses.setdefault("429", _error("Too many requests: wait as long as Retry-After says."))
            responses.setdefault("401", _error("Not signed in, or the token is not valid (any more)."))
            parameters = operation.get("parameters", [])
            if "requestBody" in operation or any(p.get("in") == "query" for p in parameters):
                responses.setdefault(
                    "400",
                    {
                        "description": "The request is not valid; the answer says why.",
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    },
                )
            if any(p.get("name") == "page" for p in parameters):
                responses.setdefault("404", _error("No such page."))
    return result
