package dev.conductor.audit.verify;

import dev.conductor.audit.ledger.LedgerMeta;
import dev.conductor.platform.auth.Access;
import dev.conductor.platform.auth.Caller;
import dev.conductor.platform.auth.CurrentCaller;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.inject.Inject;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** Re-verifies the whole ledger on demand (audit.read at /). */
@Path("/api/v1/ledger/verify")
@Produces(MediaType.APPLICATION_JSON)
public class VerifyResource {
  @Inject CurrentCaller current;
  @Inject Access access;
  @Inject LedgerMeta meta;
  @Inject LedgerVerifier verifier;

  @POST
  public Uni<VerifyReport> verify() {
    Caller caller = current.get();
    return access
        .require(caller, "audit.read", "/")
        // Creates the chain heads on a fresh ledger, so an empty ledger verifies as ok.
        .chain(meta::chains)
        .chain(
            ignored ->
                Uni.createFrom()
                    .item(verifier::verify)
                    .runSubscriptionOn(Infrastructure.getDefaultWorkerPool()));
  }
}
