package dev.baton.client;

/** A task's priority, highest first. */
public enum Priority {
    CRITICAL, HIGH, MEDIUM, LOW
}
