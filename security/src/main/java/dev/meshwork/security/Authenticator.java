package dev.meshwork.security;

/** One way to prove who a request comes from. Thread-safe. */
public interface Authenticator {
    /**
     * The principal the credentials prove, or null when they carry nothing this authenticator
     * reads (no bearer token, no client certificate).
     *
     * @throws AuthenticationException when they carry something it reads that is not valid
     */
    Principal authenticate(Credentials credentials);
}
