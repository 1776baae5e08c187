package dev.baton.api;

import static dev.baton.api.Api.claimOne;
import static dev.baton.api.Api.json;
import static dev.baton.api.Api.registerAgent;
import static dev.baton.api.Api.submit;
import static dev.baton.api.Api.unique;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;

import dev.baton.testing.RedisTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(RedisTestResource.class)
class AgentApiTest {

    @Test
    void anAgentRegistersUpdatesAndReadsBack() {
        String agent = unique("a");
        json().body(Map.of("capabilities", List.of("coding", "review"), "max_concurrency", 3, "labels", Map.of("zone", "eu")))
                .put("/v1/agents/{id}", agent).then().statusCode(200)
                .body("id", equalTo(agent), "max_concurrency", equalTo(3), "labels.zone", equalTo("eu"),
                        "history.success_rate", equalTo(1.0f), "load", equalTo(0.0f), "lost", equalTo(false));
        json().body(Map.of("capabilities", List.of("coding"))).put("/v1/agents/{id}", agent)
                .then().statusCode(200).body("capabilities", equalTo(List.of("coding")), "max_concurrency", equalTo(1));
        given().get("/v1/agents").then().statusCode(200).body("id", hasItem(agent));
        given().get("/v1/agents/{id}", agent).then().statusCode(200).body("capabilities", hasSize(1));
    }

    @Test
    void anAgentThatLeavesGivesItsTasksBack() {
        String type = unique("t");
        String agent = unique("a");
        registerAgent(agent, 1, type);
        String id = submit(type, "MEDIUM");
        claimOne(agent);

        given().delete("/v1/agents/{id}", agent).then().statusCode(200).body("id", equalTo(agent));
        given().get("/v1/agents/{id}", agent).then().statusCode(404).body("error", equalTo("agent_not_found"));
        given().get("/v1/tasks/{id}", id).then().body("status", equalTo("PENDING"), "attempt", equalTo(1), "queue_position", equalTo(0));
        given().delete("/v1/agents/{id}", agent).then().statusCode(404);
    }

    @Test
    void badRegistrationsAre400AndRegisterNothing() {
        String agent = unique("a");
        json().body(Map.of("max_concurrency", 1)).put("/v1/agents/{id}", agent)
                .then().statusCode(400).body("message", containsString("capabilities: is required"));
        json().body(Map.of("capabilities", List.of())).put("/v1/agents/{id}", agent)
                .then().statusCode(400).body("message", containsString("capabilities"));
        json().body(Map.of("capabilities", List.of("x"), "max_concurrency", 0)).put("/v1/agents/{id}", agent)
                .then().statusCode(400).body("message", containsString("max_concurrency: must be at least 1"));
        json().body(Map.of("capabilities", "x")).put("/v1/agents/{id}", agent)
                .then().statusCode(400).body("message", containsString("capabilities: wrong type"));
        given().get("/v1/agents/{id}", agent).then().statusCode(404);
    }
}
