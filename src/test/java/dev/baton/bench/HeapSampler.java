package dev.baton.bench;

import java.io.IOException;
import java.net.URI;

/**
 * Reads Baton's heap in use from its Prometheus endpoint ({@code jvm_memory_used_bytes} with
 * {@code area="heap"}, summed over pools) every two seconds while a window is measured.
 */
final class HeapSampler implements Runnable {

    private static final long INTERVAL_MILLIS = 2_000;

    private final URI url;
    private volatile boolean stopped;
    private volatile long max = -1;
    private volatile long last = -1;

    HeapSampler(URI url) {
        this.url = url;
    }

    @Override
    public void run() {
        try (HttpConnection http = new HttpConnection(url, 10_000)) {
            while (!stopped) {
                try {
                    HttpConnection.Response r = http.get("/q/metrics");
                    long used = r.status() == 200 ? heapUsed(r.body()) : -1;
                    if (used >= 0) {
                        last = used;
                        max = Math.max(max, used);
                    }
                } catch (IOException e) {
                    http.close();
                }
                try {
                    Thread.sleep(INTERVAL_MILLIS);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    void stop() {
        stopped = true;
    }

    String summary(long pid) {
        long rss = ProcessCpu.rssBytes(pid);
        String heap = max < 0 ? "n/a (no jvm_memory_used_bytes in /q/metrics)"
                : String.format("used max %.0f MB, last %.0f MB", max / 1e6, last / 1e6);
        return heap + (rss > 0 ? String.format("; process RSS %.0f MB", rss / 1e6) : "");
    }

    /** Sum of the heap pools' {@code jvm_memory_used_bytes}, or -1 when there are none. */
    static long heapUsed(String metrics) {
        double sum = 0;
        boolean found = false;
        for (String line : metrics.split("\n")) {
            if (line.startsWith("jvm_memory_used_bytes{") && line.contains("area=\"heap\"")) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                found = true;
            }
        }
        return found ? (long) sum : -1;
    }
}
