package dev.baton.client;

import com.fasterxml.jackson.databind.JsonNode;

/** {@code GET /v1/stats}: counts by status, queue depth, agents, throughput, and the last event's {@code seq}. */
public record Stats(
        JsonNode depth,
        long pending,
        long running,
        long waiting,
        long scheduled,
        JsonNode agents,
        JsonNode throughput,
        JsonNode claimLatencyMs,
        double errorRate,
        double utilisation,
        long lastSeq) {
}
