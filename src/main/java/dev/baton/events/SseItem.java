package dev.baton.events;

/**
 * One thing written to an SSE stream: an event ({@code id}, {@code event}, {@code data}), the
 * {@code resync} notice, or a keep-alive comment ({@code name} and {@code data} null).
 *
 * @param id the {@code seq} to resume from, or null
 */
public record SseItem(String id, String name, String data, String comment) {

    static final SseItem KEEP_ALIVE = new SseItem(null, null, null, "keep-alive");

    static SseItem of(Published event) {
        return new SseItem(Long.toString(event.seq()), event.wire().event(), event.json(), null);
    }

    /**
     * The events after {@code lastEventId} are gone from the ring: the client should re-read state
     * over REST; the stream goes on from {@code resumeSeq}.
     */
    static SseItem resync(long lastEventId, long resumeSeq) {
        return new SseItem(Long.toString(resumeSeq), "resync",
                "{\"event\":\"resync\",\"last_event_id\":" + lastEventId + ",\"seq\":" + resumeSeq + "}", null);
    }

    public boolean isComment() {
        return comment != null;
    }
}
