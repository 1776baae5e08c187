package dev.baton.events;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Server-sent events as bytes on the wire: {@code id: <seq>}, {@code event: <kind>},
 * {@code data: <json>}, then a blank line. The JSON never holds a line break (Jackson escapes
 * them), so each event is one {@code data} line.
 */
final class SseText {

    static final byte[] KEEP_ALIVE = ": keep-alive\n\n".getBytes(StandardCharsets.US_ASCII);

    private SseText() {
    }

    static byte[] event(long seq, String name, String json) {
        return ("id: " + seq + "\nevent: " + name + "\ndata: " + json + "\n\n").getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The events after {@code lastEventId} are gone from the ring: the client should re-read state
     * over REST; the stream goes on from {@code resumeSeq}.
     */
    static byte[] resync(long lastEventId, long resumeSeq) {
        return event(resumeSeq, "resync",
                "{\"event\":\"resync\",\"last_event_id\":" + lastEventId + ",\"seq\":" + resumeSeq + "}");
    }

    /** Several events as one chunk, in order. */
    static byte[] join(List<Published> events) {
        int length = 0;
        for (Published event : events) {
            length += event.sse().length;
        }
        byte[] joined = new byte[length];
        int at = 0;
        for (Published event : events) {
            System.arraycopy(event.sse(), 0, joined, at, event.sse().length);
            at += event.sse().length;
        }
        return joined;
    }
}
