package dev.baton.store;

import java.io.IOException;
import java.io.StringReader;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Ownership of one data directory by one running Baton: an operating-system lock on
 * {@value #FILE}, held from start to close, and the owner's pid and host written into that file.
 *
 * <p>Implementation note. The lock is {@link FileChannel#tryLock()}, an fcntl lock on Linux: the
 * kernel drops it when the process ends however it ends, so a lock that cannot be taken means a
 * live owner, and a Redis found in a directory whose lock could be taken was left by a Baton that
 * is gone. POSIX drops a process's lock when that process closes <em>any</em> descriptor of the
 * file, so the owning JVM never opens the file a second time: a second claim from the same JVM is
 * answered from {@link #HELD} without touching it. Another process reads the file only to name
 * the owner in its refusal. Not reentrant; {@link #close()} is idempotent.
 */
final class DataDirLock implements AutoCloseable {

    static final String FILE = "baton.lock";
    /** Directories locked by this JVM (real paths). */
    private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

    private final Path dir;
    private final FileChannel channel;
    private boolean closed;

    private DataDirLock(Path dir, FileChannel channel) {
        this.dir = dir;
        this.channel = channel;
    }

    /** Locks {@code dir} (a real path) for this process, or says who holds it. */
    static DataDirLock acquire(Path dir) throws IOException {
        if (!HELD.add(dir)) {
            throw new DataDirInUseException(dir, "pid " + ProcessHandle.current().pid() + ", this very process");
        }
        try {
            FileChannel channel = FileChannel.open(dir.resolve(FILE),
                    StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (IOException | RuntimeException e) { // OverlappingFileLockException: guarded by HELD
                channel.close();
                throw e;
            }
            if (lock == null) {
                String owner = owner(channel);
                channel.close();
                throw new DataDirInUseException(dir, owner);
            }
            writeOwner(channel);
            return new DataDirLock(dir, channel);
        } catch (IOException | RuntimeException e) {
            HELD.remove(dir);
            throw e;
        }
    }

    /** Releases the lock (closing the channel does). Safe to call twice. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            channel.close();
        } catch (IOException ignored) {
            // the lock goes with the descriptor either way
        } finally {
            HELD.remove(dir);
        }
    }

    private static void writeOwner(FileChannel channel) throws IOException {
        String owner = "pid=" + ProcessHandle.current().pid() + "\n"
                + "host=" + WriterLease.hostName() + "\n"
                + "started=" + Instant.ofEpochMilli(ManagementFactory.getRuntimeMXBean().getStartTime()) + "\n";
        channel.truncate(0);
        channel.write(ByteBuffer.wrap(owner.getBytes(StandardCharsets.UTF_8)), 0);
        channel.force(false);
    }

    /** "pid 123 on host h", from what the owner wrote; "pid unknown" if it wrote nothing yet. */
    private static String owner(FileChannel channel) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(channel.size(), 4_096));
        channel.read(buffer, 0);
        Properties owner = new Properties();
        owner.load(new StringReader(new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8)));
        return "pid " + owner.getProperty("pid", "unknown") + " on host " + owner.getProperty("host", "unknown");
    }
}
