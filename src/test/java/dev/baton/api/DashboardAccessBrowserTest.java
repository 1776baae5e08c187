package dev.baton.api;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.microsoft.playwright.Page;
import com.microsoft.playwright.assertions.PlaywrightAssertions;
import dev.baton.testing.Chromium;
import dev.baton.testing.RedisTestResource;
import dev.baton.testing.TestClock;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import java.net.URL;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The dashboard with tokens configured, in a real browser: sign-in, the viewer's read-only page, an expired session. */
@QuarkusTest
@TestProfile(AuthApiTest.Tokens.class)
@WithTestResource(RedisTestResource.class)
class DashboardAccessBrowserTest {

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

    private Page signedIn(String token, String hash) {
        Page page = chromium.page();
        page.navigate(ui + hash);
        PlaywrightAssertions.assertThat(page.locator("#signin")).isVisible();
        page.locator("#token").fill(token);
        page.locator("#signin-form button").click();
        PlaywrightAssertions.assertThat(page.locator("#signin")).not().isVisible();
        PlaywrightAssertions.assertThat(page.locator("#live")).hasText("live");
        return page;
    }

    @Test
    void aViewerSeesTheTaskButCannotCancelIt() {
        String id = given().header("Authorization", "Bearer " + AuthApiTest.PRODUCER).contentType(ContentType.JSON)
                .body(Map.of("type", "viewed", "payload", Map.of("secret", false))).post("/v1/tasks")
                .then().statusCode(201).extract().path("id");
        Page page = signedIn(AuthApiTest.VIEWER, "#/task/" + id);
        PlaywrightAssertions.assertThat(page.locator("#who")).hasText("signed in: viewer");
        PlaywrightAssertions.assertThat(page.locator("#task-status")).hasText("PENDING");
        PlaywrightAssertions.assertThat(page.locator("#cancel")).hasCount(0);
        Object status = page.evaluate("id => fetch('/v1/tasks/' + id + '/cancel', {method: 'POST'}).then(r => r.status)", id);
        assertEquals(403, ((Number) status).intValue(), "the server refuses the viewer too");
        page.navigate(ui + "#/tasks");
        PlaywrightAssertions.assertThat(page.locator("#task-list")).containsText(id);
        PlaywrightAssertions.assertThat(page.locator("#bulk-cancel")).hasCount(0);

        Page admin = signedIn(AuthApiTest.ADMIN, "#/task/" + id);
        admin.onDialog(dialog -> dialog.accept());
        admin.locator("#cancel").click();
        PlaywrightAssertions.assertThat(admin.locator("#task-status")).hasText("CANCELLED");
    }

    @Test
    void anExpiredSessionAsksForTheTokenAgain() {
        Page page = signedIn(AuthApiTest.ADMIN, "#/overview");
        PlaywrightAssertions.assertThat(page.locator("h1")).hasText("Overview");
        TestClock.advance(Duration.ofHours(9));
        page.reload();
        PlaywrightAssertions.assertThat(page.locator("#signin")).isVisible();
        PlaywrightAssertions.assertThat(page.locator("#who")).hasText("not signed in");
    }
}
