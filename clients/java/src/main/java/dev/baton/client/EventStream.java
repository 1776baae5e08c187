package dev.baton.client;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;

import javax.net.ssl.SSLSocketFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A blocking iterator over a server-sent event stream of Baton.
 *
 * <p>Implementation note. Each connection is a plain socket speaking HTTP/1.1 (chunked bodies
 * decoded here), so that {@link #drop()} and {@link #close()} can cut it from any thread and a read
 * can have a deadline; {@code java.net.http} offers neither for a body being read. After a
 * dropped connection (or a 503 while Baton restarts) the stream reconnects with
 * {@code Last-Event-ID} set to the last {@code seq} it handed out, which Baton answers with every
 * matching event after it: nothing lost, nothing repeated. A task's stream ({@code ends}) is over
 * when the server closes it after the task's terminal event; closed before, it is resumed too. {@link #hasNext()} and {@link #next()}
 * belong to one reading thread; {@link #drop()} and {@link #close()} may come from any.
 */
public final class EventStream implements Iterator<Event>, AutoCloseable {

    private static final Duration RECONNECT_DELAY = Duration.ofMillis(300);
    private static final Duration IDLE_TIMEOUT = Duration.ofSeconds(60); // Baton sends a keep-alive every 15 s

    private final BatonClient client;
    private final String pathAndQuery;
    private final boolean ends;
    private volatile Long lastEventId;
    private volatile boolean closed;
    private volatile Socket socket;
    private volatile int connects;
    private InputStream body;
    private Event pending;
    private boolean finished;
    private boolean sawTerminal;
    private boolean timedOut;
    private long deadlineNanos;
    private boolean hasDeadline;

    EventStream(BatonClient client, String pathAndQuery, Long lastEventId, boolean ends) {
        this.client = client;
        this.pathAndQuery = pathAndQuery;
        this.lastEventId = lastEventId;
        this.ends = ends;
    }

    void deadline(long nanoTime) {
        this.deadlineNanos = nanoTime;
        this.hasDeadline = true;
    }

    /**
     * Waits for the next event; false once the stream is closed, a task's stream has ended, or its
     * deadline passed. Throws {@link BatonException} when the first connection is refused (bad filter,
     * token, unknown task) or Baton cannot be reached at all.
     */
    @Override
    public boolean hasNext() {
        while (pending == null && !finished) {
            if (closed) {
                finished = true;
                break;
            }
            if (hasDeadline && System.nanoTime() - deadlineNanos >= 0) {
                timedOut = true;
                finished = true;
                break;
            }
            if (body == null) {
                try {
                    open();
                } catch (BatonException e) {
                    if (closed) {
                        continue;
                    }
                    // Once connected, a stream outlives Baton restarting (unreachable, then 503 until ready).
                    boolean restarting = e instanceof BatonUnavailableException || e.status() == 503;
                    if (connects == 0 || !restarting) {
                        throw e;
                    }
                    pause();
                    continue;
                }
            }
            try {
                pending = readEvent();
                if (pending == null) { // the server ended the stream
                    disconnect();
                    if (ends && sawTerminal) {
                        finished = true;
                    } else {
                        pause(); // Baton stopping or stepping down: resume where we were
                    }
                } else if (pending.isTerminal()) {
                    sawTerminal = true;
                }
            } catch (SocketTimeoutException e) {
                disconnect(); // the deadline (checked above) or a silent connection: reconnect
            } catch (IOException | RuntimeException e) {
                disconnect(); // dropped: reconnect with Last-Event-ID
                if (!closed) {
                    pause();
                }
            }
        }
        return pending != null;
    }

    @Override
    public Event next() {
        if (!hasNext()) {
            throw new NoSuchElementException("the event stream is over");
        }
        Event event = pending;
        pending = null;
        return event;
    }

    /** The {@code seq} of the last event handed out (or the one this stream started after). */
    public Long lastEventId() {
        return lastEventId;
    }

    /** How many connections this stream has made so far. */
    public int connects() {
        return connects;
    }

    /** True when iteration ended because {@link BatonClient#waitFor}'s timeout passed. */
    boolean timedOut() {
        return timedOut;
    }

    /** Cuts the current connection as a network failure would; iteration resumes where it was. */
    public void drop() {
        Socket s = socket;
        if (s != null) {
            try {
                s.close();
            } catch (IOException e) {
                // already closed
            }
        }
    }

    /** Ends the iteration; a thread blocked in {@link #hasNext()} returns false. */
    @Override
    public void close() {
        closed = true;
        drop();
    }

    // ---- connection --------------------------------------------------------------------------------

    private void pause() {
        try {
            Thread.sleep(RECONNECT_DELAY.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closed = true;
        }
    }

    private void open() {
        URI base = client.base();
        String host = base.getHost();
        boolean tls = "https".equals(base.getScheme());
        int port = base.getPort() > 0 ? base.getPort() : tls ? 443 : 80;
        Socket s = new Socket();
        try {
            socket = s;
            if (closed) {
                throw new IOException("closed");
            }
            s.connect(new InetSocketAddress(host, port), (int) client.connectTimeout().toMillis());
            Socket conn = tls ? ((SSLSocketFactory) SSLSocketFactory.getDefault()).createSocket(s, host, port, true) : s;
            socket = conn;
            StringBuilder head = new StringBuilder()
                    .append("GET ").append(pathAndQuery).append(" HTTP/1.1\r\n")
                    .append("Host: ").append(host).append(':').append(port).append("\r\n")
                    .append("Accept: text/event-stream\r\n")
                    .append("Cache-Control: no-cache\r\n");
            if (client.token() != null) {
                head.append("Authorization: Bearer ").append(client.token()).append("\r\n");
            }
            if (lastEventId != null) {
                head.append("Last-Event-ID: ").append(lastEventId).append("\r\n");
            }
            head.append("\r\n");
            OutputStream out = conn.getOutputStream();
            out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            conn.setSoTimeout(readTimeoutMillis());
            InputStream in = new java.io.BufferedInputStream(conn.getInputStream());
            String statusLine = readLine(in);
            if (statusLine == null || !statusLine.startsWith("HTTP/1.")) {
                throw new IOException("not an HTTP answer: " + statusLine);
            }
            int status = statusOf(statusLine);
            boolean chunked = false;
            long length = -1;
            String retryAfter = null;
            for (String line = readLine(in); line != null && !line.isEmpty(); line = readLine(in)) {
                int colon = line.indexOf(':');
                if (colon < 0) {
                    continue;
                }
                String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
                String value = line.substring(colon + 1).trim();
                switch (name) {
                    case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
                    case "content-length" -> length = Long.parseLong(value);
                    case "retry-after" -> retryAfter = value;
                    default -> { }
                }
            }
            InputStream content = chunked ? new ChunkedInputStream(in) : length >= 0 ? new LimitedInputStream(in, length) : in;
            if (status != 200) {
                byte[] raw = content.readAllBytes();
                conn.close();
                throw BatonClient.errorOf(status, raw, retryAfter);
            }
            connects++;
            body = content;
        } catch (IOException e) {
            closeQuietly(s);
            socket = null;
            throw new BatonUnavailableException(client.url(), e);
        }
    }

    private static int statusOf(String statusLine) throws IOException {
        try {
            return Integer.parseInt(statusLine.substring(9, 12));
        } catch (NumberFormatException | IndexOutOfBoundsException e) {
            throw new IOException("not an HTTP status line: " + statusLine, e);
        }
    }

    private int readTimeoutMillis() {
        long millis = IDLE_TIMEOUT.toMillis();
        if (hasDeadline) {
            millis = Math.min(millis, Math.max(1, (deadlineNanos - System.nanoTime()) / 1_000_000));
        }
        return (int) millis;
    }

    private void disconnect() {
        closeQuietly(socket);
        socket = null;
        body = null;
    }

    private static void closeQuietly(Socket s) {
        if (s != null) {
            try {
                s.close();
            } catch (IOException e) {
                // nothing to do
            }
        }
    }

    /** The next event; null when the server ended the stream. */
    private Event readEvent() throws IOException {
        List<String> data = new ArrayList<>();
        String kind = null;
        String id = null;
        while (true) {
            if (hasDeadline) {
                socket.setSoTimeout(readTimeoutMillis());
            }
            String line = readLine(body);
            if (line == null) {
                return null;
            }
            if (line.isEmpty()) {
                if (data.isEmpty()) {
                    continue;
                }
                JsonNode json = Json.MAPPER.readTree(String.join("\n", data));
                if (kind != null && json.isObject() && !json.has("event")) {
                    ((ObjectNode) json).put("event", kind);
                }
                Event event = BatonClient.read(json, Event.class);
                if (id != null) {
                    lastEventId = Long.parseLong(id.trim());
                } else if (!event.isResync() && event.seq() > 0) {
                    lastEventId = event.seq();
                }
                return event;
            }
            if (line.startsWith(":")) {
                continue;
            }
            int colon = line.indexOf(':');
            String field = colon < 0 ? line : line.substring(0, colon);
            String value = colon < 0 ? "" : line.substring(colon + 1);
            if (value.startsWith(" ")) {
                value = value.substring(1);
            }
            switch (field) {
                case "data" -> data.add(value);
                case "id" -> id = value;
                case "event" -> kind = value;
                default -> { }
            }
        }
    }

    /** One line without its CR LF, decoded as UTF-8; null at the end of the input. */
    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(128);
        int b;
        while ((b = in.read()) != -1) {
            if (b == '\n') {
                break;
            }
            line.write(b);
        }
        if (b == -1 && line.size() == 0) {
            return null;
        }
        byte[] bytes = line.toByteArray();
        int n = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
        return new String(bytes, 0, n, StandardCharsets.UTF_8);
    }

    /** An HTTP/1.1 chunked body: hex size line, that many bytes, CR LF; a zero size ends it. */
    private static final class ChunkedInputStream extends InputStream {
        private final InputStream in;
        private long left;
        private boolean eof;

        ChunkedInputStream(InputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (eof) {
                return -1;
            }
            if (left == 0) {
                String size = readLine(in);
                if (size != null && size.isEmpty()) {
                    size = readLine(in); // the CR LF ending the previous chunk
                }
                if (size == null) {
                    throw new IOException("connection closed inside a chunked body");
                }
                int semicolon = size.indexOf(';');
                left = Long.parseLong((semicolon < 0 ? size : size.substring(0, semicolon)).trim(), 16);
                if (left == 0) {
                    eof = true;
                    return -1;
                }
            }
            int n = in.read(b, off, (int) Math.min(len, left));
            if (n < 0) {
                throw new IOException("connection closed inside a chunk");
            }
            left -= n;
            return n;
        }
    }

    /** A body of known length. */
    private static final class LimitedInputStream extends InputStream {
        private final InputStream in;
        private long left;

        LimitedInputStream(InputStream in, long length) {
            this.in = in;
            this.left = length;
        }

        @Override
        public int read() throws IOException {
            if (left <= 0) {
                return -1;
            }
            int b = in.read();
            if (b >= 0) {
                left--;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left <= 0) {
                return -1;
            }
            int n = in.read(b, off, (int) Math.min(len, left));
            if (n > 0) {
                left -= n;
            }
            return n;
        }
    }
}
