package dev.conductor.broker.access;

import java.util.List;

/** Answer of {@code POST /api/v1/access/check}. */
public record AccessCheckAnswer(
    String decisionId, String effect, List<String> reasons, String policyVersion) {}
