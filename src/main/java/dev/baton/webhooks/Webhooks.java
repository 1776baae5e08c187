package dev.baton.webhooks;

import dev.baton.engine.TaskRecord;
import dev.baton.engine.TaskView;
import dev.baton.store.Outbox;
import dev.baton.store.Store;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jboss.logging.Logger;

/**
 * Delivers webhooks (docs/api.md#webhooks): when a task with a callback ends, POSTs its final view
 * to the callback, signed, until the receiver answers 2xx or the delivery is given up.
 *
 * <p><b>Where deliveries come from.</b> The store's outbox ({@link Outbox}): a delivery reaches
 * this class only once it is in Redis, written with the task's end ({@link #written}), and every
 * pending one again at recovery ({@link #recovered}). A delivery leaves the outbox when its
 * receiver acknowledged it or it was given up ({@link Store#removeDelivery}); a crash in between
 * delivers it again after the restart: at least once, the same {@code Baton-Delivery} id each time.
 *
 * <p><b>Threads.</b> {@code baton-webhooks} schedules attempts and handles their outcome (the
 * outbox's removal is a blocking Redis call, made there); the HTTP client's I/O runs on its own
 * small pool. At most {@code maxConcurrent} requests are in flight; the rest wait their turn in
 * order. The listener methods only enqueue.
 *
 * <p><b>Failures.</b> Anything but a 2xx within the timeout fails the attempt — an error, a
 * timeout, a 3xx (redirects are not followed) — and it is tried again after the next backoff
 * step, until {@code maxAttempts} attempts (counted from the last start) or {@code maxAge} since
 * the task ended; then it is given up, logged and counted. A Baton that does not serve (standing
 * by, recovering) sends nothing; one that stepped down forgets its deliveries, which the new
 * writer recovers.
 */
public final class Webhooks implements Outbox.Listener {

    private static final Logger LOG = Logger.getLogger(Webhooks.class);
    private static final long NOT_SERVING_RETRY_MILLIS = 1_000;
    private static final long REMOVE_RETRY_MILLIS = 1_000;
    private static final int HTTP_THREADS = 2;

    /**
     * @param secret        the HMAC-SHA256 key of {@code Baton-Signature}
     * @param backoffMillis waits before each retry; the last repeats
     */
    public record Settings(String secret, List<Long> backoffMillis, int maxAttempts, long maxAgeMillis, long timeoutMillis,
            int maxConcurrent) {
    }

    /** A delivery's body: the task's final view, as {@code GET /v1/tasks/{id}} answers it (the API provides it). */
    public interface Bodies {
        byte[] of(TaskView task);
    }

    /** One delivery this Baton holds. */
    private static final class Pending {
        final Outbox.Delivery delivery;
        int attempts;
        byte[] body;

        Pending(Outbox.Delivery delivery) {
            this.delivery = delivery;
        }
    }

    private final Settings settings;
    private final Map<String, String> typeWebhooks;
    private final Bodies bodies;
    private final Clock clock;
    private final Counter delivered;
    private final Counter failed;
    private final Counter givenUp;
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();
    private final ArrayDeque<Pending> ready = new ArrayDeque<>();
    private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor(daemon("baton-webhooks"));
    private final ExecutorService io = Executors.newFixedThreadPool(HTTP_THREADS, daemon("baton-webhooks-http"));
    private final HttpClient http;
    private volatile Store store;
    private int inFlight;
    private boolean started;
    private boolean stopped;

