package dev.conductor.executor.credential;

/** The attempt's credential bundle cannot be decrypted or parsed with this pool's key. */
public class CredentialsUnreadable extends Exception {
  public CredentialsUnreadable(String message) {
    super(message);
  }
}
