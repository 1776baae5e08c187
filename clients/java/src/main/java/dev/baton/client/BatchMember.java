package dev.baton.client;

/** One member of a batch's answer: its {@code ref} (if it had one), the id and status, and whether it was new. */
public record BatchMember(String ref, String id, TaskStatus status, boolean created) {
}
