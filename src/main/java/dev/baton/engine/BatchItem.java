package dev.baton.engine;

/**
 * One member of a batch submission.
 *
 * @param ref  a name other members may use in {@code depends_on}, unique in the batch, or null
 * @param spec the task; its {@code dependsOn} may name refs of this batch as well as task ids
 */
public record BatchItem(String ref, TaskSpec spec) {
}
