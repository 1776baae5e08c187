package dev.baton.ui;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.assertions.PlaywrightAssertions;
import dev.baton.testing.Chromium;
import dev.baton.testing.RedisTestResource;
import dev.baton.testing.TestClock;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.net.URL;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.hamcrest.Matchers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The dashboard in a real browser (Baton with no tokens, on loopback): real tasks submitted and run
 * through the API, and what a person sees on the page, live, without reloading.
 */
@QuarkusTest
@WithTestResource(RedisTestResource.class)
class DashboardBrowserTest {

    private static Chromium chromium;

    @TestHTTPResource("/ui/")
    URL ui;

    @BeforeAll
    static void launch() {
        chromium = Chromium.launch();
    }

    @AfterAll
    static void close() {
        if (chromium != null) {
            chromium.close();
        }
    }

    private static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static String submit(Map<String, ?> body) {
        return given().contentType(ContentType.JSON).body(body).post("/v1/tasks").then().statusCode(201).extract().path("id");
    }

    private static void register(String agent, String type) {
        given().contentType(ContentType.JSON).body(Map.of("capabilities", List.of(type), "max_concurrency", 2))
                .put("/v1/agents/{id}", agent).then().statusCode(200);
    }

    /** Claims one task; its lease id. */
    private static String claim(String agent, String taskId) {
        Response r = given().post("/v1/agents/{id}/claim?wait_ms=0", agent);
        r.then().statusCode(200);
        assertEquals(taskId, r.path("tasks[0].id"));
        return r.path("tasks[0].lease_id");
    }

    /** Claims up to {@code max} tasks; each one's id and lease id. */
    private static List<Map<String, String>> claimAll(String agent, int max) {
        Response r = given().post("/v1/agents/{id}/claim?wait_ms=0&max={max}", agent, max);
        r.then().statusCode(200);
        return r.path("tasks.collect { [id: it.id, lease_id: it.lease_id] }");
    }

    /** A dead letter of {@code type}: claimed by {@code agent} and failed for good. */
    private static String deadLetter(String agent, String type, String error) {
        String id = submit(Map.of("type", type, "max_retries", 0));
        String lease = claim(agent, id);
        given().contentType(ContentType.JSON).body(Map.of("lease_id", lease, "error", error, "retryable", false))
                .post("/v1/tasks/{id}/fail", id).then().statusCode(200);
        return id;
    }

    /**
     * fetch ← parse ← enrich and fetch ← report (fetch without retries), of types named after
     * {@code run}, {@code agent} able to run fetch; their ids.
     */
    private static Pipeline pipeline(String run, String agent) {
        register(agent, run + "-fetch");
        Response batch = given().contentType(ContentType.JSON).body(Map.of("tasks", List.of(
                Map.of("ref", "fetch", "type", run + "-fetch", "max_retries", 0),
                Map.of("ref", "parse", "type", run + "-parse", "depends_on", List.of("fetch")),
                Map.of("ref", "report", "type", run + "-report", "depends_on", List.of("fetch")),
                Map.of("ref", "enrich", "type", run + "-enrich", "depends_on", List.of("parse")))))
                .post("/v1/tasks/batch");
        batch.then().statusCode(201);
        return new Pipeline(batch.path("tasks[0].id"), batch.path("tasks[1].id"), batch.path("tasks[3].id"));
    }

    private record Pipeline(String fetch, String parse, String enrich) {
    }

    private static void heartbeat(String taskId, String lease, int progress, String message) {
        given().contentType(ContentType.JSON).body(Map.of("lease_id", lease, "progress", progress, "message", message))
                .post("/v1/tasks/{id}/heartbeat", taskId).then().statusCode(200);
    }

    private Page open(String hash) {
        Page page = chromium.page();
        page.navigate(ui + hash);
        PlaywrightAssertions.assertThat(page.locator("#live")).hasText("live");
        return page;
    }

