package dev.conductor.events.data;

import java.util.List;

/** A data target a step declares it will touch, and how. */
public record DataAccess(String resource, List<String> permissions) {}
