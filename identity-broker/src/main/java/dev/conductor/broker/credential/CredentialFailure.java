package dev.conductor.broker.credential;

/**
 * Credentials for an allowed attempt cannot be minted; the reason goes to job.credential-failed.
 */
public class CredentialFailure extends Exception {
  public CredentialFailure(String reason) {
    super(reason);
  }
}