    @Test
    void theProgressBarMovesWithoutAReload() {
        String type = unique("render");
        String agent = unique("painter");
        register(agent, type);
        String id = submit(Map.of("type", type, "payload", Map.of("frames", 120)));
        String lease = claim(agent, id);
        Page page = open("#/task/" + id);
        page.evaluate("window.sameDocument = true");
        heartbeat(id, lease, 30, "frame 36");
        PlaywrightAssertions.assertThat(page.locator("#progress > div")).hasAttribute("style", Pattern.compile("width: ?30%"));
        PlaywrightAssertions.assertThat(page.locator("#progress-text")).containsText("frame 36");
        heartbeat(id, lease, 70, "frame 84");
        PlaywrightAssertions.assertThat(page.locator("#progress > div")).hasAttribute("style", Pattern.compile("width: ?70%"));
        PlaywrightAssertions.assertThat(page.locator("#timeline li", new Page.LocatorOptions().setHasText("task.progress"))).hasCount(2);
        assertEquals(true, page.evaluate("window.sameDocument"), "the page was not reloaded");
        Chromium.screenshot(page, "task");

        Page agents = open("#/agents");
        PlaywrightAssertions.assertThat(agents.locator("tr[data-agent='" + agent + "'] .bar > div")).hasAttribute("style", Pattern.compile("width: ?70%"));
        PlaywrightAssertions.assertThat(agents.locator("tr[data-agent='" + agent + "'] .score")).hasText("not recorded");
        Chromium.screenshot(agents, "agents");
        given().contentType(ContentType.JSON).body(Map.of("lease_id", lease, "result", Map.of("frames", 120)))
                .post("/v1/tasks/{id}/complete", id).then().statusCode(200);
        PlaywrightAssertions.assertThat(page.locator("#task-status")).hasText("COMPLETED");
        PlaywrightAssertions.assertThat(page.locator("#result")).containsText("120");
    }

    @Test
    void aDeadLetterRetriedFromThePageThenCompletes() {
        String type = unique("fragile");
        String agent = unique("worker");
        register(agent, type);
        String id = submit(Map.of("type", type, "max_retries", 0));
        String lease = claim(agent, id);
        given().contentType(ContentType.JSON).body(Map.of("lease_id", lease, "error", "disk full", "retryable", false))
                .post("/v1/tasks/{id}/fail", id).then().statusCode(200);

        Page page = open("#/task/" + id);
        PlaywrightAssertions.assertThat(page.locator("#task-status")).hasText("FAILED");
        PlaywrightAssertions.assertThat(page.locator("dd.error")).hasText("disk full");
        page.locator("#retry").click();
        PlaywrightAssertions.assertThat(page.locator("#task-status")).hasText("PENDING");
        String again = claim(agent, id);
        given().contentType(ContentType.JSON).body(Map.of("lease_id", again, "result", Map.of("ok", true)))
                .post("/v1/tasks/{id}/complete", id).then().statusCode(200);
        PlaywrightAssertions.assertThat(page.locator("#task-status")).hasText("COMPLETED");
    }

    @Test
    void aFilterNarrowsTheList() {
        String wanted = unique("keep");
        String other = unique("drop");
        for (int i = 0; i < 3; i++) {
            submit(Map.of("type", wanted, "priority", i == 0 ? "HIGH" : "LOW"));
            submit(Map.of("type", other));
        }
        Page page = open("#/tasks");
        Locator rows = page.locator("#task-list tbody tr[data-id]");
        PlaywrightAssertions.assertThat(rows).not().hasCount(0);
        assertTrue(rows.count() > 3, "the unfiltered page shows every type");
        page.locator("input[name=type]").fill(wanted);
        page.locator("#filters button.primary").click();
        PlaywrightAssertions.assertThat(rows).hasCount(3);
        PlaywrightAssertions.assertThat(page.locator("#task-list tbody", new Page.LocatorOptions().setHasText(other))).hasCount(0);
        page.locator("select[name=priority]").selectOption("HIGH");
        page.locator("#filters button.primary").click();
        PlaywrightAssertions.assertThat(rows).hasCount(1);
        Chromium.screenshot(page, "tasks");
    }

