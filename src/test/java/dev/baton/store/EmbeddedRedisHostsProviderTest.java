package dev.baton.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Path;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedRedisHostsProviderTest {

    @Test
    void startsRedisOnFirstAskAndStopsItWithTheContainer(@TempDir Path dataDir) {
        EmbeddedRedisHostsProvider provider = new EmbeddedRedisHostsProvider(dataDir.toString(), java.util.OptionalInt.empty());

        Set<URI> hosts = provider.getHosts();
        int port = hosts.iterator().next().getPort();

        assertEquals(hosts, provider.getHosts());
        assertTrue(Resp.ping(port, 2_000));
        provider.stop();
        provider.stop();
        assertFalse(Resp.ping(port, 2_000));
    }
}
