package dev.pulse.web.security;

/** The roles an identity of a Pulse API can hold, one per kind of credential. */
public final class Roles {
    /** A write key: sends an app's events and catalog. */
    public static final String WRITER = "writer";
    /** A read token: reads an app's figures. */
    public static final String READER = "reader";
    /** The admin token of a service: manages apps, erasures and recomputes. */
    public static final String ADMIN = "admin";

    private Roles() {
    }
}
