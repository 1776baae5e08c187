package dev.baton.ui;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.assertions.PlaywrightAssertions;
import dev.baton.testing.Chromium;
import dev.baton.testing.RedisTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.net.URL;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The dashboard in a real browser (Baton with no tokens, on loopback): real tasks submitted and run
 * through the API, and what a person sees on the page, live, without reloading.
 */
@QuarkusTest
@QuarkusTestResource(value = RedisTestResource.class, restrictToAnnotatedClass = true)
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
        register(agent, run + "-fetch");
        Response batch = given().contentType(ContentType.JSON).body(Map.of("tasks", List.of(
                Map.of("ref", "fetch", "type", run + "-fetch"),
                Map.of("ref", "parse", "type", run + "-parse", "depends_on", List.of("fetch")),
                Map.of("ref", "enrich", "type", run + "-enrich", "depends_on", List.of("parse")))))
                .post("/v1/tasks/batch");
        batch.then().statusCode(201);
        String fetch = batch.path("tasks[0].id");
        String parse = batch.path("tasks[1].id");
        String enrich = batch.path("tasks[2].id");
        String lease = claim(agent, fetch);
        given().contentType(ContentType.JSON).body(Map.of("lease_id", lease, "result", Map.of("pages", 3)))
                .post("/v1/tasks/{id}/complete", fetch).then().statusCode(200);

        Page page = open("#/task/" + enrich);
        PlaywrightAssertions.assertThat(page.locator(".dag g.node")).hasCount(3);
        PlaywrightAssertions.assertThat(page.locator(".dag g.node[data-id='" + fetch + "']")).hasAttribute("data-status", "COMPLETED");
        PlaywrightAssertions.assertThat(page.locator(".dag g.node[data-id='" + parse + "']")).hasAttribute("data-status", "PENDING");
        PlaywrightAssertions.assertThat(page.locator(".dag g.node[data-id='" + enrich + "']")).hasAttribute("data-status", "WAITING");
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
        List<String> dialogs = new java.util.concurrent.CopyOnWriteArrayList<>();
        page.onDialog(dialog -> {
            dialogs.add(dialog.message());
            dialog.accept();
        });
        page.locator("#bulk-cancel").click();
        PlaywrightAssertions.assertThat(page.locator("#task-list tbody td.status").first()).hasText("CANCELLED");
        assertEquals(List.of("Cancel 3 matching tasks?", "3 tasks cancelled"), dialogs);
        given().get("/v1/tasks?type={t}&status=CANCELLED", type).then().body("tasks.size()", org.hamcrest.Matchers.equalTo(3));
    }
}
