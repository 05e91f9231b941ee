"""The compiled row builder (mapping.compiled) against the interpreter: the same rows, the
same rejects with the same reasons, for generated records of every column type, paths of
every form, expressions, filters, checks, and values on both sides of every inline cast."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fieldhouse.types import cast

from .helpers import assert_compiled_matches, mapping

SPEC = mapping("""\
targets:
  things:
    rows: [{each: items}]
    primary_key: [id]
    version: captured_at
    filter: "keep is null or keep"
    checks: ["small is null or small < 1000", "not (label == 'bad')"]
    columns:
      id:          {type: bigint, path: id}
      small:       {type: int, path: small}
      ratio:       {type: float, path: ratio}
      label:       {type: text, path: label}
      flag:        {type: bool, path: flag}
      day:         {type: date, path: day}
      at:          {type: timestamptz, path: at}
      amount:      {type: "decimal(8,2)", path: amount}
      doc:         {type: json, path: doc}
      nested:      {type: int, path: "deep.a[0].b"}
      last:        {type: text, path: "tags[-1]"}
      outer:       {type: text, path: ^.name}
      top:         {type: text, path: $.name}
      position:    {type: int, path: "#"}
      twice:       {type: int, expr: "small * 2"}
      named:       {type: text, expr: "upper(label)"}
      keep:        {type: bool, path: keep}
      const:       {type: text, value: fixed}
      required:    {type: text, path: label, nullable: false}
      captured_at: {type: timestamptz, expr: "captured_at()"}
""")

ANY_SCALAR = (st.none() | st.booleans() | st.integers() | st.integers(-2**70, 2**70)
              | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=6)
              | st.sampled_from(["", " 12 ", "12.0", "12.5", "1e400", "nan", "\x00", "\ud800", "é",
                                 "2024-02-29", "2023-02-29", "APR 14, 2024", "04/14/2024", "20240414",
                                 "2024-04-14T00:00:00", "2024-04-14T10:00:00Z", "2024-04-14 10:00:00+02:00",
                                 "yes", "W", "t", "36:12", "PT36M12.00S", "-0.0", "+5", "0012", "123456789",
                                 "1234567890", "999999999999999999", "9999999999999999999", "٣", "True",
                                 "TRUE", "true", "false", " true", "2024-04-14T10:00:00z", "2024-04-14T25:00:00Z",
                                 "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "2024-04-14T10:00:00.5Z",
                                 "2024-W15-1", " 202-01-01", "2024-1-014", "pt5m", "12:30"]))
VALUE = ANY_SCALAR | st.lists(ANY_SCALAR, max_size=2) | st.dictionaries(st.text(max_size=2), ANY_SCALAR, max_size=2)
FIELDS = ("id", "small", "ratio", "label", "flag", "day", "at", "amount", "doc", "keep")
item = st.fixed_dictionaries({}, optional={
    **{f: VALUE for f in FIELDS},
    "deep": st.fixed_dictionaries({"a": st.lists(st.fixed_dictionaries({"b": ANY_SCALAR}), max_size=2)}) | VALUE,
    "tags": st.lists(ANY_SCALAR, max_size=3) | VALUE,
}) | VALUE
record = st.fixed_dictionaries({"name": ANY_SCALAR, "items": st.lists(item, max_size=4) | VALUE})


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(record, max_size=3))
def test_compiled_builder_matches_the_interpreter(records) -> None:
    assert_compiled_matches(SPEC, records)


ISO_DAYS = st.dates(date(1, 1, 1), date(9999, 12, 31))


@settings(max_examples=300, deadline=None)
@given(ISO_DAYS, st.sampled_from(["", "T00:00:00", "T00:00:00Z", "T00:00:00+00:00", " 00:00:00"]),
       st.sampled_from(["", " ", "\t"]))
def test_iso_dates_cast_as_strptime_reads_them(day, suffix, pad) -> None:
    """The ``date.fromisoformat`` fast path gives what the strptime formats give."""
    text = pad + day.isoformat() + suffix + pad
    assert cast("date", text) == day
    if not suffix:
        assert cast("date", text) == datetime.strptime(day.isoformat(), "%Y-%m-%d").date()


@settings(max_examples=300, deadline=None)
@given(st.datetimes(datetime(1, 1, 2), datetime(9999, 12, 30)),
       st.sampled_from([None, timedelta(0), timedelta(hours=2), timedelta(hours=-5, minutes=-30)]))
def test_iso_timestamps_cast_as_strptime_reads_them(moment, offset) -> None:
    """``datetime.fromisoformat`` gives the instant ``strptime`` with ``%z`` gives."""
    text = moment.isoformat() if offset is None else moment.replace(tzinfo=UTC).isoformat()[:-6]
    if offset is not None:
        sign, rest = ("-", -offset) if offset < timedelta(0) else ("+", offset)
        text += f"{sign}{rest.seconds // 3600:02d}:{rest.seconds % 3600 // 60:02d}"
    fmt = "%Y-%m-%dT%H:%M:%S" + (".%f" if moment.microsecond else "") + ("%z" if offset is not None else "")
    expected = datetime.strptime(text, fmt)
    expected = expected.replace(tzinfo=UTC) if expected.tzinfo is None else expected
    try:
        assert cast("timestamptz", text) == expected.astimezone(UTC)
    except OverflowError:  # near the ends of the calendar, UTC falls outside years 1..9999
        pass


def test_a_valid_item_gives_the_same_row_both_ways() -> None:
    records = [{"name": "outer", "items": [
        {"id": "7", "small": 3, "ratio": "36:12", "label": "x", "flag": "W", "day": "APR 14, 2024",
         "at": "2024-04-14T10:00:00Z", "amount": "12.345", "doc": {"a": [1]}, "deep": {"a": [{"b": "4"}]},
         "tags": ["p", "q"]},
        {"id": 8, "small": 5000, "label": "y"},            # a failed check
        {"id": 9, "label": "z", "keep": False},            # filtered out
        {"id": "nine", "label": "bad", "small": "x"}]}]    # failed casts, reasons in column order
    applied = assert_compiled_matches(SPEC, records)
    [row] = applied.rows["things"]
    assert row["id"] == 7 and row["ratio"] == 36.2 and row["nested"] == 4 and row["last"] == "q"
    assert row["outer"] == row["top"] == "outer" and row["position"] == 0 and row["twice"] == 6
    assert [r.reason for r in applied.all_rejects()] == [
        "check failed: small is null or small < 1000",
        "column 'id': cannot cast 'nine' to bigint: not a whole number; "
        "column 'small': cannot cast 'x' to int: not a whole number"]
    assert applied.filtered["things"] == 1
