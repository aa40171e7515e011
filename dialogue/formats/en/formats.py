"""English dates as the secretariat writes them (see dialogue/timefmt.py):
"13 June 2017", "13 June 2017, 09:30"; a 24-hour clock. Input formats stay
Django's."""

DATE_FORMAT = "j F Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j F Y, H:i"
SHORT_DATE_FORMAT = DATE_FORMAT
SHORT_DATETIME_FORMAT = DATETIME_FORMAT
MONTH_DAY_FORMAT = "j F"
