package dev.baton.bench;

import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the benchmark counts as a process's CPU: Redis's AOF rewrites run in a child it waits for. */
class ProcessCpuTest {

    @Test
    void aProcessCpuTimeCountsTheChildrenItWaitedFor() throws Exception {
        long self = ProcessHandle.current().pid();
        long before = ProcessCpu.cpuNanos(self);
        // the child spins until it has used 300 ms of CPU; this JVM waits for it (and reaps it)
        Process child = new ProcessBuilder("python3", "-c",
                "import time\nt = time.process_time()\nwhile time.process_time() - t < 0.3:\n    pass\n")
                .inheritIO().start();
        assertTrue(child.waitFor(60, TimeUnit.SECONDS), "the child did not end");
        assertEquals(0, child.exitValue());
        long grew = ProcessCpu.cpuNanos(self) - before;
        assertTrue(grew >= 250_000_000L, "CPU time grew by " + grew / 1_000_000 + " ms, the child alone used 300 ms");
    }

    @Test
    void aProcessThatIsNotThereHasNoCpuTime() {
        assertEquals(-1, ProcessCpu.cpuNanos(0));
    }
}
