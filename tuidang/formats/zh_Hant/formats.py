# Django's own zh_Hant formats, plus digit grouping (1,234,567) as Chinese sites print it.
from django.conf.locale.zh_Hant.formats import *  # noqa: F403

NUMBER_GROUPING = 3
THOUSAND_SEPARATOR = ","
