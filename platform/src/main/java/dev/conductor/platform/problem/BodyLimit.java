package dev.conductor.platform.problem;

import dev.conductor.events.EventCodec;
import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.vertx.http.runtime.RouteConstants;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * A body announced larger than {@code quarkus.http.limits.max-body-size} is answered here, as a
 * {@code content-too-large} problem, just before Quarkus' own check would answer an empty 413: the
 * body is never read, and the connection is closed since its rest would arrive unasked. A client
 * that sends {@code Expect: 100-continue} reads the answer without sending the body. A chunked body
 * over the limit is stopped while it is read, and {@link ProblemMappers} answers the same kind.
 */
@ApplicationScoped
public class BodyLimit {
  void install(
      @Observes Router router,
      @ConfigProperty(name = "quarkus.http.limits.max-body-size", defaultValue = "10240K")
          MemorySize limit) {
    long max = limit.asLongValue();
    router
        .route()
        .order(RouteConstants.ROUTE_ORDER_UPLOAD_LIMIT - 1)
        .handler(context -> refuseOver(max, context));
  }

  private static void refuseOver(long max, RoutingContext context) {
    long length = announced(context.request().getHeader(HttpHeaders.CONTENT_LENGTH));
    if (length <= max) {
      context.next();
      return;
    }
    Problem problem =
        new ProblemException(
                ProblemType.CONTENT_TOO_LARGE,
                "the body has " + length + " bytes; this service reads at most " + max)
            .toProblem(context.request().path());
    byte[] json;
    try {
      json = EventCodec.JSON.writeValueAsBytes(problem);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    context
        .response()
        .setStatusCode(ProblemType.CONTENT_TOO_LARGE.status())
        .putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE)
        .putHeader(HttpHeaders.CONNECTION, "close")
        .end(io.vertx.core.buffer.Buffer.buffer(json))
        .onComplete(done -> context.request().connection().close());
  }

  /** The announced length; -1 when there is none (chunked) or it is not a number. */
  private static long announced(String header) {
    if (header == null) {
      return -1;
    }
    try {
      return Long.parseLong(header.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
