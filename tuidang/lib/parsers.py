import json

from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


class StrictJSONParser(JSONParser):
    """JSON that the rest of the system can store and echo back.

    Refuses nesting deep enough to exhaust the stack (the standard parser lets that
    RecursionError through as a 500) and strings that are not valid Unicode, such as
    lone surrogates, which no field may store and no error message may repeat.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
            json.dumps(data, ensure_ascii=False).encode()
        except RecursionError:
            raise ParseError(_("The request is nested too deeply.")) from None
        except UnicodeEncodeError:
            raise ParseError(
                _("The request contains characters that are not valid text.")
            ) from None
        return data
