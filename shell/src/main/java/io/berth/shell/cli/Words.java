package io.berth.shell.cli;

import java.util.ArrayList;
import java.util.List;

import io.berth.shell.ConsoleException;

/**
 * Splits a console line into words the way a POSIX shell does for the parts that matter here:
 * blanks separate words, '…' keeps everything literally, "…" keeps blanks and lets \ escape
 * " and \, and \ outside quotes escapes the next character. One-shot mode gets its words from the
 * real shell already split, so quoting means the same in both modes.
 */
public final class Words {
    private Words() {
    }

    public static List<String> split(String line) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\'') {
                int end = line.indexOf('\'', i + 1);
                if (end < 0) {
                    throw ConsoleException.usage("unclosed ' in the command line: close the quote");
                }
                word.append(line, i + 1, end);
                i = end;
                inWord = true;
            } else if (c == '"') {
                i++;
                for (; i < line.length() && line.charAt(i) != '"'; i++) {
                    char d = line.charAt(i);
                    if (d == '\\' && i + 1 < line.length() && (line.charAt(i + 1) == '"' || line.charAt(i + 1) == '\\')) {
                        d = line.charAt(++i);
                    }
                    word.append(d);
                }
                if (i >= line.length()) {
                    throw ConsoleException.usage("unclosed \" in the command line: close the quote");
                }
                inWord = true;
            } else if (c == '\\' && i + 1 < line.length()) {
                word.append(line.charAt(++i));
                inWord = true;
            } else if (Character.isWhitespace(c)) {
                if (inWord) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
            } else {
                word.append(c);
                inWord = true;
            }
        }
        if (inWord) {
            words.add(word.toString());
        }
        return words;
    }
}
