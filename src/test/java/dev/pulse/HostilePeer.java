package dev.pulse;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A raw-socket peer that completes the WebSocket upgrade and then goes silent: it never reads
 * another byte and never answers a ping, like a half-open connection or a frozen client.
 */
final class HostilePeer implements AutoCloseable {

    private final Socket socket;
    final String handshakeResponse;

    private HostilePeer(Socket socket, String handshakeResponse) {
        this.socket = socket;
        this.handshakeResponse = handshakeResponse;
    }

    static HostilePeer upgradeAndGoSilent(URI wsUri) throws IOException {
        return upgrade(wsUri, 0, Map.of());
    }

    /** Upgrades with extra request headers (Origin, Sec-WebSocket-Protocol, …). */
    static HostilePeer upgradeWith(URI wsUri, Map<String, String> headers) throws IOException {
        return upgrade(wsUri, 0, headers);
    }

    /** The server's answer to a handshake it refuses: status line and headers. */
    static final class Refused extends IOException {
        private static final long serialVersionUID = 1L;
        final String response;

        Refused(String response) {
            super("upgrade refused: " + response);
            this.response = response;
        }

        int status() {
            return Integer.parseInt(response.substring(9, 12));
        }
    }

    /**
     * Upgrades with a small receive buffer, so that a server writing to a peer that never reads
     * fills the connection quickly.
     */
    static HostilePeer upgradeWithReceiveBuffer(URI wsUri, int receiveBufferBytes) throws IOException {
        return upgrade(wsUri, receiveBufferBytes, Map.of());
    }

    private static HostilePeer upgrade(URI wsUri, int receiveBufferBytes, Map<String, String> headers) throws IOException {
        Socket socket = new Socket();
        if (receiveBufferBytes > 0) {
            socket.setReceiveBufferSize(receiveBufferBytes); // before connect, so the window is small from the start
        }
        socket.connect(new java.net.InetSocketAddress(wsUri.getHost(), wsUri.getPort()), 5000);
        socket.setSoTimeout(5000);
        byte[] nonce = new byte[16];
        ThreadLocalRandom.current().nextBytes(nonce);
        String target = wsUri.getRawQuery() == null ? wsUri.getRawPath() : wsUri.getRawPath() + "?" + wsUri.getRawQuery();
        String request = "GET " + target + " HTTP/1.1\r\n"
                + "Host: " + wsUri.getHost() + ":" + wsUri.getPort() + "\r\n"
                + "Upgrade: websocket\r\n"
                + "Connection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(nonce) + "\r\n"
                + "Sec-WebSocket-Version: 13\r\n"
                + headers.entrySet().stream().map(h -> h.getKey() + ": " + h.getValue() + "\r\n").collect(Collectors.joining())
                + "\r\n";
        socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        String response = readHeaders(socket.getInputStream());
        if (!response.startsWith("HTTP/1.1 101")) {
            socket.close();
            throw new Refused(response);
        }
        return new HostilePeer(socket, response);
    }

    /** Reads byte by byte up to the blank line, so no frame bytes are consumed. */
    private static String readHeaders(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed during handshake: " + out);
            }
            out.write(b);
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return out.toString(StandardCharsets.US_ASCII);
    }

    /** Sends one masked text frame, as a client must, then goes silent again. */
    void sendText(String text) throws IOException {
        sendFrame(0x1, text.getBytes(StandardCharsets.UTF_8));
    }

    void sendBinary(byte[] payload) throws IOException {
        sendFrame(0x2, payload);
    }

    /** An unsolicited Pong: keeps the peer alive in the server's eyes without reading anything. */
    void sendPong() throws IOException {
        sendFrame(0xA, new byte[0]);
    }

    /**
     * Reads frames (skipping data and control frames) until the server's close frame; returns its
     * code, or 1006 if the connection ends without one.
     */
    int awaitCloseCode(int timeoutMillis) throws IOException {
        socket.setSoTimeout(timeoutMillis);
        java.io.DataInputStream in = new java.io.DataInputStream(socket.getInputStream());
        try {
            while (true) {
                int b0 = in.readUnsignedByte();
                int b1 = in.readUnsignedByte();
                long len = b1 & 0x7f;
                if (len == 126) {
                    len = in.readUnsignedShort();
                } else if (len == 127) {
                    len = in.readLong();
                }
                byte[] payload = new byte[(int) len];
                in.readFully(payload);
                if ((b0 & 0x0f) == 0x8) {
                    return payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : 1005;
                }
            }
        } catch (java.io.EOFException | java.net.SocketException e) {
            return 1006;
        }
    }

    private void sendFrame(int opcode, byte[] payload) throws IOException {
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        frame.write(0x80 | opcode); // FIN + opcode
        if (payload.length < 126) {
            frame.write(0x80 | payload.length);
        } else if (payload.length < 65536) {
            frame.write(0x80 | 126);
            frame.write(payload.length >>> 8);
            frame.write(payload.length & 0xff);
        } else {
            frame.write(0x80 | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                frame.write((int) ((long) payload.length >>> shift) & 0xff);
            }
        }
        byte[] mask = new byte[4];
        ThreadLocalRandom.current().nextBytes(mask);
        frame.write(mask);
        for (int i = 0; i < payload.length; i++) {
            frame.write(payload[i] ^ mask[i % 4]);
        }
        socket.getOutputStream().write(frame.toByteArray());
        socket.getOutputStream().flush();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
