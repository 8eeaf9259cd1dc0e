package dev.conductor.broker.policy;

/**
 * Who owns a policy row: the seed file (replaced by a seed reload) or the config section of one
 * workspace (replaced only by a PUT of that section). Each writer touches only its own rows, so a
 * seed reload never wipes what a workspace configured and vice versa.
 */
public final class Owner {
  public static final String SEED = "seed";

  private Owner() {}

  /** The owner value of rows written by the config sections of workspace {@code ws}. */
  public static String workspace(String ws) {
    return "workspace:" + ws;
  }
}
