package dev.conductor.broker.support;

import dev.conductor.embedded.PoolKeys;
import dev.conductor.testkit.IssuerTestResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Makes the broker under test its own issuer: it needs its URL (and so its port) before it starts.
 * Also trusts the test kit's foreign issuer (for tokens with arbitrary groups and negative tests)
 * and writes pool keys for {@code dev} and {@code test} only, so {@code prod} has none.
 */
public class BrokerTestResource implements QuarkusTestResourceLifecycleManager {
  private static final String KEYS_DIR = "broker.test.pool-keys";

  @Override
  public Map<String, String> start() {
    int port = freePort();
    String self = "http://127.0.0.1:" + port;
    Path keys = keysDir();
    Map<String, String> config = new HashMap<>();
    config.put("quarkus.http.test-port", Integer.toString(port));
    config.put("conductor.broker.issuer", self);
    config.put("conductor.access.url", self);
    config.put("conductor.auth.issuers", self + "," + IssuerTestResource.issuer().issuer());
    for (String pool : List.of("dev", "test")) {
      config.put("conductor.broker.pool-keys." + pool, PoolKeys.publicFile(keys, pool).toString());
    }
    return config;
  }

  @Override
  public void stop() {}

  /** The directory with the pools' key files, generated once per JVM. */
  public static synchronized Path keysDir() {
    String dir = System.getProperty(KEYS_DIR);
    if (dir != null) {
      return Path.of(dir);
    }
    try {
      Path created = Files.createTempDirectory("broker-pool-keys");
      PoolKeys.generate(created, List.of("dev", "test"));
      System.setProperty(KEYS_DIR, created.toString());
      return created;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
