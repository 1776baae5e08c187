package dev.baton.store;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A minimal blocking RESP2 client: one command per connection, for managing a local redis-server
 * before (or without) the Quarkus Redis client. Not for data traffic.
 *
 * <p>Replies map to {@code String} (simple and bulk strings), {@code Long}, {@code List<Object>}
 * or {@code null}; an error reply throws {@link ErrorReply}. Every call is bounded by its timeout
 * (connect and read).
 */
final class Resp {

    static final String LOOPBACK = "127.0.0.1";

    /** Redis answered with an error, e.g. {@code LOADING} while it reads its append-only file. */
    static final class ErrorReply extends IOException {
        ErrorReply(String message) {
            super(message);
        }
    }

    private Resp() {
    }

    static Object call(int port, int timeoutMillis, String... command) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(LOOPBACK, port), timeoutMillis);
            socket.setSoTimeout(timeoutMillis);
            OutputStream out = socket.getOutputStream();
            out.write(encode(command));
            out.flush();
            return read(new BufferedInputStream(socket.getInputStream()));
        }
    }

    /** True when a Redis on {@code port} answers PING with PONG. */
    static boolean ping(int port, int timeoutMillis) {
        try {
            return "PONG".equals(call(port, timeoutMillis, "PING"));
        } catch (IOException e) {
            return false;
        }
    }

    /** True when a Redis on {@code port} answers PING: with PONG, or with LOADING while it reads its files. */
    static boolean listening(int port, int timeoutMillis) {
        try {
            return "PONG".equals(call(port, timeoutMillis, "PING"));
        } catch (ErrorReply e) {
            return isLoading(e.getMessage());
        } catch (IOException e) {
            return false;
        }
    }

    /** Whether an error reply is Redis's "still loading its files" ({@code LOADING Redis is loading the dataset in memory}). */
    static boolean isLoading(String error) {
        return error != null && error.startsWith("LOADING");
    }

    private static byte[] encode(String... command) {
        StringBuilder request = new StringBuilder().append('*').append(command.length).append("\r\n");
        for (String part : command) {
            byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
            request.append('$').append(bytes.length).append("\r\n").append(part).append("\r\n");
        }
        return request.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static Object read(InputStream in) throws IOException {
        int type = in.read();
        String line = readLine(in);
        switch (type) {
            case '+':
                return line;
            case '-':
                throw new ErrorReply(line);
            case ':':
                return Long.parseLong(line);
            case '$': {
                int length = Integer.parseInt(line);
                if (length < 0) {
                    return null;
                }
                byte[] bytes = in.readNBytes(length + 2);
                if (bytes.length < length + 2) {
                    throw new EOFException("connection closed inside a bulk reply");
                }
                return new String(bytes, 0, length, StandardCharsets.UTF_8);
            }
            case '*': {
                int count = Integer.parseInt(line);
                if (count < 0) {
                    return null;
                }
                List<Object> items = new ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    items.add(read(in));
                }
                return items;
            }
            case -1:
                throw new EOFException("connection closed before a reply");
            default:
                throw new IOException("not a RESP2 reply, first byte " + type);
        }
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int previous = -1;
        for (int b = in.read(); b != -1; b = in.read()) {
            if (previous == '\r' && b == '\n') {
                byte[] bytes = line.toByteArray();
                return new String(bytes, 0, bytes.length - 1, StandardCharsets.UTF_8);
            }
            line.write(b);
            previous = b;
        }
        return line.toString(StandardCharsets.UTF_8);
    }
}
