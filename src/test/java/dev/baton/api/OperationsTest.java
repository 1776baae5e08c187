package dev.baton.api;

import static dev.baton.api.Api.claimOne;
import static dev.baton.api.Api.complete;
import static dev.baton.api.Api.registerAgent;
import static dev.baton.api.Api.submit;
import static dev.baton.api.Api.unique;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.baton.testing.RedisTestResource;
import io.quarkus.test.common.WithTestResource;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollEventLoop;
import io.netty.util.concurrent.EventExecutor;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;
import io.vertx.core.impl.VertxInternal;
import jakarta.inject.Inject;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The operator's endpoints: stats, health, metrics, OpenAPI. */
@QuarkusTest
@WithTestResource(RedisTestResource.class)
class OperationsTest {

    @Inject
    Vertx vertx;

    /** Baton's default (config/EventLoopsDefault): half the processors, at least one; Vert.x alone would run twice as many. */
    @Test
    void theEventLoopsAreHalfTheProcessorsAtLeastOne() {
        int loops = 0;
        for (EventExecutor ignored : ((VertxInternal) vertx).getEventLoopGroup()) {
            loops++;
        }
        assertEquals(Math.max(1, Runtime.getRuntime().availableProcessors() / 2), loops);
    }

    /** Baton's default (application.properties): Netty's epoll transport, whose library the build carries for Linux on x86-64. */
    @Test
    void onLinuxX8664TheServerRunsOnEpoll() {
        assumeTrue(
                System.getProperty("os.name").equals("Linux") && System.getProperty("os.arch").equals("amd64"),
                "the epoll library is shipped for Linux on x86-64 only; elsewhere Vert.x runs on Java NIO");
        assertTrue(vertx.isNativeTransportEnabled(),
                () -> "not on epoll: " + vertx.unavailableNativeTransportCause());
        EventLoopGroup loops = ((VertxInternal) vertx).getEventLoopGroup();
        assertInstanceOf(EpollEventLoop.class, loops.next());
    }

    @Test
    void statsShowDepthsByLevelAndTypeAndThroughput() {
        String type = unique("t");
        String agent = unique("a");
        registerAgent(agent, 1, type);
        submit(type, "CRITICAL");
        submit(type, "LOW");
        given().get("/v1/stats").then().statusCode(200)
                .body("depth.CRITICAL.by_type." + type, equalTo(1), "depth.LOW.by_type." + type, equalTo(1),
                        "depth.LOW.total", greaterThanOrEqualTo(1), "agents.total", greaterThanOrEqualTo(1),
                        "throughput.submitted", greaterThanOrEqualTo(2));
        Api.Lease lease = claimOne(agent);
        complete(lease.taskId(), lease.leaseId()).then().statusCode(200);
        given().get("/v1/stats").then()
                .body("throughput.completed", greaterThanOrEqualTo(1), "claim_latency_ms.count", greaterThanOrEqualTo(1));
    }

    @Test
    void metricsCountTasksAndTimeClaims() {
        String type = unique("t");
        String agent = unique("a");
        registerAgent(agent, 1, type);
        submit(type, "HIGH");
        Api.Lease lease = claimOne(agent);
        complete(lease.taskId(), lease.leaseId()).then().statusCode(200);
        submit(type, "HIGH");

        given().get("/q/metrics").then().statusCode(200)
                .body(containsString("baton_tasks_submitted_total"), containsString("baton_tasks_completed_total"),
                        containsString("baton_tasks_cancelled_total"), containsString("baton_claim_latency_seconds_count"),
                        containsString("baton_dispatch_latency_seconds_count"));
        // polled as text: a REST Assured check that fails while polling would print the whole page
        String depth = "baton_queue_depth{level=\"HIGH\",type=\"" + type + "\"} 1.0";
        await().atMost(Duration.ofSeconds(10)).until(() -> given().get("/q/metrics").asString().contains(depth));
    }

    @Test
    void healthOpenApiAndSwaggerAreServed() {
        given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
        given().get("/q/health").then().body("checks.find { it.name == 'auth' }.data.auth", equalTo("open"));
        given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"),
                "checks.name", org.hamcrest.Matchers.hasItem("redis"));
        given().get("/q/openapi").then().statusCode(200)
                .body(containsString("/v1/tasks"), containsString("/v1/agents/{id}/claim"),
                        containsString("/v1/events"), containsString("/v1/tasks/{id}/events"));
        given().get("/q/swagger-ui/").then().statusCode(200);
    }
}
