package dev.baton.ui;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import java.net.URL;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The dashboard's first view with 100,000 tasks queued, in an app of its own (the tasks stay out of other tests). */
@QuarkusTest
@TestProfile(DashboardWeightBrowserTest.Loaded.class)
@QuarkusTestResource(value = RedisTestResource.class, restrictToAnnotatedClass = true)
class DashboardWeightBrowserTest {

    /** Its own app: the same settings, named apart so Quarkus does not share it with other tests. */
    public static class Loaded implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("baton.ui.session-expiry", "8h");
        }
    }

    @TestHTTPResource("/ui/")
    URL ui;

    /**
     * The first view's weight (its own assets: HTML, JS, CSS) and how long it takes to show the
     * Overview with 100,000 tasks queued: weight asserted under 300 KB, time written to
     * target/screenshots/first-view.txt (measured, not asserted: the machine may be loaded).
     */
    @Test
    void theFirstViewIsSmallWith100000TasksQueued() throws Exception {
        try (Chromium chromium = Chromium.launch()) {
            String type = "first-view-load";
            for (int batch = 0; batch < 10; batch++) {
                List<Map<String, String>> tasks = new ArrayList<>();
                for (int i = 0; i < 10_000; i++) {
                    tasks.add(Map.of("type", type));
                }
                given().contentType(ContentType.JSON).body(Map.of("tasks", tasks)).post("/v1/tasks/batch").then().statusCode(201);
            }
            Page page = chromium.page();
            page.navigate(ui + "#/overview");
            PlaywrightAssertions.assertThat(page.locator("table")).containsText(type);
            double shownMillis = ((Number) page.evaluate("performance.now()")).doubleValue();
            // what the browser fetched, by the Resource Timing API (the event stream never ends, so it is left out)
            long[] bytes = new long[2];
            for (String scope : new String[] {"/ui/", "/v1/"}) {
                bytes[scope.equals("/ui/") ? 0 : 1] = ((Number) page.evaluate("scope => [performance.getEntriesByType('navigation')[0], "
                        + "...performance.getEntriesByType('resource')].filter(e => e.name.includes(scope) && !e.name.includes('/events'))"
                        + ".reduce((sum, e) => sum + e.decodedBodySize, 0)", scope)).longValue();
            }
            String figures = String.format("first view with 100,000 tasks queued: assets %d bytes, API answers %d bytes, "
                    + "Overview shown %.0f ms after navigation started%n", bytes[0], bytes[1], shownMillis);
            Files.createDirectories(Chromium.SCREENSHOTS);
            Files.writeString(Chromium.SCREENSHOTS.resolve("first-view.txt"), figures);
            System.out.print(figures);
            assertTrue(bytes[0] > 0 && bytes[0] < 300_000, figures);
        }
    }
}
