def test_healthz_answers_200_with_a_short_body(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert response["Content-Type"].startswith("text/plain")


def test_healthz_needs_no_login_and_sets_no_cookie(client, db):
    response = client.get("/healthz")
    assert not response.cookies
