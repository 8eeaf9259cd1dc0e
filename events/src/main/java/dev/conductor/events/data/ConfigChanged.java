package dev.conductor.events.data;

/** A configuration section changed. */
public record ConfigChanged(
    String workspace, String section, String who, String oldVersion, String newVersion) {}
