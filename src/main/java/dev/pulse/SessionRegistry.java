package dev.pulse;

import java.util.Collection;
import java.util.Collections;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The one owner of the set of open sessions. Thread-safe; iteration is weakly consistent (a peer
 * added or removed during a broadcast may or may not be visited).
 */
public final class SessionRegistry {

    private final ConcurrentMap<String, Peer> peers = new ConcurrentHashMap<>();
    /** Open sessions per client address; an address with none has no entry. */
    private final ConcurrentMap<String, Integer> perAddress = new ConcurrentHashMap<>();

    void add(Peer peer) {
        peers.put(peer.id(), peer);
        if (peer.remoteAddress() != null) {
            perAddress.merge(peer.remoteAddress(), 1, Integer::sum);
        }
    }

    /** Removes exactly this peer; true if it was still registered (so only one caller wins). */
    boolean remove(Peer peer) {
        if (!peers.remove(peer.id(), peer)) {
            return false;
        }
        if (peer.remoteAddress() != null) {
            perAddress.computeIfPresent(peer.remoteAddress(), (a, n) -> n == 1 ? null : n - 1);
        }
        return true;
    }

    /** Open sessions from this client address. */
    public int sessionsOf(String address) {
        return address == null ? 0 : perAddress.getOrDefault(address, 0);
    }

    public Peer get(String id) {
        return peers.get(id);
    }

    public int size() {
        return peers.size();
    }

    /** Bytes queued or in flight to all sessions (a moment's sum, not atomic across sessions). */
    public long queuedBytes() {
        long total = 0;
        for (Peer peer : peers.values()) {
            total += peer.sender().queuedBytes();
        }
        return total;
    }

    /** A live, unmodifiable view. */
    public Collection<Peer> peers() {
        return Collections.unmodifiableCollection(peers.values());
    }
}
