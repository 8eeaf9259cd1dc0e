package dev.conductor.platform.trace;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * W3C {@code traceparent} values: one trace per run across every hop. Each hop continues the trace
 * it received (same trace id, its own span id); only a request that arrives without one starts a
 * new trace.
 */
public final class TraceContext {
  private static final Pattern TRACEPARENT =
      Pattern.compile("^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$");
  private static final SecureRandom RANDOM = new SecureRandom();

  private TraceContext() {}

  /** The traceparent of the current OpenTelemetry span, or a new trace when there is none. */
  public static String current() {
    SpanContext context = Span.current().getSpanContext();
    if (context.isValid()) {
      return format(context);
    }
    return newTrace();
  }

  public static String format(SpanContext context) {
    return "00-"
        + context.getTraceId()
        + "-"
        + context.getSpanId()
        + "-"
        + context.getTraceFlags().asHex();
  }

  /** A child of {@code parent} (same trace, new span), or a new trace if parent is not valid. */
  public static String childOf(String parent) {
    if (parent == null || !TRACEPARENT.matcher(parent).matches()) {
      return newTrace();
    }
    return "00-" + traceId(parent) + "-" + randomHex(8) + "-" + parent.substring(53, 55);
  }

  public static boolean isValid(String traceparent) {
    return traceparent != null && TRACEPARENT.matcher(traceparent).matches();
  }

  /** The 32-hex trace id of a valid traceparent. */
  public static String traceId(String traceparent) {
    return traceparent.substring(3, 35);
  }

  public static String newTrace() {
    return "00-" + randomHex(16) + "-" + randomHex(8) + "-01";
  }

  private static String randomHex(int bytes) {
    byte[] b = new byte[bytes];
    RANDOM.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }
}
