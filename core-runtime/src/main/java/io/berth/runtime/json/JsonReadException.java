package io.berth.runtime.json;

/**
 * Input that is not the JSON expected. Carries the place (line and column, 0 when unknown), the
 * JSON path ({@code process.user.uid}, empty for the whole document) and the problem, so that the
 * caller, which knows the file, can say all of it in one line.
 */
public final class JsonReadException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int line;
    private final int column;
    private final String path;
    private final String problem;

    JsonReadException(int line, int column, String path, String problem) {
        super(describe(line, column, path, problem));
        this.line = line;
        this.column = column;
        this.path = path;
        this.problem = problem;
    }

    private static String describe(int line, int column, String path, String problem) {
        StringBuilder s = new StringBuilder();
        if (line > 0) {
            s.append("at line ").append(line).append(", column ").append(column);
        }
        if (!path.isEmpty()) {
            s.append(s.length() == 0 ? "" : " ").append('(').append(path).append(')');
        }
        return s.append(s.length() == 0 ? "" : ": ").append(problem).toString();
    }

    public int line() {
        return line;
    }

    public int column() {
        return column;
    }

    public String path() {
        return path;
    }

    public String problem() {
        return problem;
    }

    /** "malformed config.json at line 3, column 9 (process.user.uid): expected a number, got a string". */
    public String describe(String source) {
        return "malformed " + source + (line > 0 || !path.isEmpty() ? " " : ": ") + getMessage();
    }
}
