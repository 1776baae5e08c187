package dev.baton.api;

import static dev.baton.api.Api.unique;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.testing.RedisTestResource;
import dev.baton.testing.TestClock;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The dashboard's sign-in with tokens configured: a session cookie in place of the bearer header, by role, until it expires. */
@QuarkusTest
@TestProfile(AuthApiTest.Tokens.class)
@WithTestResource(RedisTestResource.class)
class UiSessionTest {

    private static String signIn(String token) {
        String setCookie = given().contentType(ContentType.JSON).body(Map.of("token", token)).post("/ui/session")
                .then().statusCode(200).body("auth", equalTo(true)).extract().header("Set-Cookie");
        assertTrue(setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Strict"), setCookie);
        return setCookie.substring(setCookie.indexOf('=') + 1, setCookie.indexOf(';'));
    }

    @Test
    void thePageLoadsAndAsksWhoIsSignedIn() {
        given().redirects().follow(false).get("/ui").then().statusCode(302).header("Location", "/ui/");
        given().get("/ui/").then().statusCode(200).header("Content-Encoding", "gzip").header("Cache-Control", "no-cache")
                .body(containsString("<title>Baton</title>"), containsString("const counters = globalThis.batonUi"), // app.js, inlined
                        not(containsString("src=\"/ui/app.js\"")));
        given().get("/ui/app.js").then().statusCode(200);
        given().get("/ui/session").then().statusCode(200).body("auth", equalTo(true), "role", nullValue());
        given().get("/v1/stats").then().statusCode(401);
    }

    @Test
    void aSessionStandsForItsTokenAndAViewerChangesNothing() {
        String admin = signIn(AuthApiTest.ADMIN);
        given().cookie(UiSessions.COOKIE, admin).get("/ui/session").then().body("role", equalTo("admin"));
        String id = given().cookie(UiSessions.COOKIE, admin).contentType(ContentType.JSON)
                .body(Map.of("type", unique("ui"))).post("/v1/tasks").then().statusCode(201).extract().path("id");

        String viewer = signIn(AuthApiTest.VIEWER);
        given().cookie(UiSessions.COOKIE, viewer).get("/ui/session").then().body("role", equalTo("viewer"));
        given().cookie(UiSessions.COOKIE, viewer).get("/v1/tasks/{id}", id).then().statusCode(200);
        given().cookie(UiSessions.COOKIE, viewer).post("/v1/tasks/{id}/cancel", id).then().statusCode(403)
                .body("message", containsString("viewer"));
        given().cookie(UiSessions.COOKIE, admin).post("/v1/tasks/{id}/cancel", id).then().statusCode(200);

        given().contentType(ContentType.JSON).body(Map.of("token", "wrong")).post("/ui/session").then().statusCode(401);
        given().contentType(ContentType.JSON).body(Map.of()).post("/ui/session").then().statusCode(400)
                .body("message", containsString("token"));
        given().cookie(UiSessions.COOKIE, "made-up").get("/v1/stats").then().statusCode(401)
                .body("message", containsString("session"));
    }

    @Test
    void aSessionExpiresAndSigningOutEndsIt() {
        String session = signIn(AuthApiTest.PRODUCER);
        given().cookie(UiSessions.COOKIE, session).get("/v1/stats").then().statusCode(200);
        given().cookie(UiSessions.COOKIE, session).delete("/ui/session").then().statusCode(200);
        given().cookie(UiSessions.COOKIE, session).get("/v1/stats").then().statusCode(401);

        String other = signIn(AuthApiTest.PRODUCER);
        TestClock.advance(Duration.ofHours(8).plusSeconds(1));
        given().cookie(UiSessions.COOKIE, other).get("/v1/stats").then().statusCode(401)
                .body("message", containsString("expired"));
        given().cookie(UiSessions.COOKIE, other).get("/ui/session").then().body("role", nullValue());
    }
}
