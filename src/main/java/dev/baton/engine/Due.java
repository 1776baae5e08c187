package dev.baton.engine;

/**
 * A timer entry: {@code task} is due at {@code at} if its {@link Task#timerStamp} still equals
 * {@code stamp} when the entry comes up (entries are never removed early, only voided).
 */
record Due(long at, int stamp, Task task) implements Comparable<Due> {

    @Override
    public int compareTo(Due other) {
        int byTime = Long.compare(at, other.at);
        return byTime != 0 ? byTime : Long.compare(task.createdAt, other.task.createdAt);
    }

    boolean valid() {
        return task.timerStamp == stamp;
    }
}
