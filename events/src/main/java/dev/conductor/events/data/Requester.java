package dev.conductor.events.data;

import java.util.List;

/** Who asked for a run: the token's issuer, subject and groups. */
public record Requester(String issuer, String subject, List<String> groups) {}
