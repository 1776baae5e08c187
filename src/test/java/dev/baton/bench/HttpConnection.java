package dev.baton.bench;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * One keep-alive HTTP/1.1 connection, used by one thread at a time. The load generator shares
 * two cores with Baton and Redis, so it speaks the protocol itself: a request is one buffered
 * write, a response one buffered read, no pools, no futures, no per-call objects beyond the
 * body. It understands what Baton sends: {@code Content-Length} or chunked bodies, and
 * {@code Connection: close}, after which the next call reconnects.
 */
final class HttpConnection implements AutoCloseable {

    /** A status and a body (empty for 204). */
    record Response(int status, String body) {
    }

    private static final byte[] CRLF = {'\r', '\n'};

    private final String host;
    private final int port;
    private final int readTimeoutMillis;
    /** The Host header, and the Authorization header when there is a token. */
    private final byte[] hostHeader;
    private Socket socket;
    private InputStream in;
    private OutputStream out;

    HttpConnection(URI base, int readTimeoutMillis) {
        this(base, readTimeoutMillis, null);
    }

    /** With {@code bearerToken} non-null, every request carries {@code Authorization: Bearer <token>}. */
    HttpConnection(URI base, int readTimeoutMillis, String bearerToken) {
        this.host = base.getHost();
        this.port = base.getPort() > 0 ? base.getPort() : 80;
        this.readTimeoutMillis = readTimeoutMillis;
        this.hostHeader = ("Host: " + host + ":" + port + "\r\n"
                + (bearerToken == null ? "" : "Authorization: Bearer " + bearerToken + "\r\n"))
                .getBytes(StandardCharsets.US_ASCII);
    }

    Response get(String path) throws IOException {
        return send("GET", path, null);
    }

    Response post(String path, String json) throws IOException {
        return send("POST", path, json);
    }

    Response put(String path, String json) throws IOException {
        return send("PUT", path, json);
    }

    /** Sends one request and reads its response; a connection the server closed is reopened once. */
    Response send(String method, String path, String json) throws IOException {
        boolean fresh = socket == null;
        try {
            return exchange(method, path, json);
        } catch (IOException e) {
            close();
            if (fresh) {
                throw e;
            }
            return exchange(method, path, json); // the server closed an idle keep-alive connection
        }
    }

    private Response exchange(String method, String path, String json) throws IOException {
        if (socket == null) {
            connect();
        }
        byte[] body = json == null ? null : json.getBytes(StandardCharsets.UTF_8);
        StringBuilder head = new StringBuilder(128).append(method).append(' ').append(path).append(" HTTP/1.1\r\n");
        out.write(head.toString().getBytes(StandardCharsets.US_ASCII));
        out.write(hostHeader);
        if (body != null) {
            out.write(("Content-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(body);
        } else if (!method.equals("GET")) {
            out.write("Content-Length: 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        } else {
            out.write(CRLF);
        }
        out.flush();
        return read();
    }

    private void connect() throws IOException {
        Socket s = new Socket();
        s.setTcpNoDelay(true);
        s.setKeepAlive(true);
        s.connect(new InetSocketAddress(host, port), 5_000);
        s.setSoTimeout(readTimeoutMillis);
        socket = s;
        in = new BufferedInputStream(s.getInputStream(), 16 * 1024);
        out = new BufferedOutputStream(s.getOutputStream(), 4 * 1024);
    }

    private Response read() throws IOException {
        String statusLine = line();
        if (statusLine.length() < 12 || !statusLine.startsWith("HTTP/1.")) {
            throw new IOException("not an HTTP response: '" + statusLine + "'");
        }
        int status = Integer.parseInt(statusLine.substring(9, 12));
        long length = -1;
        boolean chunked = false;
        boolean close = false;
        for (String header = line(); !header.isEmpty(); header = line()) {
            int colon = header.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String name = header.substring(0, colon).trim();
            String value = header.substring(colon + 1).trim();
            if (name.equalsIgnoreCase("Content-Length")) {
                length = Long.parseLong(value);
            } else if (name.equalsIgnoreCase("Transfer-Encoding")) {
                chunked = value.equalsIgnoreCase("chunked");
            } else if (name.equalsIgnoreCase("Connection")) {
                close = value.equalsIgnoreCase("close");
            }
        }
        String body;
        if (status == 204 || status == 304) {
            body = "";
        } else if (chunked) {
            body = chunkedBody();
        } else if (length >= 0) {
            body = new String(in.readNBytes((int) length), StandardCharsets.UTF_8);
        } else {
            body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            close = true;
        }
        if (close) {
            close();
        }
        return new Response(status, body);
    }

    private String chunkedBody() throws IOException {
        StringBuilder body = new StringBuilder();
        while (true) {
            String size = line();
            int semicolon = size.indexOf(';');
            int n = Integer.parseInt((semicolon < 0 ? size : size.substring(0, semicolon)).trim(), 16);
            if (n == 0) {
                while (!line().isEmpty()) {
                    // trailers: none expected, skip any
                }
                return body.toString();
            }
            body.append(new String(in.readNBytes(n), StandardCharsets.UTF_8));
            line();
        }
    }

    private String line() throws IOException {
        StringBuilder line = new StringBuilder(64);
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new IOException("connection closed by the server");
            }
            if (c != '\r') {
                line.append((char) c);
            }
        }
        return line.toString();
    }

    @Override
    public void close() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
            socket = null;
        }
    }
}
