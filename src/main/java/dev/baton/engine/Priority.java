package dev.baton.engine;

/** Task priority; one ready deque per level. {@link #CRITICAL} is level 0, the highest. */
public enum Priority {
    CRITICAL,
    HIGH,
    MEDIUM,
    LOW;

    private static final Priority[] BY_LEVEL = values();

    /** 0 for CRITICAL … 3 for LOW. */
    public int level() {
        return ordinal();
    }

    public static int levels() {
        return BY_LEVEL.length;
    }

    public static Priority ofLevel(int level) {
        return BY_LEVEL[Math.max(0, Math.min(BY_LEVEL.length - 1, level))];
    }

    /** One step lower (LOW stays LOW): where a retried task returns. */
    public Priority lower() {
        return ofLevel(level() + 1);
    }
}
