"""Times: dates are whole days in the agreement's timezone; zone-less times are read there."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from jig.times import Window, parse_bound, parse_time, zone_info

DAMASCUS = zone_info("Asia/Damascus")


def utc(text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp()


def test_date_is_the_whole_day_in_the_agreement_timezone():
    span = parse_time("2016-08-01", DAMASCUS)  # EEST, UTC+3
    assert (span.start, span.end) == (utc("2016-07-31T21:00"), utc("2016-08-01T21:00"))


def test_zoneless_time_is_read_in_the_agreement_timezone_and_offsets_are_kept():
    assert parse_time("2016-08-01T12:00", DAMASCUS).start == utc("2016-08-01T09:00")
    assert parse_time("2016-08-01T12:00Z", DAMASCUS).start == utc("2016-08-01T12:00")
    assert parse_time("2016-08-01T12:00+01:00", DAMASCUS).start == utc("2016-08-01T11:00")


def test_interval_with_date_ends_covers_whole_days():
    span = parse_time("2016-08-01/2016-08-03", DAMASCUS)
    assert span.end - span.start == 3 * 86400


def test_bound_date_is_the_start_of_that_day():
    assert parse_bound("2016-10-03", DAMASCUS) == utc("2016-10-02T21:00")


@pytest.mark.parametrize(("text", "message"), [
    ("2016-02-30", "impossible date '2016-02-30'"),
    ("2016-02-30T10:00", "impossible date '2016-02-30'"),
    ("yesterday", "not an ISO 8601 date"),
    ("2016-08-03/2016-08-01", "ends before it starts"),
    # The day before closes where the start begins: it was read as an instant.
    ("2016-08-03/2016-08-02", "ends before it starts"),
])
def test_bad_times_are_named(text, message):
    with pytest.raises(ValueError, match=message):
        parse_time(text, DAMASCUS)


def test_an_interval_may_end_on_its_own_day_or_be_one_instant():
    noon = parse_time("2016-08-03T12:00/2016-08-03", DAMASCUS)
    assert noon.end - noon.start == 12 * 3600
    assert parse_time("2016-08-03T12:00/2016-08-03T12:00", DAMASCUS).exact


def test_window_half_open():
    w = Window(10.0, 20.0)
    assert w.contains(10.0) and not w.contains(20.0)


# Ruling 7: every ISO 8601 form of a date is a whole day, as the extended form is.
@pytest.mark.parametrize(("text", "day"), [
    ("20160731", "2016-07-31"),  # basic
    ("2016-W31-1", "2016-08-01"),  # week, extended
    ("2016W311", "2016-08-01"),  # week, basic
    ("2016-213", "2016-07-31"),  # ordinal, extended (2016 is a leap year)
    ("2016213", "2016-07-31"),  # ordinal, basic
])
def test_every_iso_date_form_is_a_whole_day(text, day):
    assert parse_time(text, DAMASCUS) == parse_time(day, DAMASCUS)
    assert parse_bound(text, DAMASCUS) == parse_bound(day, DAMASCUS)


def test_basic_interval_covers_whole_days():
    assert parse_time("20160731/20160801", DAMASCUS) == parse_time("2016-07-31/2016-08-01",
                                                                   DAMASCUS)


def test_a_week_without_its_day_is_the_whole_week():
    span = parse_time("2016-W31", DAMASCUS)
    assert (span.start, span.end) == (parse_time("2016-08-01", DAMASCUS).start,
                                      parse_time("2016-08-07", DAMASCUS).end)


def test_ordinal_date_time_is_read_at_its_time():
    assert parse_time("2016-213T12:00", DAMASCUS).start == utc("2016-07-31T09:00")
    assert parse_time("2016-W31-1T12:00", DAMASCUS).start == utc("2016-08-01T09:00")


@pytest.mark.parametrize(("text", "message"), [
    ("2015-366", "impossible date '2015-366'"),
    ("2016-000", "impossible date '2016-000'"),
    ("2016-W54-1", "impossible date '2016-W54-1'"),
    ("20160230", "impossible date '20160230'"),
])
def test_impossible_dates_in_other_forms_are_named(text, message):
    with pytest.raises(ValueError, match=message):
        parse_time(text, DAMASCUS)


@pytest.mark.parametrize(("text", "says"), [
    ("20/07/2016 10:15", "write 2016-07-20T10:15"),  # it was "read as an interval ...: '20'"
    ("7/20/2016", "write 2016-07-20"),
    ("20.07.2016", "write 2016-07-20"),
    ("05/03/2024 9:30", "write 2024-03-05T09:30 or 2024-05-03T09:30 (day/month or month/day"),
])
def test_a_date_written_the_local_way_is_refused_with_its_iso_readings(text, says):
    with pytest.raises(ValueError, match="written the local way") as exc:
        parse_time(text, UTC)
    assert says in str(exc.value)
