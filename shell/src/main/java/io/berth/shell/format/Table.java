package io.berth.shell.format;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * A kubectl-style table: an upper-case header, columns left-aligned and separated by three
 * spaces, no borders, so that {@code awk} and {@code cut} work on it as on kubectl's. A column may
 * be coloured; colour codes never count towards the width.
 */
public final class Table {
    private static final String GAP = "   ";

    private final List<String> headers;
    private final List<List<String>> rows = new ArrayList<>();

    public Table(List<String> headers) {
        this.headers = List.copyOf(headers);
    }

    public Table(String... headers) {
        this(List.of(headers));
    }

    public Table row(List<String> cells) {
        if (cells.size() != headers.size()) {
            throw new IllegalArgumentException("row has " + cells.size() + " cells, table has " + headers.size() + " columns");
        }
        rows.add(List.copyOf(cells));
        return this;
    }

    public Table row(String... cells) {
        return row(List.of(cells));
    }

    public boolean isEmpty() {
        return rows.isEmpty();
    }

    public void print(PrintWriter out, boolean withHeaders) {
        print(out, withHeaders, (column, cell) -> cell);
    }

    /** Prints the table; {@code paint} may wrap a cell in colour codes after its width is known. */
    public void print(PrintWriter out, boolean withHeaders, CellPainter paint) {
        int[] widths = new int[headers.size()];
        for (int c = 0; c < widths.length; c++) {
            // The headers count even when not printed, so that rows printed later (get -w) line up.
            widths[c] = headers.get(c).length();
            for (List<String> row : rows) {
                widths[c] = Math.max(widths[c], row.get(c).length());
            }
        }
        if (withHeaders) {
            line(out, headers, widths, true, paint);
        }
        for (List<String> row : rows) {
            line(out, row, widths, false, paint);
        }
        out.flush();
    }

    private static void line(PrintWriter out, List<String> cells, int[] widths, boolean header, CellPainter paint) {
        StringBuilder sb = new StringBuilder();
        for (int c = 0; c < cells.size(); c++) {
            String cell = cells.get(c);
            boolean last = c == cells.size() - 1;
            sb.append(header ? cell : paint.paint(c, cell));
            if (!last) {
                sb.append(" ".repeat(widths[c] - cell.length())).append(GAP);
            }
        }
        // No trailing blanks, as kubectl.
        int end = sb.length();
        while (end > 0 && sb.charAt(end - 1) == ' ') {
            end--;
        }
        out.println(sb.substring(0, end));
    }

    /** Colours one cell; gets the column index and the cell's text. */
    @FunctionalInterface
    public interface CellPainter {
        String paint(int column, String cell);
    }
}
