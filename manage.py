#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "summit.settings")
    # The command line is a developer's tool: development settings unless DEBUG says otherwise.
    # The web server (summit/wsgi.py) defaults to production; production sets DEBUG=0 for both.
    os.environ.setdefault("DEBUG", "1")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
