package io.vipd.testbed;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * TCP servers the testbed runs inside the host namespaces (threads of this JVM, sockets opened in the namespace): a
 * name server on every host that tells the client which host it reached, and the backends health checks watch.
 */
public final class HostServices {
    public static final int NAME_PORT = 8080;

    private final Topology topology;
    private final List<ServerSocket> nameServers = new ArrayList<>();
    private final Map<String, ServerSocket> services = new LinkedHashMap<>();

    HostServices(Topology topology) {
        this.topology = topology;
    }

    private ServerSocket listen(int i, int port) throws IOException {
        return Netns.call(topology.hostNs(i), () -> {
            ServerSocket s = new ServerSocket();
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(port));
            return s;
        });
    }

    /** On every host, a server that answers every connection with the host's node id: shows who the client reached. */
    synchronized void startNameServers() throws IOException {
        for (int i = 1; i <= topology.hostCount(); i++) {
            startNameServer(i);
        }
    }

    private void startNameServer(int i) throws IOException {
        ServerSocket server = listen(i, NAME_PORT);
        nameServers.add(server);
        String node = topology.node(i);
        Thread t = new Thread(() -> {
            while (!server.isClosed()) {
                try (Socket c = server.accept(); OutputStream out = c.getOutputStream()) {
                    out.write((node + "\n").getBytes(StandardCharsets.UTF_8));
                } catch (IOException e) {
                    // closed at tear-down, or the client went away
                }
            }
        }, "name-server-" + i);
        t.setDaemon(true);
        t.start();
    }

    /**
     * Starts or stops a TCP service (accepts and closes connections) on {@code port} in host i: the backend a
     * health check watches.
     */
    public synchronized void service(int i, int port, boolean up) throws IOException {
        String key = i + ":" + port;
        if (!up) {
            ServerSocket s = services.remove(key);
            if (s != null) {
                s.close();
            }
            return;
        }
        if (services.containsKey(key)) {
            return;
        }
        ServerSocket server = listen(i, port);
        services.put(key, server);
        Thread t = new Thread(() -> {
            while (!server.isClosed()) {
                try {
                    server.accept().close();
                } catch (IOException e) {
                    // closed when stopped
                }
            }
        }, "service-" + key);
        t.setDaemon(true);
        t.start();
    }

    /** Stops every service {@link #service} started. */
    synchronized void closeServices() {
        for (ServerSocket s : services.values()) {
            try {
                s.close();
            } catch (IOException ignored) {
                // tear-down continues
            }
        }
        services.clear();
    }

    synchronized void closeNameServers() {
        for (ServerSocket s : nameServers) {
            try {
                s.close();
            } catch (IOException ignored) {
                // nothing to do
            }
        }
        nameServers.clear();
    }
}
