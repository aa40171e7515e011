#!/usr/bin/env python
"""Django's command-line utility for the Dialogue portal."""

import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dialogue.settings")
    from dialogue.config import SettingError

    try:
        from django.core.management import execute_from_command_line

        execute_from_command_line(sys.argv)
    except SettingError as exc:
        sys.exit(f"Configuration error: {exc}")
    except Exception as exc:
        from dialogue.health import explain_connection_error

        message = explain_connection_error(exc)
        if message is None:
            raise
        sys.exit(f"Configuration error: {message}")


if __name__ == "__main__":
    main()
