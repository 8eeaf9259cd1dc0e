package dev.conductor.platform.problem;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import dev.conductor.events.EventTooLargeException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Maps every failure of a REST call to {@code application/problem+json}, once for all services. */
public class ProblemMappers {
  private static final Logger LOG = Logger.getLogger(ProblemMappers.class);

  @ServerExceptionMapper
  public Response problem(ProblemException e) {
    Response.ResponseBuilder builder = Response.status(e.status()).type(Problem.MEDIA_TYPE);
    if (e.status() == 401) {
      builder.header(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
    }
    return builder.entity(e.toProblem()).build();
  }

  /** A body that is not JSON, or does not fit the expected shape: 400 naming the field. */
  @ServerExceptionMapper
  public Response unreadable(JsonProcessingException e) {
    String field = "/";
    if (e instanceof JsonMappingException m && !m.getPath().isEmpty()) {
      field =
          m.getPath().stream()
              .map(r -> r.getFieldName() != null ? r.getFieldName() : String.valueOf(r.getIndex()))
              .collect(Collectors.joining("/", "/", ""));
    }
    return problem(
        ProblemException.badRequest(field, "unreadable JSON: " + e.getOriginalMessage()));
  }

  /** A request that would emit an event over the size limit: nothing was stored or sent. */
  @ServerExceptionMapper
  public Response tooLarge(EventTooLargeException e) {
    return problem(ProblemException.tooLarge(null, e.getMessage()));
  }

  @ServerExceptionMapper
  public Response web(WebApplicationException e) {
    int status = e.getResponse().getStatus();
    String title = e.getResponse().getStatusInfo().getReasonPhrase();
    return problem(new ProblemException(status, title, e.getMessage(), null, List.of()));
  }

  @ServerExceptionMapper
  public Response unexpected(RuntimeException e) {
    LOG.error("unexpected failure", e);
    return problem(
        new ProblemException(500, "Internal error", "unexpected failure; see the service log"));
  }
}
