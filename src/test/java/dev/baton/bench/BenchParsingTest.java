package dev.baton.bench;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The load generator reads Baton's answers by hand; these pin that reading to the API's shapes. */
class BenchParsingTest {

    static final String CLAIM = "{\"tasks\":[{\"id\":\"01JABC\",\"type\":\"bench\",\"priority\":\"MEDIUM\","
            + "\"status\":\"ASSIGNED\",\"payload\":{\"sent_ns\":123456789,\"pad\":\"xx\"},\"attempt\":0,"
            + "\"lease_expires_at\":\"2026-11-24T14:00:00Z\",\"lease_id\":\"L-42\"}]}";

    @Test
    void aClaimAnswerGivesTheTaskIdItsLeaseAndTheSendStamp() {
        int tasks = JsonFields.key(CLAIM, "tasks", 0);
        assertEquals("01JABC", JsonFields.string(CLAIM, "id", tasks));
        assertEquals("L-42", JsonFields.string(CLAIM, "lease_id", tasks));
        assertEquals(123456789L, JsonFields.number(CLAIM, "sent_ns", tasks));
    }

    @Test
    void fieldNamesMatchWholeAndSpacesAreAllowed() {
        assertEquals("L", JsonFields.string("{\"lease_id\" : \"L\"}", "lease_id", 0));
        assertNull(JsonFields.string("{\"lease_id\":\"L\"}", "id", 0));
        assertEquals(-1, JsonFields.number("{\"a\":1}", "sent_ns", 0));
    }

    @Test
    void aStampInsideAPayloadSentBackAsAStringIsStillFound() {
        assertEquals(77L, JsonFields.number("{\"payload\":\"{\\\"sent_ns\\\":77}\"}", "sent_ns", 0));
    }

    @Test
    void heapIsTheSumOfTheHeapPools() {
        String metrics = """
                # TYPE jvm_memory_used_bytes gauge
                jvm_memory_used_bytes{area="heap",id="G1 Eden Space"} 1.0E7
                jvm_memory_used_bytes{area="nonheap",id="Metaspace"} 5.0E7
                jvm_memory_used_bytes{area="heap",id="G1 Old Gen"} 2.5E7
                """;
        assertEquals(35_000_000L, HeapSampler.heapUsed(metrics));
        assertEquals(-1, HeapSampler.heapUsed("nothing"));
    }

    @Test
    void aClaimOfSeveralTasksGivesEachIdWithItsLease() {
        String two = CLAIM.replace("]}", "," + CLAIM.substring(CLAIM.indexOf('[') + 1));
        assertEquals(List.of(new GraphBenchmark.Lease("01JABC", "L-42"), new GraphBenchmark.Lease("01JABC", "L-42")),
                GraphBenchmark.leases(two));
        assertEquals(List.of(), GraphBenchmark.leases("{\"tasks\":[]}"));
    }

    @Test
    void theRecoveryLogLineOfTheStoreIsRead() {
        Matcher m = RecoveryBenchmark.RECOVERED.matcher("15:22:10.320 INFO  [de.ba.st.Store] recovered 100000 tasks and 0 agents "
                + "(100000 tasks from the checkpoint, 0 journal events replayed) in 22780 ms "
                + "(reading and decoding 15000 ms, rebuilding the engine 7000 ms); journal mode, writer epoch 2");
        assertTrue(m.find());
        assertEquals("100000", m.group(1));
        assertEquals("100000", m.group(2));
        assertEquals("0", m.group(3));
        assertEquals("22780", m.group(4));
        assertTrue(RecoveryBenchmark.BREAKDOWN.matcher("in 22780 ms (reading and decoding 15000 ms, rebuilding the engine 7000 ms)").find());
        Matcher redis = RecoveryBenchmark.REDIS_LOADED.matcher("1:M 30 Nov 2026 14:27:41.019 * DB loaded from append only file: 1.488 seconds");
        assertTrue(redis.find());
        assertEquals("1.488", redis.group(1));
    }

    @Test
    void durationsTakeQuarkusStyleUnits() {
        assertEquals(Duration.ofMillis(500), LoadOptions.duration("500ms"));
        assertEquals(Duration.ofSeconds(20), LoadOptions.duration("20s"));
        assertEquals(Duration.ofMinutes(2), LoadOptions.duration("2m"));
        assertEquals(Duration.ofSeconds(3), LoadOptions.duration("3"));
    }

    @Test
    void theSseReaderCountsEventsAndFindsCompletedTasksAcrossReadsAndChunks() {
        java.util.List<String> completed = new java.util.ArrayList<>();
        SseSubscribers.Parser parser = new SseSubscribers.Parser((id, at) -> completed.add(id + "@" + at));
        String stream = "7d\r\nid: 1\nevent: task.submitted\ndata: {\"event\":\"task.submitted\",\"task_id\":\"T1\"}\n\n\r\n"
                + ": keep-alive\n\n"
                + "id: 2\nevent: task.completed\ndata: {\"event\":\"task.completed\",\"seq\":2,\"task_id\":\"T1\",\"status\":\"COMPLETED\"}\n\n"
                + "id: 3\nevent: task.completed\ndata: {\"event\":\"task.completed\",\"seq\":3,\"task_id\":\"T22\"}\n\n";
        byte[] bytes = stream.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        int split = stream.indexOf("T22") + 1; // a line cut between two reads
        parser.feed(bytes, 0, split, 5);
        parser.feed(bytes, split, bytes.length - split, 9);
        assertEquals(3, parser.events);
        assertEquals(List.of("T1@5", "T22@9"), completed);
    }

