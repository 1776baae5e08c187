package dev.baton.store;

import java.nio.file.Path;

/**
 * Another Baton owns the embedded Redis' data directory: it holds the directory's lock file, so it
 * is alive (the operating system releases the lock of a process that died, even by kill -9). The
 * message is one line for the person starting the second Baton: which folder, which process, and
 * what to do.
 */
public final class DataDirInUseException extends RefusedStartException {

    public DataDirInUseException(Path dir, String owner) {
        super("The data directory " + dir + " is in use by another Baton (" + owner + "): stop that one, "
                + "or start this one with another baton.embedded-redis.data-dir");
    }
}
