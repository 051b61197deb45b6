package dev.pulse.web.security;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class BearerTokenMechanismTest {

    @Test
    void readsTheTokenOfAnyCaseOfTheScheme() {
        assertEquals("abc", BearerTokenMechanism.token("Bearer abc"));
        assertEquals("abc", BearerTokenMechanism.token("bearer abc"));
        assertEquals("abc", BearerTokenMechanism.token("BEARER   abc  "));
    }

    @Test
    void anythingElseIsNoToken() {
        assertNull(BearerTokenMechanism.token("Basic dXNlcjpwYXNz"));
        assertNull(BearerTokenMechanism.token("Bearer"));
        assertNull(BearerTokenMechanism.token("Bearer "));
        assertNull(BearerTokenMechanism.token("Bearer    "));
        assertNull(BearerTokenMechanism.token("abc"));
        assertNull(BearerTokenMechanism.token(""));
    }
}
