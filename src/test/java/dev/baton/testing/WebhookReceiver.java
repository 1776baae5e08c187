package dev.baton.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Executors;

/**
 * A webhook receiver on loopback for tests: records every request by path and answers each path
 * with the statuses it was told, in order (the last repeats; 200 when told nothing). A 3xx answer
 * carries {@code Location: /moved<path>}.
 */
public final class WebhookReceiver implements AutoCloseable {

    /** One request as it arrived. */
    public record Received(String path, Map<String, List<String>> headers, String body, long atMillis) {
        public String header(String name) {
            for (Map.Entry<String, List<String>> header : headers.entrySet()) {
                if (header.getKey().equalsIgnoreCase(name)) {
                    return header.getValue().get(0);
                }
            }
            return null;
        }
    }

    private final HttpServer server;
    private final Map<String, Deque<Integer>> answers = new ConcurrentHashMap<>();
    private final Map<String, List<Received>> received = new ConcurrentHashMap<>();

    private WebhookReceiver(HttpServer server) {
        this.server = server;
    }

    /** A receiver on a free loopback port. */
    public static WebhookReceiver start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            WebhookReceiver receiver = new WebhookReceiver(server);
            server.createContext("/", receiver::handle);
            server.setExecutor(Executors.newFixedThreadPool(4, r -> {
                Thread thread = new Thread(r, "webhook-receiver");
                thread.setDaemon(true);
                return thread;
            }));
            server.start();
            return receiver;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code http://127.0.0.1:<port>} plus {@code path}. */
    public String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    /** Answers {@code path} with these statuses in order, the last repeating. */
    public void answer(String path, Integer... statuses) {
        answers.put(path, new ConcurrentLinkedDeque<>(List.of(statuses)));
    }

    /** What arrived at {@code path} so far. */
    public List<Received> received(String path) {
        return new ArrayList<>(received.getOrDefault(path, List.of()));
    }

    private void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        String body;
        try (InputStream in = exchange.getRequestBody()) {
            body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        received.computeIfAbsent(path, p -> java.util.Collections.synchronizedList(new ArrayList<>()))
                .add(new Received(path, Map.copyOf(exchange.getRequestHeaders()), body, System.currentTimeMillis()));
        Deque<Integer> told = answers.get(path);
        int status = 200;
        if (told != null && !told.isEmpty()) {
            status = told.size() > 1 ? told.poll() : told.peek();
        }
        if (status >= 300 && status < 400) {
            exchange.getResponseHeaders().add("Location", "/moved" + path);
        }
        exchange.sendResponseHeaders(status, -1);
        exchange.close();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
