package dev.pulse;

import java.net.URI;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** The protocol suite on an in-JVM Tyrus server. */
class TyrusProtocolTest extends ProtocolContract {

    private TyrusPulseServer server;

    @BeforeEach
    void startServer() throws Exception {
        server = TyrusPulseServer.start(TestSettings.settings());
    }

    @AfterEach
    void stopServer() throws Exception {
        server.close();
    }

    @Override
    protected URI endpoint() {
        return server.endpoint();
    }

    @Override
    protected int openSessions() {
        return server.runtime.registry().size();
    }
}
