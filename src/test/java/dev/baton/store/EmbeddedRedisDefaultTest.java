package dev.baton.store;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/** With no quarkus.redis.hosts, Baton runs on its own embedded Redis, in the configured data dir. */
@QuarkusTest
@TestProfile(EmbeddedRedisDefaultTest.EmbeddedRedisProfile.class)
class EmbeddedRedisDefaultTest {

    static final String DATA_DIR = "target/embedded-redis-default-test";

    public static class EmbeddedRedisProfile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("baton.embedded-redis.data-dir", DATA_DIR);
        }
    }

    @Test
    void readyOnTheEmbeddedRedisServingTheConfiguredDataDir() throws IOException {
        given().when().get("/q/health/ready")
                .then().statusCode(200)
                .body("checks.find { it.name == 'redis' }.status", equalTo("UP"));

        Path dataDir = Path.of(DATA_DIR).toRealPath();
        int port = Integer.parseInt(readState(dataDir).getProperty("port"));
        assertEquals(List.of("dir", dataDir.toString()), Resp.call(port, 2_000, "CONFIG", "GET", "dir"));
    }

    private static Properties readState(Path dataDir) throws IOException {
        Properties state = new Properties();
        try (Reader reader = Files.newBufferedReader(dataDir.resolve(EmbeddedRedis.STATE_FILE))) {
            state.load(reader);
        }
        return state;
    }
}
