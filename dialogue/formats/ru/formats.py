"""Russian dates as the secretariat writes them (see dialogue/timefmt.py):
«13 июня 2017 г.», «13 июня 2017 г., 09:30». Input formats stay Django's."""

DATE_FORMAT = "j E Y г."
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j E Y г., H:i"
SHORT_DATE_FORMAT = DATE_FORMAT
SHORT_DATETIME_FORMAT = DATETIME_FORMAT
