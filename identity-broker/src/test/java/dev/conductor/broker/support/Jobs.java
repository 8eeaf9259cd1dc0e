package dev.conductor.broker.support;

import dev.conductor.events.data.DataAccess;
import dev.conductor.events.data.JobScheduled;
import dev.conductor.events.data.Requester;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Scheduled attempts for tests. */
public final class Jobs {
  private Jobs() {}

  public static JobScheduled scheduled(
      String runId,
      String requester,
      List<String> groups,
      String runAs,
      String pool,
      List<DataAccess> dataAccess,
      Instant deadline) {
    return scheduled("demo", runId, requester, groups, runAs, pool, dataAccess, deadline);
  }

  public static JobScheduled scheduled(
      String workspace,
      String runId,
      String requester,
      List<String> groups,
      String runAs,
      String pool,
      List<DataAccess> dataAccess,
      Instant deadline) {
    return new JobScheduled(
        runId,
        "extract",
        UUID.randomUUID().toString(),
        1,
        workspace,
        "etl",
        3,
        "sql",
        Map.of("query", "select 1"),
        Map.of("date", "2026-11-26"),
        dataAccess,
        runAs,
        new Requester("http://issuer.example", requester, groups),
        pool,
        "smallrc",
        1,
        Instant.parse("2026-11-26T12:00:00Z"),
        deadline,
        1);
  }

  public static List<DataAccess> warehouseAccess() {
    return List.of(
        new DataAccess("warehouse.sales", List.of("read", "write")),
        new DataAccess("https://api.example/reports", List.of("read")));
  }

  /** The same attempt as {@code job}, dispatched once more (its claim found no free slot). */
  public static JobScheduled dispatchedAgain(JobScheduled job, int dispatch) {
    return new JobScheduled(
        job.runId(),
        job.step(),
        job.attemptId(),
        job.attemptNumber(),
        job.workspace(),
        job.pipeline(),
        job.pipelineVersion(),
        job.jobType(),
        job.spec(),
        job.parameters(),
        job.dataAccess(),
        job.runAs(),
        job.requester(),
        job.pool(),
        job.resourceClass(),
        job.slots(),
        java.time.Instant.now(),
        job.deadline(),
        dispatch);
  }
}
