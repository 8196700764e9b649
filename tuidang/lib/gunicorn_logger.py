"""gunicorn's logger with setup links redacted from the access log (gunicorn.conf.py)."""

from gunicorn.glogging import Logger

from tuidang.lib.access_log import redact_path


class RedactingLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for key in ("r", "U"):
            if atoms.get(key):
                atoms[key] = redact_path(atoms[key])
        return atoms
