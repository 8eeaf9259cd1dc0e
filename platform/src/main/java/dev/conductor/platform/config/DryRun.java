package dev.conductor.platform.config;

import dev.conductor.platform.problem.ProblemException;
import jakarta.ws.rs.core.UriInfo;
import java.util.List;

/**
 * Reads the {@code dryRun} query parameter of a config PUT strictly. JAX-RS would turn {@code
 * ?dryRun=1}, {@code ?dryRun=yes} or a bare {@code ?dryRun} into {@code false} and so apply what
 * the caller meant only to preview; here anything but {@code true} or {@code false} is a 400.
 */
public final class DryRun {
  public static final String PARAM = "dryRun";

  private DryRun() {}

  /**
   * Whether the request asks for a dry run. Repeated values are refused too ({@code
   * ?dryRun=true&dryRun=false}).
   *
   * @throws ProblemException 400 naming {@code dryRun} for any value but true or false
   */
  public static boolean of(UriInfo uri) {
    List<String> values = uri.getQueryParameters().get(PARAM);
    return parse(values == null || values.isEmpty() ? null : String.join(",", values));
  }

  /**
   * @param value the raw query parameter, null when absent (absent means a real PUT)
   * @throws ProblemException 400 naming {@code dryRun} for any other value
   */
  public static boolean parse(String value) {
    if (value == null) {
      return false;
    }
    return switch (value) {
      case "true" -> true;
      case "false" -> false;
      default ->
          throw ProblemException.badRequest(
              PARAM, "dryRun must be true or false, not \"" + value + "\"");
    };
  }
}
