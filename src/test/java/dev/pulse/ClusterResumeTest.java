package dev.pulse;

import static org.junit.jupiter.api.Assertions.assertEquals;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * How a node merges the cluster's sequencing with its own subscribers, on fakes: a cluster link
 * whose history reads the test scripts, and publishes handed back as the bus would.
 */
class ClusterResumeTest {

    private final MutableClock clock = new MutableClock(1_000_000);
    private final Wiring f = new Wiring(PulseSettings.defaults(), clock);
    private final ScriptedCluster cluster = new ScriptedCluster();

    /** A cluster link that sequences topics; history reads answer from {@link #reads} in turn. */
    private static final class ScriptedCluster extends ClusterLink.Alone {
        final Deque<History> reads = new ArrayDeque<>();
        final List<String> published = new ArrayList<>();

        ScriptedCluster() {
            super("node-a");
        }

        @Override
        public boolean sequencesTopics() {
            return true;
        }

        @Override
        public void publish(String topic, jakarta.json.JsonValue data) {
            published.add(topic + " " + data);
        }

        @Override
        public History history(String topic, long afterSeq) {
            return reads.isEmpty() ? History.UNREAD : reads.poll();
        }
    }

    ClusterResumeTest() {
        f.messaging.cluster(cluster);
    }

    private FakeConnection subscribe(String id, String sinceJson) {
        FakeConnection conn = new FakeConnection(id);
        Peer peer = f.sessions.open(conn, null, null);
        f.sessions.onText(peer, "{\"type\":\"subscribe\",\"topic\":\"news\"" + (sinceJson == null ? "" : ",\"since\":" + sinceJson) + "}");
        return conn;
    }

    /** The frames after welcome, as "type data-or-reason seq" lines. */
    private static List<String> seen(FakeConnection conn) {
        List<String> out = new ArrayList<>();
        for (String t : List.copyOf(conn.texts)) {
            JsonObject o = TestClient.json(t);
            switch (o.getString("type")) {
                case "message" -> out.add("message " + o.getString("data") + " " + o.getJsonNumber("seq"));
                case "gap" -> out.add("gap " + o.getString("reason") + " " + o.getString("epoch") + " " + o.getJsonNumber("seq"));
                case "subscribed" -> out.add("subscribed " + o.getString("epoch") + " " + o.getJsonNumber("seq")
                        + (o.containsKey("recovered") ? " recovered " + o.getInt("recovered") : ""));
                default -> { }
            }
        }
        return out;
    }

    private static ClusterLink.History stored(String epoch, long seq, long... after) {
        List<ClusterLink.Published> list = new ArrayList<>();
        for (long s : after) {
            list.add(new ClusterLink.Published(s, "\"m" + s + "\""));
        }
        return new ClusterLink.History(epoch, seq, list);
    }

    private void bus(long seq) {
        f.messaging.sequenced("news", "E", seq, Json.createValue("m" + seq));
    }

    @Test
    void publishesGoToTheClusterAndAreDeliveredAsItSequencesThem() {
        cluster.reads.add(stored("E", 3));
        FakeConnection c = subscribe("c", null);
        f.messaging.publish("news", Json.createValue("hello"));
        assertEquals(List.of("news \"hello\""), cluster.published, "not delivered before the cluster sequenced it");
        bus(4);
        bus(4); // a duplicate
        bus(7); // 5 and 6 lost on the bus
        f.messaging.sequenced("news", "E", 8, null); // 8 lost before it was published
        bus(9);
        assertEquals(List.of("subscribed E 3", "message m4 4", "gap cluster E 6", "message m7 7",
                "gap cluster E 8", "message m9 9"), seen(c));
    }

    @Test
    void aResumeReplaysWhatThisNodeDeliveredAndLeavesTheRestToTheBus() {
        cluster.reads.add(stored("E", 3));
        subscribe("present", null);
        bus(4);
        bus(5);
        bus(6);
        // the first read predates delivery 6: read again; the second has 7 too, still on its way here
        cluster.reads.add(stored("E", 5, 3, 4, 5));
        cluster.reads.add(stored("E", 7, 3, 4, 5, 6, 7));
        FakeConnection back = subscribe("back", "{\"epoch\":\"E\",\"seq\":2}");
        bus(7);
        assertEquals(List.of("subscribed E 6 recovered 4", "message m3 3", "message m4 4", "message m5 5",
                "message m6 6", "message m7 7"), seen(back));
    }

    @Test
    void aResumeGetsAGapWhenTheStoredRunHasAHoleOrIsOutOfReach() {
        cluster.reads.add(stored("E", 6, 2, 3, 5, 6)); // 4 was lost
        FakeConnection holed = subscribe("holed", "{\"epoch\":\"E\",\"seq\":1}");
        assertEquals(List.of("gap history E 6", "subscribed E 6"), seen(holed));

        FakeConnection unreadable = subscribe("unreadable", "{\"epoch\":\"E\",\"seq\":1}"); // no read answers
        assertEquals(List.of("gap cluster E 6", "subscribed E 6"), seen(unreadable));

        cluster.reads.add(stored("F", 0)); // Redis lost the topic: a new epoch
        FakeConnection lost = subscribe("lost", "{\"epoch\":\"E\",\"seq\":6}");
        assertEquals(List.of("gap epoch F 0", "subscribed F 0"), seen(lost));
        assertEquals("gap cluster F 0", seen(holed).get(2), "subscribers already there move to the new epoch");
    }

    @Test
    void whileTheClusterCannotSequenceThisNodeDeliversAloneUnderItsOwnEpoch() {
        cluster.reads.add(stored("E", 3));
        FakeConnection c = subscribe("c", null);
        f.messaging.unsequenced("news", Json.createValue("alone1"));
        f.messaging.unsequenced("news", Json.createValue("alone2"));
        f.messaging.sequenced("news", "E", 4, null); // the node marks its lone publish lost on return
        bus(5);
        List<String> seen = seen(c);
        String own = seen.get(1).split(" ")[2];
        assertEquals(List.of("subscribed E 3", "gap cluster " + own + " 0", "message alone1 1", "message alone2 2",
                "gap cluster E 4", "message m5 5"), seen);
    }
}
