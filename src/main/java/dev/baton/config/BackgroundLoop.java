package dev.baton.config;

/**
 * One of Baton's named background loops. {@link #start} and {@link #stop} are called by
 * {@link BackgroundLoops} only, in its order; stopping twice, or stopping a loop that never
 * started, is harmless.
 */
interface BackgroundLoop {

    String name();

    void start();

    void stop();
}
