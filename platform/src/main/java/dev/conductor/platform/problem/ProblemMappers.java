package dev.conductor.platform.problem;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import dev.conductor.events.EventTooLargeException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.List;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * The REST edge of every service: maps each failure of a REST call to {@code
 * application/problem+json}, the kind's status from the catalogue ({@link ProblemType}), {@code
 * instance} the request's path, once for all services.
 */
public class ProblemMappers {
  private static final Logger LOG = Logger.getLogger(ProblemMappers.class);

  @ServerExceptionMapper
  public Response problem(ProblemException e, UriInfo uri) {
    return of(e, instance(uri));
  }

  /** The answer for {@code e} at {@code instance} (filters answer before any mapper runs). */
  public static Response of(ProblemException e, String instance) {
    ProblemType type = e.type();
    Response.ResponseBuilder builder = Response.status(type.status()).type(Problem.MEDIA_TYPE);
    if (type == ProblemType.UNAUTHENTICATED) {
      builder.header(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
    }
    if (e.retryAfter() != null) {
      builder.header(HttpHeaders.RETRY_AFTER, Math.max(1, e.retryAfter().toSeconds()));
    }
    return builder.entity(e.toProblem(instance)).build();
  }

  /** A body that is not JSON, or does not fit the expected shape: 400 naming the field. */
  @ServerExceptionMapper
  public Response unreadable(JsonProcessingException e, UriInfo uri) {
    String field = "/";
    if (e instanceof JsonMappingException m && !m.getPath().isEmpty()) {
      field =
          m.getPath().stream()
              .map(r -> r.getFieldName() != null ? r.getFieldName() : String.valueOf(r.getIndex()))
              .collect(Collectors.joining("/", "/", ""));
    }
    return problem(
        ProblemException.badRequest(field, "unreadable JSON: " + e.getOriginalMessage()), uri);
  }

  /** A request that would emit an event over the size limit: nothing was stored or sent. */
  @ServerExceptionMapper
  public Response tooLarge(EventTooLargeException e, UriInfo uri) {
    return problem(ProblemException.tooLarge(null, e.getMessage()), uri);
  }

  /** What the framework answers itself (no route, wrong method or media type), as a problem. */
  @ServerExceptionMapper
  public Response web(WebApplicationException e, UriInfo uri) {
    ProblemType type = ProblemType.ofStatus(e.getResponse().getStatus());
    return problem(new ProblemException(type, e.getMessage(), null, List.of()), uri);
  }

  @ServerExceptionMapper
  public Response unexpected(RuntimeException e, UriInfo uri) {
    LOG.error("unexpected failure", e);
    return problem(
        new ProblemException(ProblemType.INTERNAL, "unexpected failure; see the service log"), uri);
  }

  private static String instance(UriInfo uri) {
    return uri == null ? null : uri.getRequestUri().getRawPath();
  }
}
