package dev.conductor.scheduler.pool;

/** A pool as the {@code pools} section declares it. */
public record PoolConfig(boolean paused, String description) {}
