package dev.baton.testing;

import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.RedisConnection;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A second Redis connection of its own that SUBSCRIBEs (and PSUBSCRIBEs) and keeps every message,
 * as a pub/sub client of Baton's would.
 */
public final class RedisSubscriber implements AutoCloseable {

    /** One message: the channel it came on and its payload. */
    public record Message(String channel, String payload) {
    }

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final Vertx vertx = Vertx.vertx();
    private final RedisConnection connection;
    private final List<Message> messages = new CopyOnWriteArrayList<>();

    public RedisSubscriber(String uri) {
        connection = Redis.createClient(vertx, uri).connect().await().atMost(TIMEOUT);
        connection.handler(this::onMessage);
    }

    public RedisSubscriber subscribe(String channel) {
        connection.send(Request.cmd(Command.SUBSCRIBE).arg(channel)).await().atMost(TIMEOUT);
        return this;
    }

    public RedisSubscriber psubscribe(String pattern) {
        connection.send(Request.cmd(Command.PSUBSCRIBE).arg(pattern)).await().atMost(TIMEOUT);
        return this;
    }

    private void onMessage(Response response) {
        if (response == null || response.size() < 3) {
            return;
        }
        String kind = response.get(0).toString();
        if ("message".equals(kind)) {
            messages.add(new Message(response.get(1).toString(), response.get(2).toString()));
        } else if ("pmessage".equals(kind) && response.size() >= 4) {
            messages.add(new Message(response.get(2).toString(), response.get(3).toString()));
        }
    }

    /** The payloads seen on one channel, in arrival order. */
    public List<String> on(String channel) {
        return messages.stream().filter(m -> m.channel().equals(channel)).map(Message::payload).toList();
    }

    @Override
    public void close() {
        connection.close().await().atMost(TIMEOUT);
        vertx.close().await().atMost(TIMEOUT);
    }
}
