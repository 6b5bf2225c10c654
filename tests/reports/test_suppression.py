"""Small cells hidden, and their complements, so that no total gives one back (DESIGN.md §10)."""

from xinyu.reports.suppression import suppress_table


def test_counts_under_five_are_hidden_and_zeros_kept():
    assert suppress_table({"甲": {"a": 12, "b": 0, "c": 7}}) == {"甲": {"a": 12, "b": 0, "c": 7}}
    hidden = suppress_table({"甲": {"a": 12, "b": 3, "c": 7}})
    assert hidden["甲"]["b"] is None


def test_a_lone_hidden_cell_takes_the_next_smallest_with_it_in_rows_and_columns():
    hidden = suppress_table({"甲": {"a": 12, "b": 3, "c": 7}, "乙": {"a": 20, "b": 9, "c": 30}})
    # Row 甲: 3 hidden, so 7 goes too; column b: 3 hidden, so 9 goes too; then row 乙 and column c.
    assert hidden["甲"] == {"a": 12, "b": None, "c": None}
    assert hidden["乙"]["b"] is None
    for row in hidden.values():
        assert sum(value is None for value in row.values()) != 1
    for column in ("a", "b", "c"):
        assert sum(hidden[row][column] is None for row in hidden) != 1
