package dev.conductor.broker.issuer;

import java.util.List;

/** A local client of the token endpoint: its id (the token subject), secret hash and groups. */
public record Client(String id, String secretHash, List<String> groups) {
  public Client {
    groups = List.copyOf(groups);
  }

  @Override
  public String toString() {
    return "Client[" + id + " " + groups + "]";
  }
}