    @Test
    void theDependencyGraphShowsEachTasksStatus() {
        String run = unique("pipe");
        String agent = unique("runner");
        Pipeline ids = pipeline(run, agent);
        String fetch = ids.fetch();
        String lease = claim(agent, fetch);
        given().contentType(ContentType.JSON).body(Map.of("lease_id", lease, "result", Map.of("pages", 3)))
                .post("/v1/tasks/{id}/complete", fetch).then().statusCode(200);

        Page page = open("#/task/" + ids.enrich());
        PlaywrightAssertions.assertThat(page.locator(".dag g.node")).hasCount(3);
        PlaywrightAssertions.assertThat(page.locator(".dag g.node[data-id='" + fetch + "']")).hasAttribute("data-status", "COMPLETED");
        PlaywrightAssertions.assertThat(page.locator(".dag g.node[data-id='" + ids.parse() + "']")).hasAttribute("data-status", "PENDING");
        PlaywrightAssertions.assertThat(page.locator(".dag g.node[data-id='" + ids.enrich() + "']")).hasAttribute("data-status", "WAITING");
        assertTrue(page.locator(".dag line").count() == 2, "an arrow per dependency");
        Chromium.screenshot(page, "task-dag");

        Page overview = open("#/overview");
        PlaywrightAssertions.assertThat(overview.locator("table")).containsText(run + "-parse");
        PlaywrightAssertions.assertThat(overview.locator(".chart svg")).hasCount(8);
        Chromium.screenshot(overview, "overview");
    }

    @Test
    void bulkCancelShowsTheCountBeforeConfirming() {
        String type = unique("bulk");
        for (int i = 0; i < 3; i++) {
            submit(Map.of("type", type));
        }
        Page page = open("#/tasks?type=" + type);
        PlaywrightAssertions.assertThat(page.locator("#task-list tbody tr[data-id]")).hasCount(3);
        List<String> dialogs = new CopyOnWriteArrayList<>();
        page.onDialog(dialog -> {
            dialogs.add(dialog.message());
            dialog.accept();
        });
        page.locator("#bulk-cancel").click();
        PlaywrightAssertions.assertThat(page.locator("#task-list tbody td.status").first()).hasText("CANCELLED");
        assertEquals(List.of("Cancel 3 matching tasks?", "3 tasks cancelled"), dialogs);
        given().get("/v1/tasks?type={t}&status=CANCELLED", type).then().body("tasks.size()", Matchers.equalTo(3));
    }

    @Test
    void bulkRetryOfDeadLettersShowsTheServersCountThenTheyComplete() {
        String type = unique("flaky");
        String other = unique("flaky-other");
        String agent = unique("retrier");
        given().contentType(ContentType.JSON).body(Map.of("capabilities", List.of(type, other), "max_concurrency", 5))
                .put("/v1/agents/{id}", agent).then().statusCode(200);
        for (int i = 0; i < 3; i++) {
            deadLetter(agent, type, "timeout " + i);
        }
        String untouched = deadLetter(agent, other, "not in the filter");
        submit(Map.of("type", type, "priority", "LOW")); // queued, not a dead letter: not counted

        Page page = open("#/tasks?status=FAILED&type=" + type);
        PlaywrightAssertions.assertThat(page.locator("#task-list tbody tr[data-id]")).hasCount(3);
        List<String> dialogs = new CopyOnWriteArrayList<>();
        page.onDialog(dialog -> {
            dialogs.add(dialog.message());
            dialog.accept();
        });
        List<String> posts = new CopyOnWriteArrayList<>();
        page.onRequest(request -> {
            if (request.method().equals("POST")) {
                posts.add(request.url().replaceFirst("^https?://[^/]+", "") + " " + request.postData());
            }
        });
        page.locator("#bulk-retry").click();
        PlaywrightAssertions.assertThat(page.locator("#task-list tbody tr[data-id]")).hasCount(0);
        assertEquals(List.of("Retry 3 matching tasks?", "3 tasks retried"), dialogs);
        assertEquals(2, posts.size(), "a dry run for the count, then one call: " + posts);
        assertTrue(posts.get(0).startsWith("/v1/tasks/bulk ") && posts.get(0).contains("\"dry_run\":true"), posts.get(0));
        assertTrue(posts.get(1).startsWith("/v1/tasks/bulk ") && posts.get(1).contains("\"dry_run\":false"), posts.get(1));

        List<Map<String, String>> claimed = claimAll(agent, 5);
        assertEquals(4, claimed.size(), "the three retried and the queued one");
        for (Map<String, String> task : claimed) {
            given().contentType(ContentType.JSON).body(Map.of("lease_id", task.get("lease_id")))
                    .post("/v1/tasks/{id}/complete", task.get("id")).then().statusCode(200);
        }
        page.evaluate("location.hash = '#/tasks?type=" + type + "'");
        PlaywrightAssertions.assertThat(page.locator("#task-list tbody td.status", new Page.LocatorOptions().setHasText("COMPLETED")))
                .hasCount(4);
        given().get("/v1/tasks/{id}", untouched).then().body("status", Matchers.equalTo("FAILED"));
    }

