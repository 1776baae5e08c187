package dev.baton.store;

import java.time.Duration;
import java.util.concurrent.TimeoutException;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.Request;

/**
 * Readiness "redis": UP while Redis answers PING within {@link #PING_TIMEOUT_MILLIS}, DOWN with the
 * error otherwise. Asynchronous, so a slow or absent Redis never parks an event-loop thread.
 */
@Readiness
@ApplicationScoped
public class RedisReadinessCheck implements AsyncHealthCheck {

    static final String NAME = "redis";
    static final long PING_TIMEOUT_MILLIS = 1_000;

    private final Redis redis;

    public RedisReadinessCheck(Redis redis) {
        this.redis = redis;
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        return redis.send(Request.cmd(Command.PING))
                .ifNoItem().after(Duration.ofMillis(PING_TIMEOUT_MILLIS))
                .failWith(() -> new TimeoutException("no answer to PING within " + PING_TIMEOUT_MILLIS + " ms"))
                .map(pong -> HealthCheckResponse.up(NAME))
                .onFailure().recoverWithItem(RedisReadinessCheck::down);
    }

    private static HealthCheckResponse down(Throwable failure) {
        String message = failure.getMessage() != null ? failure.getMessage() : failure.getClass().getSimpleName();
        return HealthCheckResponse.named(NAME).down().withData("error", message).build();
    }
}
