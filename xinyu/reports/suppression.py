"""Small-cell suppression for tables of counts (DESIGN.md §10): a count from 1 to SMALL − 1 is hidden (None),
and where a row or a column would have exactly one hidden cell — so that its total gives it away — the
next smallest non-zero cell of that row or column is hidden too, until no row or column has exactly one."""

SMALL = 5


def suppress_table(grid: dict) -> dict:
    """{row: {column: count}} → the same shape with the suppressed cells None. Zeros stay: a zero cannot be
    worked back to a person."""
    hidden = {row: {column: (None if 0 < value < SMALL else value) for column, value in cells.items()}
              for row, cells in grid.items()}  # fmt: skip
    columns = list(dict.fromkeys(column for cells in grid.values() for column in cells))
    changed = True
    while changed:
        changed = False
        lines = [[(row, column) for column in hidden[row]] for row in hidden]
        lines += [[(row, column) for row in hidden if column in hidden[row]] for column in columns]
        for line in lines:
            gone = [cell for cell in line if hidden[cell[0]][cell[1]] is None]
            if len(gone) != 1:
                continue
            shown = sorted((cell for cell in line if hidden[cell[0]][cell[1]]), key=lambda c: grid[c[0]][c[1]])
            if shown:
                row, column = shown[0]
                hidden[row][column] = None
                changed = True
    return hidden
