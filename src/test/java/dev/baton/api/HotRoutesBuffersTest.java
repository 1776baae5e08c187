package dev.baton.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.baton.engine.InvalidRequestException;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The hot routes' own buffers: a request body gathered from however many pieces it came in, and an
 * answer encoded through the thread's scratch arrays, whatever it holds and however long it is.
 */
class HotRoutesBuffersTest {

    private static final ObjectReader TREE = new ObjectMapper().readerFor(JsonNode.class);

    @Test
    void aBodyInOnePieceIsParsedWhereItLies() throws Exception {
        byte[] framed = "xx{\"k\":\"é\"}yy".getBytes(StandardCharsets.UTF_8);
        Buffer piece = Buffer.buffer(framed).slice(2, framed.length - 2); // an array with an offset
        HotRoutes.Body body = new HotRoutes.Body(piece.length());
        body.handle(piece);
        JsonNode parsed = body.parse(TREE);
        assertEquals("é", parsed.get("k").asText());
    }

    @Test
    void aBodyInManyPiecesIsGatheredWhole() throws Exception {
        StringBuilder json = new StringBuilder("{\"tasks\":[");
        for (int i = 0; i < 2_000; i++) {
            json.append(i == 0 ? "" : ",").append("{\"n\":").append(i).append(",\"s\":\"€ ").append(i).append("\"}");
        }
        byte[] bytes = json.append("]}").toString().getBytes(StandardCharsets.UTF_8);
        HotRoutes.Body body = new HotRoutes.Body(bytes.length);
        for (int from = 0; from < bytes.length; from += 1_000) {
            int to = Math.min(bytes.length, from + 1_000);
            body.handle(Buffer.buffer(bytes).slice(from, to)); // pieces that cut multi-byte characters
        }
        JsonNode parsed = body.parse(TREE);
        assertEquals(2_000, parsed.get("tasks").size());
        assertEquals("€ 1999", parsed.get("tasks").get(1_999).get("s").asText());
    }

    @Test
    void aBodyLongerThanItsLengthIsRefused() {
        HotRoutes.Body body = new HotRoutes.Body(4);
        body.handle(Buffer.buffer("{}"));
        body.handle(Buffer.buffer("{}{}"));
        body.handle(Buffer.buffer("{}"));
        InvalidRequestException refused = assertThrows(InvalidRequestException.class, () -> body.parse(TREE));
        assertTrue(refused.getMessage().contains("Content-Length"), refused.getMessage());
    }

    @Test
    void anAnswerIsEncodedAsUtf8WhateverItHoldsAndHowLongItIs() {
        StringBuilder large = new StringBuilder();
        while (large.length() < 300_000) {
            large.append("{\"k\":\"abc\"},");
        }
        List<String> texts = List.of("{}", "{\"k\":\"é€😀\"}", large.toString(), "{\"short\":1}", large + "ü",
                "[\"\\u0000\"]", large.substring(0, 5_000), "{}");
        for (String text : texts) {
            assertArrayEquals(text.getBytes(StandardCharsets.UTF_8), AnswerBytes.encode(new StringBuilder(text)),
                    "an answer of " + text.length() + " characters");
        }
    }

    @Test
    void answersArriveWholeOverHttp() throws Exception {
        StringBuilder large = new StringBuilder("{\"s\":\"");
        while (large.length() < 300_000) {
            large.append("ü€😀 ");
        }
        List<String> answers = List.of("{}", "{\"k\":\"é\"}", large.append("\"}").toString(), "{\"n\":" + "1".repeat(9_000) + "}");
        Vertx vertx = Vertx.vertx();
        try {
            HttpServer server = vertx.createHttpServer().requestHandler(request -> {
                String answer = answers.get(Integer.parseInt(request.getParam("n")));
                HotRoutes.write(request.response(), "application/json", new StringBuilder(answer));
            });
            int port = server.listen(0).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).actualPort();
            HttpClient client = vertx.createHttpClient();
            for (int round = 0; round < 12; round++) {
                int n = round % answers.size();
                List<String> got = client.request(HttpMethod.GET, port, "127.0.0.1", "/?n=" + n)
                        .compose(HttpClientRequest::send)
                        .compose(response -> response.body().map(body -> List.of(body.toString(StandardCharsets.UTF_8),
                                String.valueOf(body.length()), response.getHeader("Content-Length"), response.getHeader("Content-Type"))))
                        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
                assertEquals(answers.get(n), got.get(0), "answer " + n);
                assertEquals(got.get(1), got.get(2), "Content-Length");
                assertEquals("application/json", got.get(3));
            }
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }
}
