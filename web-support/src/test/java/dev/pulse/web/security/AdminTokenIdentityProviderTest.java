package dev.pulse.web.security;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.SecurityIdentity;
import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AdminTokenIdentityProviderTest {
    private static final String TOKEN = "a-long-enough-admin-token-for-this-test";

    private static SecurityIdentity authenticate(Optional<String> configured, String sent) {
        AdminTokenIdentityProvider provider = new AdminTokenIdentityProvider(configured, "pulse.test.admin.token") {
        };
        return provider.authenticate(new AdminTokenMechanism.AdminTokenRequest(sent), null).await().indefinitely();
    }

    @Test
    void theConfiguredTokenIsAnAdminNamedByAHashPrefixNotByTheToken() {
        SecurityIdentity identity = authenticate(Optional.of(TOKEN), TOKEN);
        assertTrue(identity.hasRole(Roles.ADMIN));
        String name = identity.getPrincipal().getName();
        assertTrue(name.matches("admin-token:[0-9a-f]{12}"), name);
        assertFalse(name.contains(TOKEN.substring(0, 12)));
    }

    @Test
    void anotherTokenFails() {
        AuthenticationFailedException e = assertThrows(AuthenticationFailedException.class,
                () -> authenticate(Optional.of(TOKEN), TOKEN + "x"));
        assertEquals("wrong admin token", e.getMessage());
    }

    @Test
    void withoutAConfiguredTokenEveryTokenFailsAndTheSettingIsNamed() {
        AuthenticationFailedException e = assertThrows(AuthenticationFailedException.class, () -> authenticate(Optional.empty(), TOKEN));
        assertEquals("no admin token is configured (pulse.test.admin.token)", e.getMessage());
    }
}
