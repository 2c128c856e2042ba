package dev.meshwork.security;

/** Credentials that were presented and are not valid; the message says why without repeating them. */
public final class AuthenticationException extends RuntimeException {
    public AuthenticationException(String message) {
        super(message);
    }
}
