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

    void add(Peer peer) {
        peers.put(peer.id(), peer);
    }

    /** Removes exactly this peer; true if it was still registered (so only one caller wins). */
    boolean remove(Peer peer) {
        return peers.remove(peer.id(), peer);
    }

    public Peer get(String id) {
        return peers.get(id);
    }

    public int size() {
        return peers.size();
    }

    /** A live, unmodifiable view. */
    public Collection<Peer> peers() {
        return Collections.unmodifiableCollection(peers.values());
    }
}
