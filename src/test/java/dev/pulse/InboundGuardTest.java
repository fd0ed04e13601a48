package dev.pulse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class InboundGuardTest {

    @Test
    void assemblesPartsUpToTheLimit() throws Exception {
        InboundGuard guard = new InboundGuard(10, 20, 40, 0);
        assertEquals("whole", guard.assemble("whole", true));
        assertNull(guard.assemble("abcd", false));
        assertNull(guard.assemble("efg", false));
        assertEquals("abcdefghij", guard.assemble("hij", true));
        assertEquals("0123456789", guard.assemble("0123456789", true), "exactly the limit is fine");
    }

    @Test
    void refusesAMessageOverTheLimitAcrossParts() throws Exception {
        InboundGuard guard = new InboundGuard(10, 20, 40, 0);
        assertNull(guard.assemble("123456", false));
        assertThrows(InboundGuard.TooBig.class, () -> guard.assemble("78901", false));
        assertEquals("fresh", guard.assemble("fresh", true), "state is reset after a refusal");
        assertThrows(InboundGuard.TooBig.class, () -> guard.assemble("x".repeat(11), true));
    }

    @Test
    void countsUtf8Bytes() throws Exception {
        assertEquals(1, InboundGuard.utf8Length("a"));
        assertEquals(2, InboundGuard.utf8Length("é"));
        assertEquals(3, InboundGuard.utf8Length("€"));
        assertEquals(4, InboundGuard.utf8Length("😀"));
        InboundGuard guard = new InboundGuard(6, 20, 40, 0);
        assertEquals("€€", guard.assemble("€€", true));
        assertThrows(InboundGuard.TooBig.class, () -> guard.assemble("€€a", true));
    }

    @Test
    void tokenBucketAllowsABurstThenTheRate() {
        InboundGuard guard = new InboundGuard(100, 20, 40, 0);
        for (int i = 0; i < 40; i++) {
            assertTrue(guard.tryAcquire(0), "burst message " + i);
        }
        assertFalse(guard.tryAcquire(0));
        assertFalse(guard.tryAcquire(10));
        assertEquals(2, guard.limitedInARow());
        assertTrue(guard.tryAcquire(50), "one token back after 50 ms at 20/s");
        assertEquals(0, guard.limitedInARow());
        assertFalse(guard.tryAcquire(50));
        for (int i = 0; i < 40; i++) {
            assertTrue(guard.tryAcquire(60_000), "refilled to the burst, not beyond");
        }
        assertFalse(guard.tryAcquire(60_000));
    }

    @Test
    void countsBadMessagesInARow() {
        InboundGuard guard = new InboundGuard(100, 20, 40, 0);
        assertEquals(1, guard.bad());
        assertEquals(2, guard.bad());
        guard.good();
        assertEquals(1, guard.bad());
    }
}
