package dev.conductor.audit.verify;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The outcome of re-walking every chain. {@code records} counts the records checked: all of them
 * when ok, up to and including {@code firstBad} otherwise.
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record VerifyReport(boolean ok, int chains, long records, BadRecord firstBad) {}