    @Test
    void priorityAndCreationTimeAreFilteredByTheServer() {
        String type = unique("crowd");
        List<Map<String, String>> low = new ArrayList<>();
        for (int i = 0; i < 120; i++) {
            low.add(Map.of("type", type, "priority", "LOW"));
        }
        given().contentType(ContentType.JSON).body(Map.of("tasks", low)).post("/v1/tasks/batch").then().statusCode(201);
        // strictly between the LOW tasks and the HIGH one, whether the server's bounds are inclusive or not
        Instant between = TestClock.INSTANCE.instant().plusMillis(1);
        Awaitility.await().until(() -> TestClock.INSTANCE.instant().isAfter(between));
        String high = submit(Map.of("type", type, "priority", "HIGH"));
        Assumptions.assumeTrue(given().get("/v1/tasks?type={t}&priority=HIGH", type).<List<?>>path("tasks").size() == 1,
                "GET /v1/tasks does not filter by priority yet (the dash-server branch adds it)");
        Assumptions.assumeTrue(given().get("/v1/tasks?type={t}&created_after={at}", type, between.toString()).<List<?>>path("tasks").size() == 1,
                "GET /v1/tasks does not filter by created_after yet (the dash-server branch adds it)");

        // the HIGH task is past the first 100 in id order: only a server-side filter puts it on the first page
        Page page = open("#/tasks?type=" + type);
        PlaywrightAssertions.assertThat(page.locator("#task-list tbody tr[data-id]")).hasCount(100);
        page.locator("select[name=priority]").selectOption("HIGH");
        page.locator("#filters button.primary").click();
        PlaywrightAssertions.assertThat(page.locator("#task-list tbody tr[data-id]")).hasCount(1);
        PlaywrightAssertions.assertThat(page.locator("#task-list tbody tr[data-id='" + high + "']")).hasCount(1);

        page.evaluate("location.hash = '#/tasks?type=" + type + "&created_after=" + between + "'");
        PlaywrightAssertions.assertThat(page.locator("#task-list")).hasAttribute("data-query", Pattern.compile("created_after="));
        PlaywrightAssertions.assertThat(page.locator("#task-list tbody tr[data-id]")).hasCount(1);
        page.evaluate("location.hash = '#/tasks?type=" + type + "&created_before=" + between + "'");
        PlaywrightAssertions.assertThat(page.locator("#task-list")).hasAttribute("data-query", Pattern.compile("created_before="));
        PlaywrightAssertions.assertThat(page.locator("#task-list tbody tr[data-id]")).hasCount(100);
        PlaywrightAssertions.assertThat(page.locator("#next")).hasCount(1);
    }

    @Test
    void theTaskPageShowsEachAttemptsAgentAndError() {
        String type = unique("attempted");
        String first = unique("first");
        String second = unique("second");
        register(first, type);
        register(second, type);
        String id = submit(Map.of("type", type, "max_retries", 0));
        String lease = claim(first, id);
        given().contentType(ContentType.JSON).body(Map.of("lease_id", lease, "error", "out of memory", "retryable", false))
                .post("/v1/tasks/{id}/fail", id).then().statusCode(200);
        Assumptions.assumeTrue(given().get("/v1/tasks/{id}", id).path("attempts") != null,
                "the task view has no attempts yet (the dash-server branch adds them)");
        given().post("/v1/tasks/{id}/retry", id).then().statusCode(200);
        String again = claim(second, id);
        given().contentType(ContentType.JSON).body(Map.of("lease_id", again, "result", Map.of("ok", true)))
                .post("/v1/tasks/{id}/complete", id).then().statusCode(200);

        Page page = open("#/task/" + id);
        Locator attempts = page.locator("#attempts tbody tr");
        PlaywrightAssertions.assertThat(attempts).hasCount(2);
        PlaywrightAssertions.assertThat(attempts.filter(new Locator.FilterOptions().setHasText(first))).containsText("out of memory");
        PlaywrightAssertions.assertThat(attempts.filter(new Locator.FilterOptions().setHasText(first))).containsText("failed");
        PlaywrightAssertions.assertThat(attempts.filter(new Locator.FilterOptions().setHasText(second))).containsText("completed");
        Chromium.screenshot(page, "task-attempts");
    }

