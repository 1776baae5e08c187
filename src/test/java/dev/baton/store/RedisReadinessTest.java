package dev.baton.store;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.emptyOrNullString;

import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.baton.testing.RedisServerProcess;
import dev.baton.testing.RedisTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
@WithTestResource(RedisTestResource.class)
class RedisReadinessTest {

    private static final Duration AWAIT_AT_MOST = Duration.ofSeconds(20);

    @AfterEach
    void redisRunsAgain() {
        RedisTestResource.redis().start();
    }

    @Test
    void readyWhileRedisAnswers() {
        given().when().get("/q/health/ready")
                .then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.find { it.name == 'redis' }.status", equalTo("UP"));
    }

    @Test
    void notReadyWhileRedisIsDownAndReadyAgainOnceItReturns() {
        RedisServerProcess redis = RedisTestResource.redis();

        redis.stop();
        await().atMost(AWAIT_AT_MOST).untilAsserted(() -> given().when().get("/q/health/ready")
                .then().statusCode(503)
                .body("checks.find { it.name == 'redis' }.status", equalTo("DOWN"))
                .body("checks.find { it.name == 'redis' }.data.error", not(emptyOrNullString())));

        redis.start();
        await().atMost(AWAIT_AT_MOST).untilAsserted(() -> given().when().get("/q/health/ready")
                .then().statusCode(200)
                .body("checks.find { it.name == 'redis' }.status", equalTo("UP")));
    }
}
