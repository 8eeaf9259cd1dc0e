package dev.conductor.deploy.local;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ports for the services, picked before they start (every service's URL goes into the others'
 * configuration) and bound by them some twenty seconds later. Two things could take such a port in
 * between: another pick (closing a probe socket and opening the next one handed the same port to
 * two services, and one of them died on start) and any socket the system numbers itself, such as
 * the outgoing connections to Kafka and PostgreSQL. So the ports are picked together, every probe
 * held open until all are found, and below the kernel's ephemeral range, which those sockets use.
 */
final class ServicePorts {
  private static final Path EPHEMERAL_RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
  private static final int LOWEST = 10_000;

  private ServicePorts() {}

  /** {@code n} distinct ports that were free together a moment ago. */
  static List<Integer> pick(int n) {
    int ephemeralLow = ephemeralLow();
    List<ServerSocket> held = new ArrayList<>();
    try {
      if (ephemeralLow - LOWEST > 10 * n) {
        int candidate = ThreadLocalRandom.current().nextInt(LOWEST, ephemeralLow - 2 * n);
        for (; candidate < ephemeralLow && held.size() < n; candidate++) {
          ServerSocket socket = tryBind(candidate);
          if (socket != null) {
            held.add(socket);
          }
        }
      }
      while (held.size() < n) {
        // No room below the ephemeral range: distinct at least, since all are held.
        held.add(bind(0));
      }
      return held.stream().map(ServerSocket::getLocalPort).toList();
    } finally {
      held.forEach(ServicePorts::closeQuietly);
    }
  }

  /** The first port of the system's ephemeral range (Linux), else the IANA default 49152. */
  static int ephemeralLow() {
    // Read line-wise: Files.readString sizes its read by the file, and a /proc file has size 0
    // (it returned "3", the first byte, and every port came from the ephemeral range).
    try (BufferedReader in = Files.newBufferedReader(EPHEMERAL_RANGE)) {
      return Integer.parseInt(in.readLine().trim().split("\\s+")[0]);
    } catch (IOException | RuntimeException e) {
      return 49_152;
    }
  }

  private static ServerSocket tryBind(int port) {
    try {
      return bind(port);
    } catch (UncheckedIOException e) {
      return null;
    }
  }

  private static ServerSocket bind(int port) {
    try {
      ServerSocket socket = new ServerSocket();
      socket.setReuseAddress(false);
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      return socket;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot bind loopback port " + port, e);
    }
  }

  private static void closeQuietly(ServerSocket socket) {
    try {
      socket.close();
    } catch (IOException e) {
      // it was only a probe
    }
  }
}