    @Test
    void theGraphDrawsDependentsAndWhyTheyWereCancelled() {
        String run = unique("tree");
        String agent = unique("rooter");
        Pipeline ids = pipeline(run, agent);
        String fetch = ids.fetch();
        Assumptions.assumeTrue(given().get("/v1/tasks/{id}", fetch).path("dependents") != null,
                "the task view has no dependents yet (the dash-server branch adds them)");
        String lease = claim(agent, fetch);
        given().contentType(ContentType.JSON).body(Map.of("lease_id", lease, "error", "host unreachable", "retryable", false))
                .post("/v1/tasks/{id}/fail", fetch).then().statusCode(200);

        Page page = open("#/task/" + fetch);
        PlaywrightAssertions.assertThat(page.locator(".dag g.node")).hasCount(4);
        PlaywrightAssertions.assertThat(page.locator(".dag g.node[data-id='" + fetch + "']")).hasAttribute("data-status", "FAILED");
        PlaywrightAssertions.assertThat(page.locator(".dag g.node[data-id='" + ids.parse() + "']")).hasAttribute("data-status", "CANCELLED");
        PlaywrightAssertions.assertThat(page.locator(".dag g.node[data-id='" + ids.enrich() + "']")).hasAttribute("data-status", "CANCELLED");
        assertEquals(3, page.locator(".dag line").count(), "an arrow per dependency");
        PlaywrightAssertions.assertThat(page.locator(".dag .reasons li")).hasCount(3);
        PlaywrightAssertions.assertThat(page.locator(".dag .reasons li[data-id='" + ids.parse() + "']")).containsText(fetch);
        Chromium.screenshot(page, "task-dependents");
    }

    @Test
    void theTimelineStartsFromTheTasksHistoryThenGoesOnLive() {
        String type = unique("storied");
        String agent = unique("teller");
        register(agent, type);
        String probe = submit(Map.of("type", type));
        String probeLease = claim(agent, probe);
        given().contentType(ContentType.JSON).body(Map.of("lease_id", probeLease)).post("/v1/tasks/{id}/complete", probe).then().statusCode(200);
        Response history = given().accept(ContentType.JSON).get("/v1/tasks/{id}/events", probe); // ended: a stream would close
        Assumptions.assumeTrue(history.contentType().startsWith("application/json") && history.path("events") != null,
                "GET /v1/tasks/{id}/events answers no JSON history yet (the dash-server branch adds it)");

        String id = submit(Map.of("type", type));
        String lease = claim(agent, id);
        heartbeat(id, lease, 40, "before the page opened");
        Page page = open("#/task/" + id);
        Locator items = page.locator("#timeline li");
        PlaywrightAssertions.assertThat(items.filter(new Locator.FilterOptions().setHasText("task.submitted"))).hasCount(1);
        PlaywrightAssertions.assertThat(items.filter(new Locator.FilterOptions().setHasText("task.assigned"))).hasCount(1);
        PlaywrightAssertions.assertThat(items.filter(new Locator.FilterOptions().setHasText("before the page opened"))).hasCount(1);
        heartbeat(id, lease, 80, "after it opened");
        PlaywrightAssertions.assertThat(items.filter(new Locator.FilterOptions().setHasText("after it opened"))).hasCount(1);
        PlaywrightAssertions.assertThat(items.filter(new Locator.FilterOptions().setHasText("task.progress"))).hasCount(2);
        assertEquals("task.submitted", items.first().locator("b").textContent(), "history first, in seq order");
    }
}
