package dev.baton.ui;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.assertions.PlaywrightAssertions;
import dev.baton.testing.Chromium;
import dev.baton.testing.RedisTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The dashboard under weight, in an app of its own (the tasks stay out of other tests): the first
 * view with 100,000 tasks queued, then the pages open while about 1,000 events a second flow.
 * Times are written to target/screenshots/ and asserted only with generous bounds (the machine
 * may be loaded).
 */
@QuarkusTest
@TestProfile(DashboardWeightBrowserTest.Loaded.class)
@QuarkusTestResource(value = RedisTestResource.class, restrictToAnnotatedClass = true)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DashboardWeightBrowserTest {

    /** Its own app: the same settings, named apart so Quarkus does not share it with other tests. */
    public static class Loaded implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("baton.ui.session-expiry", "8h");
        }
    }

    private static final String QUEUED_TYPE = "first-view-load";
    /** Counts long tasks (main thread busy over 50 ms) and the event loop's worst lag, from the page's start. */
    private static final String PROBES = """
            window.probe = { longTasks: 0, longMillis: 0, maxLagMillis: 0 };
            new PerformanceObserver(list => list.getEntries().forEach(e => { probe.longTasks++; probe.longMillis += e.duration; }))
              .observe({ type: 'longtask', buffered: true });
            let tick = performance.now();
            setInterval(() => { const now = performance.now(); probe.maxLagMillis = Math.max(probe.maxLagMillis, now - tick - 50); tick = now; }, 50);
            """;

    @TestHTTPResource("/ui/")
    URL ui;

    /**
     * The first view (HTML, JS, CSS and the API answers it reads before the Overview is drawn) and
     * how long it takes to paint with 100,000 tasks queued, twice, each in a fresh browser context
     * (nothing cached): right after the submits, while Baton still writes them to Redis, then once
     * its checkpoint has caught up. Weight asserted under 300 KB, the times only under generous
     * bounds; all written to target/screenshots/first-view.txt with where the time went.
     */
    @Test
    @Order(1)
    void theFirstViewIsSmallAndQuickWith100000TasksQueued() throws Exception {
        try (Chromium chromium = Chromium.launch()) {
            for (int batch = 0; batch < 10; batch++) {
                List<Map<String, String>> tasks = new ArrayList<>();
                for (int i = 0; i < 10_000; i++) {
                    tasks.add(Map.of("type", QUEUED_TYPE));
                }
                given().contentType(ContentType.JSON).body(Map.of("tasks", tasks)).post("/v1/tasks/batch").then().statusCode(201);
            }
            StringBuilder figures = new StringBuilder();
            double busy = firstView(chromium, "right after the submits", figures);
            long seq = lastSeq();
            Awaitility.await().atMost(Duration.ofMinutes(2)).until(() -> checkpointSeq() >= seq);
            double settled = firstView(chromium, "once they are checkpointed", figures);
            figures.append(serverTimes());
            write("first-view.txt", figures.toString());
            assertTrue(busy < 10_000 && settled < 5_000, "generous bounds (the goal is 1 s on a quiet machine): " + figures);
        }
    }

    /** One first view of the Overview in a fresh context: its figures appended to {@code figures}; the time to paint it. */
    private double firstView(Chromium chromium, String when, StringBuilder figures) {
        Page page = chromium.page();
        page.navigate(ui + "#/overview");
        PlaywrightAssertions.assertThat(page.locator("#types")).containsText(QUEUED_TYPE);
        // painted: the Overview's queued figure on screen (Element Timing), from navigation start
        double paintedMillis = ((Number) page.waitForFunction("batonUi.firstView").jsonValue()).doubleValue();
        double builtMillis = ((Number) page.evaluate("performance.getEntriesByName('baton:first-view')[0].startTime")).doubleValue();
        // what the browser fetched, by the Resource Timing API (the event stream never ends, so it is left out)
        String fetched = "([scope, before]) => [performance.getEntriesByType('navigation')[0], ...performance.getEntriesByType('resource')]"
                + ".filter(e => e.name.includes(scope) && !e.name.includes('/events') && e.startTime < before)"
                + ".reduce((sum, e) => sum + e.decodedBodySize, 0)";
        long assets = ((Number) page.evaluate(fetched, List.of("/ui/", builtMillis))).longValue();
        long firstAnswers = ((Number) page.evaluate(fetched, List.of("/v1/", builtMillis))).longValue();
        PlaywrightAssertions.assertThat(page.locator("#types tbody tr[data-type='" + QUEUED_TYPE + "'] td").nth(6))
                .not().hasText("…"); // the deferred figures came too
        long allAnswers = ((Number) page.evaluate(fetched, List.of("/v1/", Double.MAX_VALUE))).longValue();
        String these = String.format("first view with 100,000 tasks queued, %s: assets %d bytes, API answers %d bytes before the "
                + "Overview was drawn (%d bytes with the deferred per-type figures); Overview built %.0f ms and painted %.0f ms "
                + "after navigation started%n", when, assets, firstAnswers, allAnswers, builtMillis, paintedMillis);
        figures.append(these).append(page.evaluate(TIMELINE));
        Chromium.screenshot(page, "overview-100k");
        assertTrue(assets > 0 && assets + firstAnswers < 300_000, these);
        page.context().close();
        return paintedMillis;
    }

    /** The last seq the store's checkpoint covers, from the readiness check's details. */
    private static long checkpointSeq() {
        Number seq = given().get("/q/health/ready").then().extract().path("checks.find { it.data?.checkpoint_seq != null }.data.checkpoint_seq");
        return seq == null ? -1 : seq.longValue();
    }

    /**
     * About 1,000 events a second for several seconds (batch submits, claims and completions over
     * HTTP) while the Tasks page and the Overview are open: the pages draw at most four frames a
     * second, their DOM stays bounded, and a click on a filter still answers. The figures go to
     * target/screenshots/events-load.txt; only generous bounds are asserted.
     */
    @Test
    @Order(2)
    void thePagesStayResponsiveAt1000EventsPerSecond() throws Exception {
        try (Chromium chromium = Chromium.launch(); Flood flood = new Flood(URI.create(ui.toString()).resolve("/"))) {
            given().contentType(ContentType.JSON).body(Map.of("capabilities", List.of(Flood.TYPE), "max_concurrency", 1000))
                    .put("/v1/agents/{id}", Flood.AGENT).then().statusCode(200);
            Page tasks = open(chromium, "#/tasks?type=" + Flood.TYPE);
            Page overview = open(chromium, "#/overview");
            String before = "({ frames: batonUi.frames, events: batonUi.events, at: performance.now() })";
            Map<?, ?> tasksBefore = (Map<?, ?>) tasks.evaluate(before);
            Map<?, ?> overviewBefore = (Map<?, ?>) overview.evaluate(before);
            long seqBefore = lastSeq();
            long started = System.nanoTime();

            flood.start();
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> flood.elapsedMillis() >= Flood.MILLIS / 2);
            // a click on a filter mid-flood, timed in the page: from the click to the filtered list drawn
            double clickMillis = ((Number) tasks.evaluate("""
                    async () => {
                      const start = performance.now();
                      document.querySelector('#filters select[name=priority]').value = 'MEDIUM';
                      document.querySelector('#filters button.primary').click();
                      await new Promise(drawn => { const check = () => document.querySelector(
                        '#task-list[data-query*="priority=MEDIUM"] tbody tr') ? drawn() : setTimeout(check, 5); check(); });
                      return performance.now() - start;
                    }""")).doubleValue();
            Awaitility.await().atMost(Duration.ofSeconds(120)).until(flood::done);
            flood.close();
            double seconds = (System.nanoTime() - started) / 1e9;
            long events = lastSeq() - seqBefore;
            assertTrue(flood.failure.get() == null, () -> "the flood failed: " + flood.failure.get());

            String after = "([b]) => ({ frames: batonUi.frames - b.frames, events: batonUi.events - b.events, dropped: batonUi.dropped,"
                    + " seconds: (performance.now() - b.at) / 1000, longTasks: probe.longTasks, longMillis: probe.longMillis,"
                    + " maxLagMillis: probe.maxLagMillis, elements: document.getElementsByTagName('*').length,"
                    + " rows: document.querySelectorAll('tbody tr').length })";
            Map<?, ?> t = (Map<?, ?>) tasks.evaluate(after, List.of(tasksBefore));
            Map<?, ?> o = (Map<?, ?>) overview.evaluate(after, List.of(overviewBefore));
            String figures = String.format("%d events in %.1f s through Baton (%.0f events/s)%n"
                    + "Tasks page:    %s%nOverview page: %s%nclick on a filter to the filtered list drawn, mid-flood: %.0f ms%n",
                    events, seconds, events / seconds, t, o, clickMillis);
            write("events-load.txt", figures);
            Chromium.screenshot(tasks, "tasks-under-load");

            for (Map<?, ?> page : List.of(t, o)) {
                double perSecond = ((Number) page.get("frames")).doubleValue() / ((Number) page.get("seconds")).doubleValue();
                assertTrue(perSecond <= 4.5, "at most four frames a second: " + figures);
                assertTrue(((Number) page.get("events")).longValue() > events / 2, "the page heard the events: " + figures);
                assertTrue(((Number) page.get("elements")).intValue() < 3_000, "the DOM stays bounded: " + figures);
                assertTrue(((Number) page.get("longMillis")).doubleValue() < ((Number) page.get("seconds")).doubleValue() * 1000 / 2,
                        "the main thread stays mostly free (generous): " + figures);
            }
            assertTrue(clickMillis < 5_000, "a generous bound: " + figures);
        }
    }

    /** Where the first view's time went: navigation, paints, each request (ms since navigation start). */
    private static final String TIMELINE = """
            () => {
              const r = v => Math.round(v);
              const nav = performance.getEntriesByType('navigation')[0];
              let out = `navigation: request ${r(nav.requestStart)}, first byte ${r(nav.responseStart)}, html ${r(nav.responseEnd)},`
                + ` dom interactive ${r(nav.domInteractive)}, DOMContentLoaded ${r(nav.domContentLoadedEventEnd)} (${nav.nextHopProtocol})\n`;
              for (const p of performance.getEntriesByType('paint')) out += `${p.name} ${r(p.startTime)}\n`;
              for (const m of performance.getEntriesByType('mark')) out += `mark ${m.name} ${r(m.startTime)}\n`;
              for (const e of performance.getEntriesByType('resource')) {
                out += `${e.name.replace(location.origin, '').slice(0, 60)}: start ${r(e.startTime)}, request ${r(e.requestStart)},`
                  + ` first byte ${r(e.responseStart)}, end ${r(e.responseEnd)}, ${e.transferSize}/${e.encodedBodySize}/${e.decodedBodySize} B\n`;
              }
              return out;
            }""";

    /** The server's time for each of the first view's reads, after the page: the least and the median of 9 (ms). */
    private static String serverTimes() {
        StringBuilder out = new StringBuilder("server time per read, least / median of 9:");
        String dayAgo = java.time.Instant.now().minus(Duration.ofHours(24)).toString();
        for (String path : List.of("/v1/stats", "/v1/analytics?step=1m", "/v1/analytics?step=15m&from=" + dayAgo, "/ui/session")) {
            long[] millis = new long[9];
            for (int i = 0; i < millis.length; i++) {
                long start = System.nanoTime();
                given().get(path).then().statusCode(200);
                millis[i] = (System.nanoTime() - start) / 1_000_000;
            }
            java.util.Arrays.sort(millis);
            out.append(String.format(" %s %d / %d;", path.replaceAll("&from=.*", ""), millis[0], millis[4]));
        }
        return out.append('\n').toString();
    }

    private Page open(Chromium chromium, String hash) {
        Page page = chromium.page();
        page.addInitScript(PROBES);
        page.navigate(ui + hash);
        PlaywrightAssertions.assertThat(page.locator("#live")).hasText("live");
        PlaywrightAssertions.assertThat(page.locator("main table").first()).isVisible();
        return page;
    }

    private static long lastSeq() {
        return given().get("/v1/stats").then().statusCode(200).extract().<Number>path("last_seq").longValue();
    }

    private static void write(String name, String figures) throws Exception {
        Files.createDirectories(Chromium.SCREENSHOTS);
        Files.writeString(Chromium.SCREENSHOTS.resolve(name), figures);
        System.out.print(figures);
    }

    /**
     * About 1,000 events a second over HTTP for {@link #MILLIS}: every 100 ms a claim of up to 15
     * tasks (15 assigned events) and their completions (15 completed), and a batch submit of as
     * many tasks as it takes to catch up with 1,000 events a second since the start, at most 2,000
     * (a loaded machine gets larger bursts, and takes longer than {@link #MILLIS} for them all).
     */
    private static final class Flood implements AutoCloseable {
        static final String TYPE = "flood";
        static final String AGENT = "flooder";
        static final long MILLIS = 8_000;
        private static final int PER_SECOND = 1_000;

        final AtomicReference<Throwable> failure = new AtomicReference<>();
        private final AtomicLong emitted = new AtomicLong();
        private volatile long startNanos;
        private volatile boolean done;
        private final URI base;
        private final HttpClient http = HttpClient.newHttpClient();
        private final ObjectMapper json = new ObjectMapper();
        private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

        Flood(URI base) {
            this.base = base;
        }

        void start() {
            startNanos = System.nanoTime();
            timer.scheduleAtFixedRate(() -> {
                if (done || failure.get() != null) {
                    return;
                }
                try {
                    tick();
                    done = elapsedMillis() >= MILLIS && emitted.get() >= MILLIS * PER_SECOND / 1000 || elapsedMillis() >= 4 * MILLIS;
                } catch (Exception | AssertionError e) {
                    failure.set(e);
                }
            }, 0, 100, TimeUnit.MILLISECONDS);
        }

        long elapsedMillis() {
            return (System.nanoTime() - startNanos) / 1_000_000;
        }

        boolean done() {
            return done || failure.get() != null;
        }

        private void tick() throws Exception {
            HttpResponse<String> claim = post("/v1/agents/" + AGENT + "/claim?wait_ms=0&max=15", null);
            if (claim.statusCode() == 200) {
                List<CompletableFuture<HttpResponse<String>>> completions = new ArrayList<>();
                for (JsonNode task : json.readTree(claim.body()).get("tasks")) {
                    completions.add(http.sendAsync(request("/v1/tasks/" + task.get("id").asText() + "/complete",
                            "{\"lease_id\":\"" + task.get("lease_id").asText() + "\"}"), HttpResponse.BodyHandlers.ofString()));
                }
                for (CompletableFuture<HttpResponse<String>> completion : completions) {
                    check(completion.get());
                    emitted.addAndGet(2); // assigned, completed
                }
            }
            long behind = Math.min(2_000, Math.min(MILLIS, elapsedMillis() + 100) * PER_SECOND / 1000 - emitted.get());
            if (behind > 0) {
                StringBuilder batch = new StringBuilder("{\"tasks\":[");
                for (int i = 0; i < behind; i++) {
                    batch.append(i == 0 ? "" : ",").append("{\"type\":\"" + TYPE + "\"}");
                }
                post("/v1/tasks/batch", batch.append("]}").toString());
                emitted.addAndGet(behind);
            }
        }

        private HttpResponse<String> post(String path, String body) throws Exception {
            return check(http.send(request(path, body), HttpResponse.BodyHandlers.ofString()));
        }

        private HttpRequest request(String path, String body) {
            HttpRequest.Builder r = HttpRequest.newBuilder(base.resolve(path));
            return body == null ? r.POST(HttpRequest.BodyPublishers.noBody()).build()
                    : r.header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
        }

        private static HttpResponse<String> check(HttpResponse<String> r) {
            if (r.statusCode() >= 300 && r.statusCode() != 204) {
                throw new AssertionError(r.request().uri() + " answered " + r.statusCode() + ": " + r.body());
            }
            return r;
        }

        @Override
        public void close() {
            timer.shutdownNow();
        }
    }
}
