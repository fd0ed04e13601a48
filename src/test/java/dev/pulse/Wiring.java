package dev.pulse;

import java.time.Clock;

/**
 * The core objects wired together as {@link PulseRuntime} wires them, for unit tests on fakes:
 * sends and closes run inline on the calling thread, time comes from the given clock, metrics go
 * to memory, and no scheduler runs (tests call {@code sweep()}, {@code pingAll()},
 * {@code pushTime()} themselves).
 */
final class Wiring {

    final SessionRegistry registry = new SessionRegistry();
    final MessageCodec codec = new MessageCodec();
    final PulseEvents events = new PulseEvents();
    final TopicRegistry topics;
    final Messaging messaging;
    final SessionHandler sessions;
    final LivenessMonitor liveness;
    final TimePusher timePusher;

    Wiring(PulseSettings settings, Clock clock) {
        PulseMetrics metrics = PulseMetrics.inMemory();
        topics = new TopicRegistry(settings, clock);
        messaging = new Messaging(registry, topics, codec, settings);
        sessions = new SessionHandler(registry, messaging, events, codec, settings, clock, Runnable::run, metrics);
        liveness = new LivenessMonitor(registry, sessions, settings, clock, metrics);
        timePusher = new TimePusher(registry, codec, clock, metrics, new FanOut(Runnable::run, 1));
    }
}
