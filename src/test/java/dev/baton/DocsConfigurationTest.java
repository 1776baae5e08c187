package dev.baton;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.config.BatonConfig;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.io.IOException;
import java.io.Reader;
import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The configuration reference cannot drift from the code: every property of {@link BatonConfig}
 * has a row in docs/configuration.md, and wherever a default is written down (that page, the
 * README's tables) it is the one in the code; application.properties repeats none of them.
 */
public class DocsConfigurationTest {

    /** A table row whose first cell is a property: {@code | `baton.lease-ttl` | `30s` | ...}. */
    private static final Pattern ROW = Pattern.compile("^\\|\\s*`([a-z][a-z0-9.<>*-]*)`\\s*\\|\\s*([^|]*?)\\s*\\|", Pattern.MULTILINE);

    @Test
    void everyPropertyIsDocumentedWithItsDefault() throws IOException {
        Map<String, String> code = properties();
        Map<String, String> documented = rows(Path.of("docs/configuration.md"));
        List<String> missing = code.keySet().stream().filter(name -> !documented.containsKey(name)).toList();
        assertEquals(List.of(), missing, "properties of BatonConfig without a row in docs/configuration.md");
        assertEquals(List.of(), wrongDefaults(code, documented), "defaults in docs/configuration.md that differ from the code");
    }

    @Test
    void theReadmeTablesShowTheDefaultsOfTheCode() throws IOException {
        assertEquals(List.of(), wrongDefaults(properties(), rows(Path.of("README.md"))),
                "defaults in README.md that differ from the code");
    }

    @Test
    void applicationPropertiesLeavesTheDefaultsToTheCode() throws IOException {
        Properties file = new Properties();
        try (Reader reader = Files.newBufferedReader(Path.of("src/main/resources/application.properties"))) {
            file.load(reader);
        }
        // one source for each default: @WithDefault; profile-specific values (%test.baton...) are not defaults
        assertEquals(List.of(), file.stringPropertyNames().stream().filter(name -> name.startsWith("baton.")).sorted().toList(),
                "baton.* defaults repeated in application.properties instead of left to BatonConfig's @WithDefault");
    }

    @Test
    void theWalkFindsNestedGroupsMapsAndDefaults() {
        Map<String, String> code = properties();
        assertEquals("30s", code.get("baton.lease-ttl"));
        assertEquals("-20", code.get("baton.scoring.load"));
        assertEquals("./data", code.get("baton.embedded-redis.data-dir"));
        assertTrue(code.containsKey("baton.types.<type>.max-running"));
        assertEquals("1", code.get("baton.types.<type>.adaptive.min"), "an optional group is walked");
        assertTrue(code.containsKey("baton.auth.admin-token"));
        assertEquals(List.of("baton.lease-ttl: `45s`, the code says `30s`"),
                wrongDefaults(code, Map.of("baton.lease-ttl", "`45s`", "baton.scoring.load", "`-20`")));
    }

    /** Property name → its {@code @WithDefault} (null when it has none), from the mapping interface. */
    public static Map<String, String> properties() {
        Map<String, String> found = new LinkedHashMap<>();
        walk(BatonConfig.class, "baton.", found);
        return found;
    }

    private static void walk(Class<?> group, String prefix, Map<String, String> found) {
        Method[] methods = group.getDeclaredMethods();
        Arrays.sort(methods, Comparator.comparing(Method::getName));
        for (Method method : methods) {
            if (method.isDefault() || method.isSynthetic() || java.lang.reflect.Modifier.isStatic(method.getModifiers())
                    || method.getParameterCount() > 0) {
                continue;
            }
            WithName renamed = method.getAnnotation(WithName.class);
            String name = prefix + (renamed != null ? renamed.value() : kebab(method.getName()));
            Class<?> type = method.getReturnType();
            if (isGroup(type)) {
                walk(type, name + ".", found);
            } else if (type == java.util.Optional.class && isGroup(typeArgument(method.getGenericReturnType(), 0))) {
                walk(typeArgument(method.getGenericReturnType(), 0), name + ".", found); // an optional group
            } else if (Map.class.isAssignableFrom(type) && isGroup(valueType(method.getGenericReturnType()))) {
                String key = "<" + kebab(method.getName()).replaceAll("s$", "") + ">";
                walk(valueType(method.getGenericReturnType()), name + "." + key + ".", found);
            } else {
                WithDefault value = method.getAnnotation(WithDefault.class);
                found.put(name, value == null ? null : value.value());
            }
        }
    }

    private static boolean isGroup(Class<?> type) {
        return type.isInterface() && type.getName().startsWith("dev.baton.");
    }

    private static Class<?> valueType(Type map) {
        return typeArgument(map, 1);
    }

    private static Class<?> typeArgument(Type generic, int index) {
        Type value = generic instanceof ParameterizedType p ? p.getActualTypeArguments()[index] : Object.class;
        return value instanceof Class<?> c ? c : Object.class;
    }

    private static String kebab(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(java.util.Locale.ROOT);
    }

    /** Property → default cell of every table row in {@code file} that names one property. */
    private static Map<String, String> rows(Path file) throws IOException {
        Map<String, String> rows = new LinkedHashMap<>();
        Matcher row = ROW.matcher(Files.readString(file));
        while (row.find()) {
            rows.put(row.group(1), row.group(2));
        }
        return rows;
    }

    /** "property: `written`, the code says `default`" for each written default that is not the code's. */
    static List<String> wrongDefaults(Map<String, String> code, Map<String, String> written) {
        List<String> wrong = new ArrayList<>();
        written.forEach((name, cell) -> {
            String expected = code.get(name);
            if (expected == null || !cell.startsWith("`")) {
                return; // not Baton's, no default in code, or a default described in words
            }
            String value = cell.substring(1, cell.indexOf('`', 1) < 0 ? cell.length() : cell.indexOf('`', 1));
            if (!value.equals(expected)) {
                wrong.add(name + ": `" + value + "`, the code says `" + expected + "`");
            }
        });
        return wrong;
    }
}