    /** @param typeWebhooks task type → the URL its tasks without a {@code callback_url} are delivered to */
    public Webhooks(Settings settings, Map<String, String> typeWebhooks, Bodies bodies, Clock clock, MeterRegistry registry) {
        this.settings = settings;
        this.typeWebhooks = Map.copyOf(typeWebhooks);
        this.bodies = bodies;
        this.clock = clock;
        this.delivered = counter(registry, "delivered");
        this.failed = counter(registry, "failed");
        this.givenUp = counter(registry, "given_up");
        this.http = HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NEVER)
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofMillis(settings.timeoutMillis()))
                .executor(io)
                .build();
    }

    private static Counter counter(MeterRegistry registry, String outcome) {
        return Counter.builder("baton.webhook.deliveries").tag("outcome", outcome)
                .description("Webhook deliveries: delivered (acknowledged), failed (an attempt, retried), given_up")
                .register(registry);
    }

    /** Takes its deliveries from {@code from}'s outbox and removes them there; before the store starts. */
    public void attach(Store from) {
        this.store = from;
        from.outbox(this::urlFor, this);
    }

    /** Where a task's end is delivered: its own {@code callback_url}, else its type's webhook, else nowhere (null). */
    String urlFor(TaskRecord task) {
        String own = task.spec().callbackUrl();
        return own != null ? own : typeWebhooks.get(task.spec().type());
    }

    /** Starts sending (what recovery found is sent now). Safe twice. */
    public synchronized void start() {
        if (started || stopped) {
            return;
        }
        started = true;
        pump();
    }

    /** Stops sending; what is pending stays in the outbox for the next start. Safe twice or unstarted. */
    public synchronized void stop() {
        stopped = true;
        ready.clear();
        loop.shutdownNow();
        io.shutdownNow();
    }

    @Override
    public void written(List<Outbox.Delivery> deliveries) {
        for (Outbox.Delivery delivery : deliveries) {
            Pending fresh = new Pending(delivery);
            if (pending.putIfAbsent(delivery.id(), fresh) == null) {
                enqueue(fresh);
            }
        }
    }

    @Override
    public void recovered(List<Outbox.Delivery> deliveries) {
        synchronized (this) {
            pending.clear();
            ready.clear();
        }
        if (!deliveries.isEmpty()) {
            LOG.infof("%d webhook deliveries pending; sending them", deliveries.size());
        }
        written(deliveries);
    }

    @Override
    public synchronized void steppedDown() {
        pending.clear();
        ready.clear();
    }

    @Override
    public List<Outbox.Delivery> pending() {
        List<Outbox.Delivery> all = new ArrayList<>(pending.size());
        pending.values().forEach(held -> all.add(held.delivery));
        return all;
    }

    private synchronized void enqueue(Pending held) {
        ready.add(held);
        pump();
    }

    /** Starts attempts while there is room. */
    private synchronized void pump() {
        while (started && !stopped && inFlight < settings.maxConcurrent() && !ready.isEmpty()) {
            Pending next = ready.poll();
            if (held(next)) {
                inFlight++;
                loop.execute(() -> attempt(next));
            }
        }
    }

    /** Whether this delivery is still this Baton's to send (not acknowledged, given up or handed over). */
    private boolean held(Pending held) {
        return pending.get(held.delivery.id()) == held;
    }

    private void attempt(Pending held) {
        Store current = store;
        if (current == null || !current.serving()) {
            finish(() -> later(held, NOT_SERVING_RETRY_MILLIS));
            return;
        }
        Outbox.Delivery delivery = held.delivery;
        try {
            if (held.body == null) {
                held.body = bodies.of(delivery.task().finishedView());
            }
            long seconds = clock.millis() / 1000;
            HttpRequest request = HttpRequest.newBuilder(URI.create(delivery.url()))
                    .timeout(Duration.ofMillis(settings.timeoutMillis()))
                    .header("Content-Type", "application/json")
                    .header("User-Agent", "Baton-Webhooks")
                    .header("Baton-Event", delivery.event())
                    .header("Baton-Delivery", delivery.id())
                    .header("Baton-Signature", signature(settings.secret(), seconds, held.body))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(held.body))
                    .build();
            http.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((response, error) ->
                    onLoop(() -> answered(held, response == null ? 0 : response.statusCode(), error)));
        } catch (RuntimeException e) {
            answered(held, 0, e);
        }
    }

    private void answered(Pending held, int status, Throwable error) {
        finish(() -> {
            if (!held(held)) {
                return;
            }
            if (error == null && status >= 200 && status < 300) {
                remove(held, delivered);
                return;
            }
            held.attempts++;
            String why = error != null ? error.toString() : "HTTP " + status;
            long age = clock.millis() - held.delivery.createdAt();
            if (held.attempts >= settings.maxAttempts() || age >= settings.maxAgeMillis()) {
                LOG.warnf("webhook delivery %s of task %s (%s) given up after %d attempts, the last: %s", held.delivery.id(),
                        held.delivery.task().id(), held.delivery.event(), held.attempts, why);
                remove(held, givenUp);
                return;
            }
            failed.increment();
            long wait = backoff(held.attempts);
            LOG.debugf("webhook delivery %s failed (%s); attempt %d in %d ms", held.delivery.id(), why, held.attempts + 1, wait);
            later(held, wait);
        });
    }

    /** The wait before the attempt after {@code failures} failed ones. */
    long backoff(int failures) {
        List<Long> steps = settings.backoffMillis();
        return steps.get(Math.min(failures, steps.size()) - 1);
    }

    /** Out of the outbox, then counted; a removal Redis refused now is tried again. */
    private void remove(Pending held, Counter outcome) {
        if (!held(held)) {
            return;
        }
        try {
            store.removeDelivery(held.delivery.id());
        } catch (RuntimeException e) {
            LOG.warnf("webhook delivery %s done but not yet removed from the outbox (trying again): %s", held.delivery.id(),
                    e.toString());
            schedule(() -> remove(held, outcome), REMOVE_RETRY_MILLIS);
            return;
        }
        if (pending.remove(held.delivery.id(), held)) {
            outcome.increment();
        }
    }

    /** An attempt ended: its slot frees, then {@code then} runs. */
    private void finish(Runnable then) {
        synchronized (this) {
            inFlight--;
        }
        then.run();
        pump();
    }

    private void later(Pending held, long millis) {
        schedule(() -> {
            if (held(held)) {
                enqueue(held);
            }
        }, millis);
    }

    private synchronized void schedule(Runnable task, long millis) {
        if (!stopped) {
            loop.schedule(task, millis, TimeUnit.MILLISECONDS);
        }
    }

    private synchronized void onLoop(Runnable task) {
        if (!stopped) {
            loop.execute(task);
        }
    }

    /** {@code t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">}. */
    static String signature(String secret, long seconds, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            mac.update((seconds + ".").getBytes(StandardCharsets.UTF_8));
            return "t=" + seconds + ",v1=" + HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    private static ThreadFactory daemon(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }
}
