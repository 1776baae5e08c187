package dev.baton.config;

import java.util.Locale;
import java.util.Set;

import jakarta.annotation.Priority;

import org.eclipse.microprofile.config.spi.Converter;

/**
 * Booleans that refuse what they do not understand: SmallRye Config reads any unknown word
 * ({@code baton.demote-on-retry=maybe}) as {@code false} with a warning, so a typo silently turns a
 * feature off. This one takes the same words as SmallRye (true, 1, yes, y, on and false, 0, no, n,
 * off, in any case) and refuses the rest, which stops the start with a line naming the setting.
 */
@Priority(200)
public final class StrictBooleanConverter implements Converter<Boolean> {

    private static final Set<String> TRUE = Set.of("true", "1", "yes", "y", "on");
    private static final Set<String> FALSE = Set.of("false", "0", "no", "n", "off");

    @Override
    public Boolean convert(String value) {
        String word = value.strip().toLowerCase(Locale.ROOT);
        if (word.isEmpty()) {
            return null;
        }
        if (TRUE.contains(word)) {
            return Boolean.TRUE;
        }
        if (FALSE.contains(word)) {
            return Boolean.FALSE;
        }
        throw new IllegalArgumentException("Expected true or false, got \"" + value + "\"");
    }
}
