package dev.baton.engine;

/** A task type after its settings changed, and the {@code seq} of the change's event (to wait for its durability). */
public record TypeUpdate(TypeView type, long seq) {
}
