package dev.conductor.platform.auth;

import dev.conductor.platform.problem.ProblemException;
import dev.conductor.platform.problem.ProblemMappers;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Every {@code /api/} call needs a valid bearer token (deny by default): 401 problem+json
 * otherwise. What the caller may do is decided per endpoint through {@link Access}.
 */
public class BearerFilter {
  @Inject TokenVerifier verifier;
  @Inject CurrentCaller current;

  // Pre-matching: an unknown /api path answers 401 too, so callers without a token learn nothing.
  @ServerRequestFilter(preMatching = true)
  public Uni<Response> authenticate(ContainerRequestContext request) {
    String path = request.getUriInfo().getPath();
    if (!path.startsWith("/api/")) {
      return Uni.createFrom().nullItem();
    }
    String header = request.getHeaderString(HttpHeaders.AUTHORIZATION);
    // The first token of an issuer fetches its JWKS over HTTP: keep that off the event loop.
    return Uni.createFrom()
        .item(() -> verifier.verifyHeader(header))
        .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
        .map(
            caller -> {
              current.set(caller);
              return (Response) null;
            })
        .onFailure(ProblemException.class)
        .recoverWithItem(
            e ->
                ProblemMappers.of(
                    (ProblemException) e, request.getUriInfo().getRequestUri().getRawPath()));
  }
}
