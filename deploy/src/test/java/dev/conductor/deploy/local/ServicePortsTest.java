package dev.conductor.deploy.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.RepeatedTest;

/** A stack's ports are distinct, free, and out of the way of system-numbered sockets. */
class ServicePortsTest {
  @RepeatedTest(20)
  void portsPickedTogetherAreDistinctFreeAndBelowTheEphemeralRange() throws Exception {
    List<Integer> ports = ServicePorts.pick(12);

    assertThat(new HashSet<>(ports)).hasSize(12);
    int low = ServicePorts.ephemeralLow();
    assertThat(low).as("the ephemeral range starts above the privileged ports").isGreaterThan(1024);
    if (low > 10_000 + 120) {
      assertThat(ports).allSatisfy(p -> assertThat(p).isBetween(10_000, low - 1));
    }
    for (int port : ports) {
      try (ServerSocket socket = new ServerSocket()) {
        socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      }
    }
  }
}
