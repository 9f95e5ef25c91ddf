"""The two reads every signed-in request makes, its session and its user, each one statement
that skips Django's query compiler: building those two queries cost a page served from the cache
more than the rest of serving it. The database stays the only record of both, so signing out or
revoking a session takes effect on every server at once.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.db import connections, router
from django.utils import timezone


class SessionStore(db.SessionStore):
    """Django's database sessions, read with one plain SELECT."""

    def load(self):
        if not self.session_key:
            self._session_key = None
            return {}
        connection = connections[router.db_for_read(Session)]
        table = connection.ops.quote_name(Session._meta.db_table)
        # Only the model's own quoted table name is put in; the values are parameters.
        query = f"SELECT session_data FROM {table} WHERE session_key = %s AND expire_date > %s"  # noqa: S608
        with connection.cursor() as cursor:
            cursor.execute(
                query,
                [self.session_key, connection.ops.adapt_datetimefield_value(timezone.now())],
            )
            row = cursor.fetchone()
        if row is None:
            # As Django's: an unknown or expired key is dropped, and a new one made on save.
            self._session_key = None
            return {}
        return self.decode(row[0])


class UserBackend(ModelBackend):
    """Django's model backend, reading the signed-in user with a raw query (which still converts
    every column as the model's fields do)."""

    def get_user(self, user_id):
        user_model = get_user_model()
        meta = user_model._meta
        manager = user_model._default_manager
        connection = connections[manager.db]
        columns = ", ".join(connection.ops.quote_name(field.column) for field in meta.concrete_fields)
        table, pk = connection.ops.quote_name(meta.db_table), connection.ops.quote_name(meta.pk.column)
        # Only the model's own quoted names are put in; the id is a parameter.
        query = manager.raw(
            f"SELECT {columns} FROM {table} WHERE {pk} = %s",  # noqa: S608
            [meta.pk.to_python(user_id)],
        )
        user = next(iter(query), None)
        return user if user is not None and self.user_can_authenticate(user) else None
