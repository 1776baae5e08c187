package dev.baton.engine;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Values that differ from every default, for tests that check a field reaches every shape of a
 * task (record, store, view, JSON): a field left out of a mapper shows up as a default.
 */
public final class Samples {

    private Samples() {
    }

    /** A distinct non-default value of {@code type}; {@code salt} makes values of one type differ. */
    public static Object value(Class<?> type, int salt) {
        if (type == String.class) {
            return "s" + salt;
        }
        if (type == int.class || type == Integer.class) {
            return 100 + salt;
        }
        if (type == long.class || type == Long.class) {
            return 1_700_000_000_000L + salt;
        }
        if (type == boolean.class || type == Boolean.class) {
            return Boolean.TRUE;
        }
        if (type == TaskStatus.class) {
            return TaskStatus.IN_PROGRESS;
        }
        if (type == Priority.class) {
            return salt % 2 == 0 ? Priority.HIGH : Priority.LOW;
        }
        if (type == List.class) {
            return List.of("dep-" + salt);
        }
        if (type == TaskSpec.class) {
            return spec(salt);
        }
        throw new IllegalArgumentException("no sample for " + type + ": add one");
    }

    /** As {@link #value(Class, int)}, with lists of the element type the generic type names (attempts). */
    public static Object value(java.lang.reflect.Type generic, Class<?> type, int salt) {
        if (generic instanceof java.lang.reflect.ParameterizedType list && list.getRawType() == List.class
                && list.getActualTypeArguments()[0] == TaskAttempt.class) {
            return List.of(new TaskAttempt(salt + 1, "agent-" + salt, 1_700_000_000_000L + salt, 1_700_000_000_100L + salt,
                    TaskAttempt.Outcome.FAILED, "error " + salt));
        }
        return value(type, salt);
    }

    public static TaskSpec spec(int salt) {
        return new TaskSpec("task-" + salt, "type-" + salt, "about " + salt, Priority.CRITICAL, "{\"n\":" + salt + "}",
                List.of("parent-" + salt), 7, 1_700_000_000_500L, true, "https://hooks.test/" + salt, "rate-" + salt, salt + 2,
                "tenant-" + salt);
    }

    /** A record of {@code type} with every component set to a sample value. */
    public static <R extends Record> R record(Class<R> type) {
        try {
            RecordComponent[] components = type.getRecordComponents();
            Class<?>[] types = new Class<?>[components.length];
            Object[] values = new Object[components.length];
            for (int i = 0; i < components.length; i++) {
                types[i] = components[i].getType();
                values[i] = value(components[i].getGenericType(), types[i], i);
            }
            return type.getDeclaredConstructor(types).newInstance(values);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Sets every non-final field of {@code task} not named in {@code skip} to a sample value. */
    static void fill(Task task, Set<String> skip) {
        for (Field field : Task.class.getDeclaredFields()) {
            if (Modifier.isFinal(field.getModifiers()) || Modifier.isStatic(field.getModifiers()) || skip.contains(field.getName())) {
                continue;
            }
            try {
                field.set(task, value(field.getGenericType(), field.getType(), field.getName().hashCode() & 0xff));
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** The value of every field of {@code task} not named in {@code skip}. */
    static Map<String, Object> fields(Task task, Set<String> skip) {
        Map<String, Object> values = new java.util.TreeMap<>();
        for (Field field : Task.class.getDeclaredFields()) {
            if (!Modifier.isStatic(field.getModifiers()) && !skip.contains(field.getName())) {
                try {
                    values.put(field.getName(), field.get(task));
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return values;
    }
}
