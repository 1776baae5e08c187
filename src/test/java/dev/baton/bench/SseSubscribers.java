package dev.baton.bench;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;

/**
 * SSE subscribers to {@code GET /v1/events}, as dashboards would hold them: one connection each,
 * read as fast as Baton writes. They share two cores with Baton, so one thread serves them all
 * over a selector (a hundred reader threads would spend more CPU switching than reading), and each
 * stream is read by hand out of a byte buffer: events ({@code id:} lines) are counted and, for each
 * {@code task.completed}, the task id and the receipt time go to a listener; every other line is
 * skipped unread. A stream Baton closes (a subscriber cut off for falling behind) is counted as
 * such.
 */
final class SseSubscribers implements AutoCloseable {

    private static final byte[] ID = "id:".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] COMPLETED = "event: task.completed".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DATA = "data:".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TASK_ID = "\"task_id\":\"".getBytes(StandardCharsets.US_ASCII);

    private final Selector selector;
    private final List<SocketChannel> channels = new ArrayList<>();
    private final List<Parser> parsers = new ArrayList<>();
    private final AtomicInteger endedByServer = new AtomicInteger();
    private volatile boolean closing;
    private Thread reader;

    private SseSubscribers() throws IOException {
        selector = Selector.open();
    }

    static SseSubscribers attach(int count, URI base, String token, BiConsumer<String, Long> completed) throws IOException {
        SseSubscribers all = new SseSubscribers();
        try {
            for (int i = 0; i < count; i++) {
                all.connect(base, token, completed);
            }
        } catch (IOException | RuntimeException e) {
            all.close();
            throw e;
        }
        all.reader = new Thread(all::run, "bench-sse-subscribers");
        all.reader.setDaemon(true);
        all.reader.start();
        return all;
    }

    /** Connects and reads the response head blocking; once this returns, Baton has registered the stream. */
    private void connect(URI base, String token, BiConsumer<String, Long> completed) throws IOException {
        SocketChannel channel = SocketChannel.open();
        channels.add(channel);
        channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        channel.setOption(StandardSocketOptions.SO_RCVBUF, 256 * 1024);
        channel.connect(new InetSocketAddress(base.getHost(), base.getPort()));
        channel.write(ByteBuffer.wrap(("GET /v1/events HTTP/1.1\r\nHost: " + base.getHost() + ":" + base.getPort()
                + "\r\nAccept: text/event-stream\r\n"
                + (token == null ? "" : "Authorization: Bearer " + token + "\r\n") + "\r\n")
                .getBytes(StandardCharsets.US_ASCII)));
        Parser parser = new Parser(completed);
        ByteBuffer head = ByteBuffer.allocate(8 * 1024);
        int end;
        while ((end = headEnd(head)) < 0) {
            if (!head.hasRemaining() || channel.read(head) < 0) {
                throw new IOException("GET /v1/events: no response head");
            }
        }
        String text = new String(head.array(), 0, end, StandardCharsets.US_ASCII);
        if (!text.startsWith("HTTP/1.1 200")) {
            throw new IOException("GET /v1/events answered '" + text.lines().findFirst().orElse("") + "'");
        }
        parser.feed(head.array(), end, head.position() - end, System.nanoTime());
        channel.configureBlocking(false);
        channel.register(selector, SelectionKey.OP_READ, parser);
        parsers.add(parser);
    }

    /** The offset just past the blank line ending the head, or -1. */
    private static int headEnd(ByteBuffer head) {
        byte[] b = head.array();
        for (int i = 3; i < head.position(); i++) {
            if (b[i] == '\n' && b[i - 1] == '\r' && b[i - 2] == '\n' && b[i - 3] == '\r') {
                return i + 1;
            }
        }
        return -1;
    }

    private void run() {
        ByteBuffer buffer = ByteBuffer.allocate(256 * 1024);
        try {
            while (!closing) {
                selector.select(200);
                for (SelectionKey key : selector.selectedKeys()) {
                    long received = System.nanoTime();
                    SocketChannel channel = (SocketChannel) key.channel();
                    Parser parser = (Parser) key.attachment();
                    int n;
                    do {
                        buffer.clear();
                        n = channel.read(buffer);
                        if (n > 0) {
                            parser.feed(buffer.array(), 0, n, received);
                        }
                    } while (n == buffer.capacity());
                    if (n < 0) {
                        key.cancel();
                        channel.close();
                        if (!closing) {
                            endedByServer.incrementAndGet();
                        }
                    }
                }
                selector.selectedKeys().clear();
            }
        } catch (IOException | ClosedSelectorException e) {
            if (!closing) {
                System.err.println("bench: SSE subscribers stopped reading: " + e);
            }
        }
    }

    int count() {
        return parsers.size();
    }

    /** Events read by all subscribers together. */
    long events() {
        long sum = 0;
        for (Parser parser : parsers) {
            sum += parser.events;
        }
        return sum;
    }

    /** Streams Baton ended (it cut those subscribers off), not this side. */
    int cutOff() {
        return endedByServer.get();
    }

    @Override
    public void close() {
        closing = true;
        for (SocketChannel channel : channels) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        try {
            selector.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        if (reader != null) {
            try {
                reader.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * The SSE line reader: lines split across reads are carried over in {@code line}. Package
     * visible so the parsing is tested without a server.
     */
    static final class Parser {
        private final BiConsumer<String, Long> completed;
        private final byte[] line = new byte[16 * 1024];
        private int length;
        private boolean inCompleted;
        volatile long events;

        Parser(BiConsumer<String, Long> completed) {
            this.completed = completed;
        }

        void feed(byte[] bytes, int offset, int count, long receivedNanos) {
            int end = offset + count;
            int start = offset;
            for (int i = nextNewline(bytes, offset, end); i < end; i = nextNewline(bytes, i + 1, end)) {
                if (length > 0) { // a line begun in an earlier read
                    append(bytes, start, i - start);
                    line(line, 0, length, receivedNanos);
                    length = 0;
                } else {
                    line(bytes, start, i - start, receivedNanos);
                }
                start = i + 1;
            }
            append(bytes, start, end - start);
        }

        private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
        private static final long ONES = 0x0101010101010101L;
        private static final long HIGHS = 0x8080808080808080L;
        private static final long NEWLINES = ONES * '\n';

        /**
         * The index of the next {@code '\n'} at or after {@code from}, else {@code end}: eight bytes
         * a step (the zero-byte test on {@code word ^ NEWLINES}), as the generator reads a few
         * hundred MB/s of event text on the cores Baton runs on.
         */
        static int nextNewline(byte[] b, int from, int end) {
            int i = from;
            for (; i + Long.BYTES <= end; i += Long.BYTES) {
                long x = (long) LONGS.get(b, i) ^ NEWLINES;
                long found = (x - ONES) & ~x & HIGHS;
                if (found != 0) {
                    return i + (Long.numberOfTrailingZeros(found) >>> 3);
                }
            }
            for (; i < end; i++) {
                if (b[i] == '\n') {
                    return i;
                }
            }
            return end;
        }

        private void append(byte[] bytes, int from, int count) {
            int n = Math.min(count, line.length - length); // a longer line is cut; none Baton sends is
            System.arraycopy(bytes, from, line, length, n);
            length += n;
        }

        private void line(byte[] b, int from, int count, long receivedNanos) {
            if (startsWith(b, from, count, ID)) {
                events++;
            } else if (startsWith(b, from, count, COMPLETED)) {
                inCompleted = true;
            } else if (inCompleted && startsWith(b, from, count, DATA)) {
                inCompleted = false;
                int at = indexOf(b, from, count, TASK_ID);
                if (at >= 0) {
                    int idStart = at + TASK_ID.length;
                    int idEnd = idStart;
                    while (idEnd < from + count && b[idEnd] != '"') {
                        idEnd++;
                    }
                    completed.accept(new String(b, idStart, idEnd - idStart, StandardCharsets.US_ASCII), receivedNanos);
                }
            }
        }

        private static boolean startsWith(byte[] b, int from, int count, byte[] prefix) {
            if (count < prefix.length) {
                return false;
            }
            for (int i = 0; i < prefix.length; i++) {
                if (b[from + i] != prefix[i]) {
                    return false;
                }
            }
            return true;
        }

        private static int indexOf(byte[] b, int from, int count, byte[] needle) {
            int last = from + count - needle.length;
            outer:
            for (int i = from; i <= last; i++) {
                for (int j = 0; j < needle.length; j++) {
                    if (b[i + j] != needle[j]) {
                        continue outer;
                    }
                }
                return i;
            }
            return -1;
        }
    }
}
