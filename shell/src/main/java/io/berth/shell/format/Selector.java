package io.berth.shell.format;

import io.berth.apimachinery.labels.InvalidSelectorException;
import io.berth.apimachinery.labels.LabelSelector;
import io.berth.shell.ConsoleException;

/**
 * {@code -l}: the label selector the daemon also reads (apimachinery's {@link LabelSelector}),
 * checked here first so a typo is a usage line that shows the syntax, not a round trip. The
 * console also applies it to what comes back, so the answer is right whether or not the daemon filters.
 */
public final class Selector {
    private Selector() {
    }

    public static LabelSelector parse(String text) {
        try {
            return LabelSelector.parse(text);
        } catch (InvalidSelectorException e) {
            throw ConsoleException.usage("bad label selector '" + e.selector() + "' (" + e.reason()
                    + "): use key=value, key!=value, 'key in (a,b)', key or !key, separated by commas");
        }
    }
}
