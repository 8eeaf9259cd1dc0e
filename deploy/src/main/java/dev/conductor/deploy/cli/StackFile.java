package dev.conductor.deploy.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code <state>/stack.json}: what {@code up} started and where (urls, Kafka bootstrap, pids, the
 * seed file with the demo secrets, the workspace document it applied). The other subcommands read
 * it to reach the running stack.
 */
record StackFile(
    long upPid,
    Map<String, String> urls,
    String bootstrap,
    String jdbcUrl,
    Map<String, Long> pids,
    Path seed,
    Path logs,
    JsonNode workspace) {
  static final String NAME = "stack.json";
  static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  void write(Path file) {
    ObjectNode doc = JSON.createObjectNode();
    doc.put("pid", upPid);
    doc.set("urls", JSON.valueToTree(urls));
    doc.put("bootstrap", bootstrap);
    doc.put("jdbcUrl", jdbcUrl);
    doc.set("pids", JSON.valueToTree(pids));
    doc.put("seed", seed.toString());
    doc.put("logs", logs.toString());
    doc.set("workspace", workspace);
    try {
      Path tmp = file.resolveSibling(NAME + ".tmp");
      JSON.writeValue(tmp.toFile(), doc);
      Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static StackFile read(Path file) {
    try {
      JsonNode doc = JSON.readTree(file.toFile());
      Map<String, String> urls = new LinkedHashMap<>();
      doc.path("urls").fields().forEachRemaining(e -> urls.put(e.getKey(), e.getValue().asText()));
      Map<String, Long> pids = new LinkedHashMap<>();
      doc.path("pids").fields().forEachRemaining(e -> pids.put(e.getKey(), e.getValue().asLong()));
      return new StackFile(
          doc.path("pid").asLong(),
          urls,
          doc.path("bootstrap").asText(),
          doc.path("jdbcUrl").asText(),
          pids,
          Path.of(doc.path("seed").asText()),
          Path.of(doc.path("logs").asText()),
          doc.path("workspace"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  boolean upAlive() {
    return ProcessHandle.of(upPid).map(ProcessHandle::isAlive).orElse(false);
  }

  String url(String service) {
    String url = urls.get(service);
    if (url == null) {
      throw new IllegalStateException("the stack has no " + service);
    }
    return url;
  }
}
