package dev.baton.client;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

/** An agent as Baton answers it: what it can do, what it holds ({@code active} task ids) and its record. */
public record Agent(
        String id,
        List<String> capabilities,
        int maxConcurrency,
        Map<String, String> labels,
        Instant registeredAt,
        Instant lastSeen,
        boolean lost,
        List<String> active,
        int waitingClaims,
        double load,
        JsonNode history,
        JsonNode historyByType) {
}
