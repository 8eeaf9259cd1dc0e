package dev.conductor.events.data;

import java.util.List;

/** The broker's stored decision about one attempt. */
public record DecisionRecorded(
    String decisionId,
    String runId,
    String attemptId,
    String effect,
    String principal,
    String runAs,
    String action,
    List<String> resources,
    List<String> matchedAssignments,
    String policyVersion,
    List<String> reasons) {}