    @Test
    void theNewlineScanFindsEveryNewlineWhereverItFallsInAWord() {
        java.util.Random random = new java.util.Random(5);
        for (int n = 0; n < 2_000; n++) {
            byte[] bytes = new byte[random.nextInt(40)];
            for (int i = 0; i < bytes.length; i++) {
                bytes[i] = (byte) (random.nextInt(6) == 0 ? '\n' : random.nextInt(3) == 0 ? 0x8A : 'a' + random.nextInt(26));
            }
            int from = bytes.length == 0 ? 0 : random.nextInt(bytes.length);
            int expected = from;
            while (expected < bytes.length && bytes[expected] != '\n') {
                expected++;
            }
            assertEquals(expected, SseSubscribers.Parser.nextNewline(bytes, from, bytes.length));
        }
    }
    static final String BATON_RESULT = "{\"side\":\"baton\",\"version\":\"undici 7.30.2\",\"label\":\"run 1\",\"errors\":0,\"rejected\":2,"
            + "\"phases\":[{\"phase\":\"startup\",\"bucket_seconds\":10,\"tasks\":20000,\"buckets_per_second\":[500,900,1000],"
            + "\"cpu_us_per_task\":{\"producer\":50}},"
            + "{\"phase\":\"idle\",\"seconds\":10,\"cores\":{\"baton\":0.007,\"redis\":0.001,\"agents\":0.01}},"
            + "{\"phase\":\"throughput\",\"seconds\":20,\"tasks\":60000,\"completed_per_second\":3000,"
            + "\"cpu_us_per_task\":{\"producer\":40,\"baton\":300,\"redis\":40,\"agents\":60},"
            + "\"cores\":{\"producer\":0.12,\"baton\":0.9,\"redis\":0.12,\"agents\":0.18,\"machine\":1.5}},"
            + "{\"phase\":\"rate\",\"rate\":500,\"seconds\":10,\"tasks\":5000,\"completed_per_second\":500,"
            + "\"cpu_us_per_task\":{\"baton\":1200,\"redis\":200},\"cores\":{\"baton\":0.6,\"redis\":0.1,\"machine\":0.8},"
            + "\"late_sends\":3,\"dispatch_ms\":{\"samples\":5000,\"p50\":1.5,\"p99\":8.6,\"max\":131}}]}";

    @Test
    void aResultLineOfTheNodeClientGivesItsPhases() {
        PeerResult r = PeerResult.parse(BATON_RESULT);
        assertEquals("baton", r.side());
        PeerResult.Phase full = r.phases("throughput", 0).get(0);
        assertEquals(3000, full.perSecond());
        assertEquals(340, full.serverMicrosPerTask(), 1e-9);
        assertEquals(100, full.clientMicrosPerTask(), 1e-9);
        assertEquals(0.18, full.otherCores(), 1e-9);
        PeerResult.Phase rate = r.phases("rate", 500).get(0);
        assertEquals(8.6, rate.dispatchP99());
        assertEquals(0.7, rate.serverCores(), 1e-9);
        assertEquals(List.of(500.0, 900.0, 1000.0), r.phases("startup", 0).get(0).buckets());
    }

    @Test
    void theTableSetsBothSidesSideBySideWithTheirRatios() {
        PeerResult baton = PeerResult.parse(BATON_RESULT);
        PeerResult bullmq = PeerResult.parse(BATON_RESULT.replace("\"baton\"", "\"bullmq\"").replace("3000", "6000")
                .replace("\"p99\":8.6", "\"p99\":4.3"));
        String table = PeerResult.table(List.of(baton, baton), List.of(bullmq), 2);
        assertTrue(table.contains("| lifecycle (submit → completed), tasks/s | 3,000 and 3,000 | 6,000 | 0.50 |"), table);
        assertTrue(table.contains("| dispatch at 500 tasks/s, p99 ms | 8.60 and 8.60 | 4.30 | 2.00 |"), table);
        assertTrue(table.contains("| server CPU per completed task, µs | 340 (baton 300 + redis 40) and 340 (baton 300 + redis 40) | "), table);
        assertTrue(table.contains("| errors, and submits refused with 429 (dropped) | 0, 4 | 0, 2 | |"), table);
        // producer 40 + agents 60 µs per task: 2 cores allow 20,000 tasks/s whatever the server costs
        assertTrue(table.contains("| ceiling the client leaves on 2 cores with a server that costs nothing, tasks/s "
                + "| 20,000 and 20,000 | 20,000 | 1.00 |"), table);
        assertTrue(table.contains("| server CPU idle, every agent waiting, cores | 0.0080 and 0.0080 | "), table);
        // 1.5 × 6,000 = 9,000 tasks/s on 2 cores: 222 µs a task in all, the client takes 100
        assertTrue(table.contains("| server CPU per task that leaves Baton 1.5 × BullMQ's lifecycle on 2 cores, µs "
                + "| 122 (at 9,000 tasks/s, its client taking 100) | | |"), table);
        String crowded = PeerResult.table(List.of(baton), List.of(PeerResult.parse(BATON_RESULT.replace("\"baton\"", "\"bullmq\"")
                .replace("3000", "15000"))), 2);
        assertTrue(crowded.contains("| none: at 22,500 tasks/s its client alone needs 2.25 cores |"), crowded);
        assertTrue(table.contains("| start-up: tasks/s in the third 10 s after start | 1,000 and 1,000 | 1,000 | 1.00 |"), table);
    }
}
